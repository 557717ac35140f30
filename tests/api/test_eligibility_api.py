"""GET /api/v1/eligibility/ and /api/v1/trusts/{org_code}/eligibility/: records, filters, CSV, 304s."""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils.http import http_date

from finance.models import RecomputeRun
from finance.services import recompute
from tests.api.conftest import COMPUTED_AT, api_client, entitlement, token_client
from tests.factories import AllocationFactory, FinanceReturnFactory, FootprintFactory, TrustFactory, scheme

URL = "/api/v1/eligibility/"


@pytest.fixture
def country(home_trust, other_trust):
    """Five records: two trusts, two schemes, different quarters and statuses."""
    specialist = TrustFactory(
        org_code="RSPEC", name="Specialist NHS Foundation Trust", trust_type="specialist", region=home_trust.region,
        footprint=FootprintFactory(code="E54000011", name="South East London", region=home_trust.region),
    )
    return {
        "home_q1": entitlement(home_trust, quarter=1),
        "home_q2": entitlement(home_trust, quarter=2, status="partial", withheld="31250.00"),
        "other_q2": entitlement(other_trust, quarter=2, status="finance_failed", withheld="250000.00"),
        "spec_q2": entitlement(specialist, quarter=2, status="pending", pending="250000.00"),
        "home_1718": entitlement(home_trust, year="2017-18", quarter=2, allocation="200000.00"),
    }


def keys(response):
    return [(r["org_code"], r["year"], r["quarter"]) for r in response.json()["results"]]


