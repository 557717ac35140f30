"""The regions and footprints index pages: every trust counted once, so the rows (and the CSV)
add up to the national figures."""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client

from tests import builders
from tests.builders import allocate, quarter_with_status
from tests.factories import TrustFactory

pytestmark = pytest.mark.django_db
D = Decimal
COMPUTED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def analyst_client(analyst):
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def country_with_ambulance_trusts():
    """builders.areas_country(1): two regions of two footprints of one trust each (T0001..T0004,
    £1,000,000.00 a year each), and two ambulance trusts in no footprint, one in each region,
    £400,000.00 a year each (100,000.00 a quarter), both full in Q1."""
    trusts = builders.areas_country(1)
    for code, region in (("RAMB1", trusts[0].region), ("RAMB2", trusts[2].region)):
        ambulance = TrustFactory(org_code=code, name=f"Ambulance {code} NHS Trust", trust_type="ambulance",
                                 region=region, footprint=None)
        allocate(ambulance, allocation="400000.00")
        quarter_with_status(ambulance, 1, "full")
    builders.recompute("2016-17", at=COMPUTED_AT)
    return trusts


MONEY = ("allocation", "earned", "withheld", "pending")


def test_footprints_index_has_a_no_footprint_row_and_sums_to_the_nation(analyst_client, country_with_ambulance_trusts):
    national = analyst_client.get("/?year=2016-17&quarter=1").context["headline"]
    # Q1: four trusts of 250,000.00 and two of 100,000.00: 1,000,000 + 200,000 = 1,200,000.00.
    assert national["allocation"] == D("1200000.00") and national["trusts"] == 6
    page = analyst_client.get("/footprints/?year=2016-17&quarter=1")
    rows = page.context["table"].rows
    assert [r["name"] for r in rows] == ["Footprint A1", "Footprint A2", "Footprint B1", "Footprint B2",
                                         "No footprint"]
    none = rows[-1]
    # The two ambulance trusts: 2 × 100,000.00 allocated and earned (both full).
    assert (none["trusts"], none["allocation"], none["earned"], none["n_full"]) == (2, D("200000.00"), D("200000.00"), 2)
    for field in MONEY:
        assert sum((r[field] for r in rows), D("0.00")) == national[field], field
    assert sum(r["trusts"] for r in rows) == 6
    html = page.content.decode()
    assert '<th scope="row">No footprint</th>' in html  # a row, not a link to a footprint page
    downloaded = csv_rows(analyst_client.get("/footprints/?year=2016-17&quarter=1&format=csv&chart=areas"))
    assert downloaded[-1]["Footprint"] == "No footprint" and downloaded[-1]["Allocation"] == "200000.00"
    assert sum(D(r["Allocation"]) for r in downloaded) == D("1200000.00")
    assert sum(D(r["Earned"]) for r in downloaded) == national["earned"]


def test_regions_index_sums_to_the_nation(analyst_client, country_with_ambulance_trusts):
    national = analyst_client.get("/?year=2016-17&quarter=1").context["headline"]
    rows = analyst_client.get("/regions/?year=2016-17&quarter=1").context["table"].rows
    assert [r["name"] for r in rows] == ["Region A", "Region B"]
    # Region A: T0001, T0002 (250,000.00 each) and RAMB1 (100,000.00): 600,000.00.
    assert rows[0]["allocation"] == D("600000.00") and rows[0]["trusts"] == 3
    for field in MONEY:
        assert sum((r[field] for r in rows), D("0.00")) == national[field], field
    downloaded = csv_rows(analyst_client.get("/regions/?year=2016-17&quarter=1&format=csv&chart=areas"))
    assert sum(D(r["Allocation"]) for r in downloaded) == D("1200000.00")


def test_no_footprint_row_is_left_out_when_every_trust_has_a_footprint(analyst_client):
    builders.areas_country(1)
    builders.recompute("2016-17", at=COMPUTED_AT)
    rows = analyst_client.get("/footprints/?year=2016-17&quarter=1").context["table"].rows
    assert "No footprint" not in [r["name"] for r in rows] and len(rows) == 4
