"""GET /api/v1/eligibility/ and /api/v1/trusts/{org_code}/eligibility/: records, filters, CSV, 304s."""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils.http import http_date

from finance.models import Allocation, Entitlement, FinanceReturn, RecomputeRun
from finance.services import recompute
from tests import builders
from tests.api.conftest import COMPUTED_AT, api_client, token_client
from tests.builders import allocate, quarter_with_status
from tests.factories import AllocationFactory, FinanceReturnFactory, FootprintFactory, TrustFactory, scheme

URL = "/api/v1/eligibility/"


@pytest.fixture
def country(home_trust, other_trust):
    """Three trusts, each allocated £1,000,000.00 a year, and sixteen records computed by the engine
    at COMPUTED_AT: every quarter of 2016-17 for the three, and of 2017-18 for the home trust.

    2016-17 (250,000.00 a quarter): the home trust is full in Q1 and partial in Q2 (A&E 91.20%:
    12.5% = 31,250.00 withheld); the other trust (mental health: judged on finance alone) fails
    finance in Q2 (all 250,000.00 withheld); the specialist trust has sent nothing. 2017-18 (phasing
    15/20/30/35%): the home trust is full in Q2 (20% = 200,000.00). Every other quarter has no
    returns: pending.
    """
    specialist = TrustFactory(
        org_code="RSPEC", name="Specialist NHS Foundation Trust", trust_type="specialist", region=home_trust.region,
        footprint=FootprintFactory(code="E54000011", name="South East London", region=home_trust.region),
    )
    for trust in (home_trust, other_trust, specialist):
        allocate(trust)
    allocate(home_trust, year="2017-18")
    quarter_with_status(home_trust, 1, "full")
    quarter_with_status(home_trust, 2, "partial")
    quarter_with_status(other_trust, 2, "finance_failed")
    quarter_with_status(home_trust, 2, "full", year="2017-18")
    builders.recompute("2016-17", "2017-18", at=COMPUTED_AT)
    return {"home": home_trust, "other": other_trust, "specialist": specialist}


def home(*quarters, year="2016-17"):
    return [("RHOME", year, quarter) for quarter in quarters]


# Every record in the API's order: by scheme, quarter and trust.
EVERY = [(code, "2016-17", quarter) for quarter in (1, 2, 3, 4) for code in ("RHOME", "ROTHR", "RSPEC")] + home(
    1, 2, 3, 4, year="2017-18")


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
        # Finance takes what the elements leave: 250,000 - 31,250 - 31,250 - 12,500 = 175,000.
        "finance": {"met": True, "element": "175000.00", "ytd_plan": "-500000.00", "ytd_actual": "-400000.00"},
        "metrics": [{"metric": "ae", "applicable": True, "element": "31250.00", "met": False,
                     "performance": "91.20", "trajectory": None, "standard": "95.00"},
                    {"metric": "rtt", "applicable": True, "element": "31250.00", "met": True,
                     "performance": "93.00", "trajectory": None, "standard": "92.00"},
                    {"metric": "cancer62", "applicable": True, "element": "12500.00", "met": True,
                     "performance": "90.00", "trajectory": None, "standard": "85.00"}],
        "reasons": [
            "Finance: YTD actual -£400,000.00 is on or ahead of the YTD plan -£500,000.00 at September 2016: "
            "£175,000.00 earned",
            "A&E 91.20% is below the standard 95.00% (no agreed trajectory): £31,250.00 withheld",
            "RTT 93.00% meets the standard 92.00%: £31,250.00 earned",
            "Cancer 62-day 90.00% meets the standard 85.00%: £12,500.00 earned",
        ],
        "adjustments": [],  # no adjustment on review approved for the quarter
        "scheme": "2016-17", "computed_at": "2026-11-22T10:00:00Z",
    }]
    record = body["results"][0]
    assert Decimal(record["earned"]) + Decimal(record["withheld"]) + Decimal(record["pending"]) == Decimal(record["allocation"])


