"""Helpers of the intake tests: the trusts the committed files name, and files built on the fly."""
import csv
import io

import pytest

from tests.factories import TrustFactory

TYPE_MAP = {"acute_specialist": "specialist"}


def csv_bytes(header, rows, *, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def reference_trusts_csv(reference_data):
    """A canonical trusts file made from the committed 2016/17 reference list."""
    with open(reference_data / "trusts_2016_17_reference.csv", newline="", encoding="utf-8") as handle:
        reference = list(csv.DictReader(handle))
    rows = [
        [r["org_code"], r["name"], TYPE_MAP.get(r["trust_type_derived"], r["trust_type_derived"]),
         r["national_grouping_name"], r["stp_name"]]
        for r in reference
    ]
    return csv_bytes(["org_code", "name", "trust_type", "region", "footprint"], rows), reference


@pytest.fixture
def home_trust(region):
    """RAA and RBB are the trusts the committed files in tests/fixtures name."""
    return TrustFactory(org_code="RAA", name="Alpha Hospitals NHS Trust", region=region, footprint=None)


@pytest.fixture
def other_trust(region):
    return TrustFactory(org_code="RBB", name="Beta Hospitals NHS Trust", region=region, footprint=None)
