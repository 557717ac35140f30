"""Helpers of the intake tests: users, trusts, and files built on the fly."""
import csv
import io

import pytest

from tests.factories import RegionFactory, TrustFactory, UserFactory

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
def region(db):
    return RegionFactory(code="Y56", name="London")


@pytest.fixture
def trust_a(region):
    return TrustFactory(org_code="RAA", name="Alpha Hospitals NHS Trust", region=region, footprint=None)


@pytest.fixture
def trust_b(region):
    return TrustFactory(org_code="RBB", name="Beta Hospitals NHS Trust", region=region, footprint=None)


@pytest.fixture
def director(trust_a):
    return UserFactory(username="fd_alpha", role="finance_director", trusts=[trust_a])