@pytest.mark.django_db
def test_a_record_is_exactly_the_design_record(analyst, country):
    response = token_client(analyst).get(URL, {"org_code": "RHOME", "year": "2016-17", "quarter": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert body["results"] == [{
        "org_code": "RHOME", "trust_name": "Home Hospitals NHS Trust", "year": "2016-17", "quarter": 2,
        "status": "partial",
        "allocation": "250000.00", "earned": "218750.00", "withheld": "31250.00", "pending": "0.00",
        "finance": {"met": True, "element": "218750.00", "ytd_plan": "-500000.00", "ytd_actual": "-400000.00"},
        "metrics": [{"metric": "ae", "applicable": True, "element": "31250.00", "met": False,
                     "performance": "91.20", "trajectory": "92.00", "standard": "95.00"}],
        "reasons": ["RHOME Q2: partial"],
        "scheme": "2016-17", "computed_at": "2026-11-22T10:00:00Z",
    }]
    record = body["results"][0]
    assert Decimal(record["earned"]) + Decimal(record["withheld"]) + Decimal(record["pending"]) == Decimal(record["allocation"])


@pytest.mark.django_db
def test_every_user_reads_the_national_view(director, other_director, nobody, country):
    for user in (director, other_director, nobody):
        assert token_client(user).get(URL).json()["count"] == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [("RHOME", "2016-17", 1), ("RHOME", "2016-17", 2), ("ROTHR", "2016-17", 2), ("RSPEC", "2016-17", 2),
              ("RHOME", "2017-18", 2)]),
        ({"year": "2017-18"}, [("RHOME", "2017-18", 2)]),
        ({"year": "2016-17", "quarter": "1"}, [("RHOME", "2016-17", 1)]),
        ({"quarter": "2", "year": "2016-17"}, [("RHOME", "2016-17", 2), ("ROTHR", "2016-17", 2), ("RSPEC", "2016-17", 2)]),
        ({"org_code": "ROTHR"}, [("ROTHR", "2016-17", 2)]),
        ({"org_code": "rothr"}, [("ROTHR", "2016-17", 2)]),
        ({"region": "Y54"}, [("ROTHR", "2016-17", 2)]),
        ({"region": "Y56", "year": "2016-17", "quarter": "2"}, [("RHOME", "2016-17", 2), ("RSPEC", "2016-17", 2)]),
        ({"footprint": "E54000011"}, [("RSPEC", "2016-17", 2)]),
        ({"trust_type": "specialist"}, [("RSPEC", "2016-17", 2)]),
        ({"trust_type": "mental_health"}, [("ROTHR", "2016-17", 2)]),
        ({"status": "finance_failed"}, [("ROTHR", "2016-17", 2)]),
        ({"status": "pending"}, [("RSPEC", "2016-17", 2)]),
        ({"status": "full", "year": "2016-17"}, [("RHOME", "2016-17", 1)]),
        ({"year": "2018-19"}, []),
    ],
)
def test_each_filter(analyst, country, params, expected):
    response = token_client(analyst).get(URL, params)
    assert response.status_code == 200
    assert keys(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [({"quarter": "5"}, "quarter"), ({"quarter": "x"}, "quarter"), ({"year": "2016"}, "year"),
     ({"status": "rich"}, "status"), ({"trust_type": "hospice"}, "trust_type")],
)
def test_a_bad_filter_is_a_400_naming_it(analyst, params, field):
    response = token_client(analyst).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_pagination(analyst, country):
    client = token_client(analyst)
    first = client.get(URL, {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    third = client.get(first["next"].replace("page=2", "page=3")).json()
    assert len(third["results"]) == 1 and third["next"] is None
    assert third["results"][0]["year"] == "2017-18"
    assert client.get(URL, {"page": 9}).status_code == 404


@pytest.mark.django_db
def test_csv_gives_the_same_rows_flat(analyst, country):
    response = token_client(analyst).get(URL, {"format": "csv", "year": "2016-17", "quarter": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="stf-eligibility.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["org_code"], r["status"], r["withheld"]) for r in rows] == [
        ("RHOME", "partial", "31250.00"), ("ROTHR", "finance_failed", "250000.00"), ("RSPEC", "pending", "0.00"),
    ]
    home = rows[0]
    assert home["earned"] == "218750.00" and home["finance_met"] == "true" and home["ytd_plan"] == "-500000.00"
    assert home["ae_element"] == "31250.00" and home["ae_met"] == "false" and home["ae_performance"] == "91.20"
    assert home["rtt_element"] == "" and home["reasons"] == "RHOME Q2: partial"


@pytest.mark.django_db
def test_csv_is_not_paginated(analyst, country):
    response = token_client(analyst).get(URL, {"format": "csv", "page_size": 1})
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 5


@pytest.mark.django_db
def test_csv_neutralises_formula_cells(analyst, region):
    trust = TrustFactory(org_code="REVIL", name='=HYPERLINK("http://evil.example","Click")', region=region)
    entitlement(trust, reasons=["@SUM(A1:A9)"])
    response = token_client(analyst).get(URL, {"format": "csv"})
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["trust_name"] == "'" + '=HYPERLINK("http://evil.example","Click")'
    assert row["reasons"] == "'@SUM(A1:A9)"
    assert row["ytd_plan"] == "-500000.00"  # a negative number stays a number


@pytest.mark.django_db
def test_csv_by_accept_header(analyst, country):
    response = token_client(analyst).get(URL, HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")


# --- Conditional requests --------------------------------------------------------------------


@pytest.mark.django_db
def test_etag_and_last_modified_come_from_the_last_recompute(analyst, country):
    later = COMPUTED_AT + datetime.timedelta(hours=1)
    entitlement(TrustFactory(org_code="RLATE", region=country["home_q1"].trust.region), computed_at=later)
    response = token_client(analyst).get(URL)
    assert response["Last-Modified"] == http_date(later.timestamp())
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    # Filtered to rows computed earlier, the date is theirs.
    older = token_client(analyst).get(URL, {"org_code": "RHOME"})
    assert older["Last-Modified"] == http_date(COMPUTED_AT.timestamp())


@pytest.mark.django_db
def test_a_finished_recompute_newer_than_the_rows_moves_last_modified(analyst, country):
    finished = COMPUTED_AT + datetime.timedelta(days=1)
    RecomputeRun.objects.create(state="done", finished_at=finished)
    RecomputeRun.objects.create(state="failed", finished_at=finished + datetime.timedelta(days=1))
    response = token_client(analyst).get(URL)
    assert response["Last-Modified"] == http_date(finished.timestamp())


@pytest.mark.django_db
def test_if_none_match_gives_304_until_the_data_changes(analyst, country):
    client = token_client(analyst)
    first = client.get(URL, {"year": "2016-17"})
    etag = first["ETag"]
    again = client.get(URL, {"year": "2016-17"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Another query string is another resource.
    assert client.get(URL, {"year": "2016-17", "quarter": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # CSV of the same query is another representation.
    assert client.get(URL, {"year": "2016-17", "format": "csv"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # A recompute that rewrites a row changes the ETag.
    row = country["home_q1"]
    row.computed_at = COMPUTED_AT + datetime.timedelta(minutes=5)
    row.save()
    changed = client.get(URL, {"year": "2016-17"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
def test_a_row_removed_changes_the_etag(analyst, country):
    client = token_client(analyst)
    etag = client.get(URL)["ETag"]
    country["spec_q2"].delete()
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.django_db
def test_if_modified_since(analyst, country):
    client = token_client(analyst)
    newest = COMPUTED_AT.timestamp()
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(newest)).status_code == 304
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(newest + 3600)).status_code == 304
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(newest - 1)).status_code == 200


@pytest.mark.django_db
def test_an_anonymous_conditional_request_is_still_401(country):
    response = api_client().get(URL, HTTP_IF_MODIFIED_SINCE=http_date(COMPUTED_AT.timestamp() + 60))
    assert response.status_code == 401


# --- One trust -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_trusts_eligibility(director, country):
    client = token_client(director)
    response = client.get("/api/v1/trusts/RHOME/eligibility/")
    assert keys(response) == [("RHOME", "2016-17", 1), ("RHOME", "2016-17", 2), ("RHOME", "2017-18", 2)]
    assert keys(client.get("/api/v1/trusts/rhome/eligibility/", {"year": "2016-17", "quarter": 2})) == [
        ("RHOME", "2016-17", 2)
    ]
    assert keys(client.get("/api/v1/trusts/RHOME/eligibility/", {"status": "partial"})) == [("RHOME", "2016-17", 2)]
    # The national view: another trust's records are readable too.
    assert keys(client.get("/api/v1/trusts/ROTHR/eligibility/")) == [("ROTHR", "2016-17", 2)]
    # The path names the trust; an org_code in the query does not change it.
    assert keys(client.get("/api/v1/trusts/RHOME/eligibility/", {"org_code": "ROTHR", "quarter": 1})) == [
        ("RHOME", "2016-17", 1)
    ]


@pytest.mark.django_db
def test_one_trusts_eligibility_as_csv_and_unknown_trust(analyst, country):
    client = token_client(analyst)
    response = client.get("/api/v1/trusts/RHOME/eligibility/", {"format": "csv"})
    assert 'filename="stf-eligibility-RHOME.csv"' in response["Content-Disposition"]
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 3
    assert client.get("/api/v1/trusts/RNONE/eligibility/").status_code == 404


@pytest.mark.django_db
def test_a_recompute_is_seen_at_once_although_answers_are_cached(analyst, country):
    client = token_client(analyst)
    params = {"org_code": "RHOME", "year": "2016-17", "quarter": 1}
    assert client.get(URL, params).json()["results"][0]["status"] == "full"
    row = country["home_q1"]
    row.status, row.earned, row.withheld = "finance_failed", Decimal("0.00"), Decimal("250000.00")
    row.computed_at = COMPUTED_AT + datetime.timedelta(seconds=1)
    row.save()
    record = client.get(URL, params).json()["results"][0]
    assert (record["status"], record["earned"], record["withheld"]) == ("finance_failed", "0.00", "250000.00")


@pytest.mark.django_db
def test_records_from_a_real_recompute_and_a_new_run_moves_the_etag(analyst, home_trust):
    """One acute trust, £1,000,000 a year, its June finance return on plan, no performance data yet.

    Q1 allocation = 1,000,000 x 25% = 250,000.00. Elements: A&E and RTT 12.5% = 31,250.00 each,
    cancer 5% = 12,500.00, finance the remainder 175,000.00. Finance met, no performance months:
    175,000.00 earned and 75,000.00 pending, nothing withheld.
    """
    AllocationFactory(trust=home_trust, stf_allocation=Decimal("1000000.00"))
    FinanceReturnFactory(trust=home_trust, month=datetime.date(2016, 6, 1),
                         plan_ytd=Decimal("-500000.00"), actual_ytd=Decimal("-400000.00"))
    recompute(scheme=scheme("2016-17"))
    client = token_client(analyst)
    params = {"org_code": "RHOME", "year": "2016-17", "quarter": 1}
    first = client.get(URL, params)
    record = first.json()["results"][0]
    assert (record["status"], record["allocation"], record["earned"], record["withheld"], record["pending"]) == (
        "pending", "250000.00", "175000.00", "0.00", "75000.00"
    )
    assert record["finance"]["met"] is True and record["finance"]["element"] == "175000.00"
    assert {m["metric"]: m["element"] for m in record["metrics"]} == {
        "ae": "31250.00", "rtt": "31250.00", "cancer62": "12500.00"
    }
    assert client.get(URL, params, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    recompute(scheme=scheme("2016-17"))  # nothing changed, but a newer recompute has finished
    assert client.get(URL, params, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