@pytest.mark.django_db
def test_every_user_reads_the_national_view(director, other_director, nobody, country):
    for user in (director, other_director, nobody):
        assert token_client(user).get(URL).json()["count"] == 16


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, EVERY),
        ({"year": "2017-18"}, home(1, 2, 3, 4, year="2017-18")),
        ({"year": "2016-17", "quarter": "1"}, [("RHOME", "2016-17", 1), ("ROTHR", "2016-17", 1), ("RSPEC", "2016-17", 1)]),
        ({"quarter": "2", "year": "2016-17"}, [("RHOME", "2016-17", 2), ("ROTHR", "2016-17", 2), ("RSPEC", "2016-17", 2)]),
        ({"org_code": "ROTHR"}, [("ROTHR", "2016-17", q) for q in (1, 2, 3, 4)]),
        ({"org_code": "rothr"}, [("ROTHR", "2016-17", q) for q in (1, 2, 3, 4)]),
        ({"region": "Y54"}, [("ROTHR", "2016-17", q) for q in (1, 2, 3, 4)]),
        ({"region": "Y56", "year": "2016-17", "quarter": "2"}, [("RHOME", "2016-17", 2), ("RSPEC", "2016-17", 2)]),
        ({"footprint": "E54000011"}, [("RSPEC", "2016-17", q) for q in (1, 2, 3, 4)]),
        ({"trust_type": "specialist"}, [("RSPEC", "2016-17", q) for q in (1, 2, 3, 4)]),
        ({"trust_type": "mental_health"}, [("ROTHR", "2016-17", q) for q in (1, 2, 3, 4)]),
        ({"status": "finance_failed"}, [("ROTHR", "2016-17", 2)]),
        ({"status": "pending"}, [key for key in EVERY if key not in {
            ("RHOME", "2016-17", 1), ("RHOME", "2016-17", 2), ("ROTHR", "2016-17", 2), ("RHOME", "2017-18", 2)}]),
        ({"status": "partial"}, [("RHOME", "2016-17", 2)]),
        ({"status": "full"}, [("RHOME", "2016-17", 1), ("RHOME", "2017-18", 2)]),
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
    first = client.get(URL, {"page_size": 5}).json()
    assert first["count"] == 16 and len(first["results"]) == 5
    assert first["previous"] is None and "page=2" in first["next"]
    last = client.get(first["next"].replace("page=2", "page=4")).json()  # 5 + 5 + 5 + 1
    assert len(last["results"]) == 1 and last["next"] is None
    assert last["results"][0]["year"] == "2017-18"
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
    assert home["rtt_element"] == "31250.00" and home["reasons"].startswith("Finance: YTD actual -£400,000.00 is on")
    assert home["reasons"].count(" | ") == 3  # finance and three metrics
    other = rows[1]  # mental health: A&E does not apply, so it has no figure
    assert other["ae_applicable"] == "false" and other["ae_performance"] == "" and other["ae_element"] == "0.00"


@pytest.mark.django_db
def test_csv_is_not_paginated(analyst, country):
    response = token_client(analyst).get(URL, {"format": "csv", "page_size": 1})
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 16


