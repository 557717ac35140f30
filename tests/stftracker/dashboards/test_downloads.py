"""Every page's CSV download: the header row the page's column labels, money and percentages to
2 decimals, statuses in words, reasons ``; ``-joined, dates and times in ISO 8601."""
import csv
import datetime
import io

import pytest
from django.test import Client

from finance.models import Entitlement
from tests import builders
from tests.builders import allocate, quarter_with_status, returns
from tests.factories import TrustFactory, UploadFactory

pytestmark = pytest.mark.django_db
COMPUTED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)


def csv_table(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def analyst_client(analyst):
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def two_trusts():
    """Q1 2016-17, £1,000,000.00 a year each (250,000.00 in Q1), YTD plan -500,000.00 and actual
    -400,000.00: RF1 full; RP1 missing A&E (91.20%: 12.5% of 250,000.00 = 31,250.00 withheld)."""
    full = TrustFactory(org_code="RF1", name="Full Hospitals NHS Trust")
    partial = TrustFactory(org_code="RP1", name="Partial Hospitals NHS Trust", region=full.region,
                           footprint=full.footprint)
    for trust in (full, partial):
        allocate(trust)
    quarter_with_status(full, 1, "full")
    quarter_with_status(partial, 1, "partial")
    builders.recompute("2016-17", at=COMPUTED_AT)
    return full, partial


def test_league_csv_has_readable_headers_words_and_the_reasons(analyst_client, two_trusts):
    full, partial = two_trusts
    table = csv_table(analyst_client.get("/?year=2016-17&quarter=1&format=csv&chart=league&sort=org_code"))
    assert table[0] == ["Code", "Trust", "Region", "Footprint", "Type", "Status", "Allocation", "Earned", "Withheld",
                        "Pending", "Variance", "A&E", "Reasons"]
    assert [row[0] for row in table[1:]] == ["RF1", "RP1"]
    row = table[2]
    # Variance: actual -400,000.00 − plan -500,000.00 = 100,000.00; earned 250,000 − 31,250 = 218,750.00.
    assert row[:12] == ["RP1", "Partial Hospitals NHS Trust", partial.region.name, partial.footprint.name, "Acute",
                        "Partial", "250000.00", "218750.00", "31250.00", "0.00", "100000.00", "91.20"]
    stored = Entitlement.objects.get(trust=partial, quarter=1).detail["reasons"]
    assert len(stored) >= 2 and row[12] == "; ".join(stored)
    assert "A&E" in row[12] and "[" not in row[12]  # words, not a Python list


def test_area_index_csv_counts_trusts_under_the_status_words(analyst_client, two_trusts):
    table = csv_table(analyst_client.get("/regions/?year=2016-17&quarter=1&format=csv&chart=areas"))
    assert table[0] == ["Region", "Code", "Trusts", "Allocation", "Earned", "Withheld", "Pending", "Full (trusts)",
                        "Partial (trusts)", "Finance failed (trusts)", "No control total (trusts)", "Pending (trusts)"]
    region = two_trusts[0].region
    # Two trusts: 2 × 250,000 allocated; 250,000 + 218,750 = 468,750 earned; 31,250 withheld.
    assert table[1] == [region.name, region.code, "2", "500000.00", "468750.00", "31250.00", "0.00",
                        "1", "1", "0", "0", "0"]


def test_trust_csvs_round_spc_performance_and_write_times_in_iso(analyst_client):
    """A&E 2,000 of 3,000 each month: 66.666...% to 2 dp is 66.67 (not 28 decimals)."""
    trust = TrustFactory(org_code="RSPC", name="Thirds Hospitals NHS Trust")
    allocate(trust)
    upload = UploadFactory(file_name="thirds.csv")
    returns(trust, 1, performance={"ae": (2000, 3000), "rtt": (9300, 10000), "cancer62": (9000, 10000)}, upload=upload)
    upload.trusts.add(trust)
    type(upload).objects.filter(pk=upload.pk).update(
        uploaded_at=datetime.datetime(2017, 1, 10, 9, 30, tzinfo=datetime.timezone.utc))
    builders.recompute("2016-17", at=COMPUTED_AT)
    base = "/trusts/RSPC/?year=2016-17&quarter=1&format=csv"
    spc = csv_table(analyst_client.get(base + "&chart=spc-ae"))
    assert spc[0][:4] == ["Month", "Within standard", "Total", "Performance"]
    april = next(row for row in spc[1:] if row[0] == "2016-04")
    assert april[1:4] == ["2000", "3000", "66.67"]
    uploads = csv_table(analyst_client.get(base + "&chart=uploads"))
    assert uploads[0][:3] == ["Received", "File", "Kind"]
    assert uploads[1][:2] == ["2017-01-10T09:30:00+00:00", "thirds.csv"]
    versions = csv_table(analyst_client.get(base + "&chart=finance-versions"))
    assert versions[0][:2] == ["Month", "Version"] and versions[1][0] == "2016-06"
    page = analyst_client.get("/trusts/RSPC/?year=2016-17&quarter=1").content.decode()
    assert "10 Jan 2017, 09:30" in page and "Jun 2016" in page  # the page shows them for people (UK time)