@pytest.mark.django_db
def test_csv_neutralises_formula_cells(analyst, region):
    trust = TrustFactory(org_code="REVIL", name='=HYPERLINK("http://evil.example","Click")', region=region)
    allocate(trust)
    quarter_with_status(trust, 1, "full")
    builders.recompute("2016-17", at=COMPUTED_AT)
    # The engine's reasons never begin with a formula character; stored text is neutralised whatever it is.
    row = Entitlement.objects.get(trust=trust, quarter=1)
    row.detail["reasons"] = ["@SUM(A1:A9)"]
    row.save()
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
    late = TrustFactory(org_code="RLATE", region=country["home"].region)
    allocate(late)
    builders.recompute("2016-17", at=later, trust_ids=[late.pk])
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
    # A recompute that rewrites a row changes the ETag: the home trust's June return is corrected.
    FinanceReturn.objects.filter(trust=country["home"], month=datetime.date(2016, 6, 1)).update(
        actual_ytd=Decimal("-450000.00"))
    builders.recompute("2016-17", at=COMPUTED_AT + datetime.timedelta(minutes=5))
    changed = client.get(URL, {"year": "2016-17"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
def test_a_row_removed_changes_the_etag(analyst, country):
    client = token_client(analyst)
    etag = client.get(URL)["ETag"]
    Allocation.objects.filter(trust=country["specialist"]).delete()  # its four rows go with the recompute
    builders.recompute("2016-17", at=COMPUTED_AT)
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
    assert keys(response) == home(1, 2, 3, 4) + home(1, 2, 3, 4, year="2017-18")
    assert keys(client.get("/api/v1/trusts/rhome/eligibility/", {"year": "2016-17", "quarter": 2})) == [
        ("RHOME", "2016-17", 2)
    ]
    assert keys(client.get("/api/v1/trusts/RHOME/eligibility/", {"status": "partial"})) == [("RHOME", "2016-17", 2)]
    # The national view: another trust's records are readable too.
    assert keys(client.get("/api/v1/trusts/ROTHR/eligibility/")) == [("ROTHR", "2016-17", q) for q in (1, 2, 3, 4)]
    # The path names the trust; an org_code in the query does not change it.
    assert keys(client.get("/api/v1/trusts/RHOME/eligibility/", {"org_code": "ROTHR", "quarter": 1})) == [
        ("RHOME", "2016-17", 1), ("RHOME", "2017-18", 1)
    ]


@pytest.mark.django_db
def test_one_trusts_eligibility_as_csv_and_unknown_trust(analyst, country):
    client = token_client(analyst)
    response = client.get("/api/v1/trusts/RHOME/eligibility/", {"format": "csv"})
    assert 'filename="stf-eligibility-RHOME.csv"' in response["Content-Disposition"]
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 8  # 4 quarters of 2 schemes
    assert client.get("/api/v1/trusts/RNONE/eligibility/").status_code == 404


@pytest.mark.django_db
def test_a_recompute_is_seen_at_once_although_answers_are_cached(analyst, country):
    client = token_client(analyst)
    params = {"org_code": "RHOME", "year": "2016-17", "quarter": 1}
    assert client.get(URL, params).json()["results"][0]["status"] == "full"
    # June's return is corrected to £0.01 behind the plan: the recompute fails Q1's finance test.
    FinanceReturn.objects.filter(trust=country["home"], month=datetime.date(2016, 6, 1)).update(
        actual_ytd=Decimal("-500000.01"))
    builders.recompute("2016-17", at=COMPUTED_AT + datetime.timedelta(seconds=1))
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


# --- Statuses mean what they say ---------------------------------------------------------------

NIL_2016_17 = ("Not in the scheme for 2016-17: the allocation is £0.00, so there is no status and nothing is "
               "earned, withheld or pending.")


@pytest.fixture
def nil_trust(region):
    """RNIL: £0.00 for 2016-17 with every return sent (the old engine called it "full"); no allocation
    for 2017-18 or 2018-19."""
    trust = TrustFactory(org_code="RNIL", name="Nil Community NHS Trust", trust_type="community", region=region)
    allocate(trust, allocation="0.00")
    for quarter in (1, 2, 3, 4):
        quarter_with_status(trust, quarter, "full")
    builders.recompute("2016-17", at=COMPUTED_AT)
    return trust


@pytest.mark.django_db
def test_a_trust_not_in_the_scheme_is_told_so_plainly(analyst, nil_trust):
    client = token_client(analyst)
    response = client.get("/api/v1/trusts/RNIL/eligibility/", {"year": "2016-17"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 0 and body["results"] == []
    assert body["not_in_scheme"] == [
        {"org_code": "RNIL", "year": "2016-17", "allocation": "0.00", "message": NIL_2016_17}]
    # The national list filtered by the trust says the same; every year: the two with no allocation too.
    every_year = client.get(URL, {"org_code": "rnil"}).json()
    assert every_year["count"] == 0
    assert [(e["year"], e["allocation"]) for e in every_year["not_in_scheme"]] == [
        ("2016-17", "0.00"), ("2017-18", None), ("2018-19", None)]
    assert every_year["not_in_scheme"][1]["message"] == (
        "Not in the scheme for 2017-18: no allocation is recorded, so there is no status.")


@pytest.mark.django_db
def test_a_trust_in_the_scheme_and_the_national_list_have_nothing_not_in_scheme(analyst, country, nil_trust):
    client = token_client(analyst)
    home_2016 = client.get("/api/v1/trusts/RHOME/eligibility/", {"year": "2016-17"}).json()
    assert home_2016["count"] == 4 and home_2016["not_in_scheme"] == []
    national = client.get(URL, {"year": "2016-17", "quarter": 2}).json()
    assert national["not_in_scheme"] == []
    # RNIL is not among the records, nor among the statuses counted by filter.
    assert "RNIL" not in {r["org_code"] for r in national["results"]}
    assert client.get(URL, {"year": "2016-17", "status": "full"}).json()["count"] == 1  # RHOME's Q1 only
    rows = list(csv.DictReader(io.StringIO(client.get(URL, {"year": "2016-17", "format": "csv"}).content.decode())))
    assert "RNIL" not in {row["org_code"] for row in rows}


@pytest.mark.django_db
def test_no_control_total_ahead_of_plan_has_finance_met_null(analyst, home_trust):
    allocate(home_trust, accepted=False)
    quarter_with_status(home_trust, 2, "full")  # YTD -£400,000.00 against a plan of -£500,000.00
    builders.recompute("2016-17", at=COMPUTED_AT)
    record = token_client(analyst).get(URL, {"org_code": "RHOME", "quarter": 2}).json()["results"][0]
    assert record["status"] == "no_control_total"
    assert record["finance"] == {"met": None, "element": "175000.00", "ytd_plan": "-500000.00",
                                 "ytd_actual": "-400000.00"}
    assert (record["earned"], record["withheld"]) == ("0.00", "250000.00")
    row = next(csv.DictReader(io.StringIO(token_client(analyst).get(
        URL, {"org_code": "RHOME", "quarter": 2, "format": "csv"}).content.decode())))
    assert row["finance_met"] == ""
