"""The year-end page, the trust page's year-end line and the year-end API, on hand-worked countries."""
import csv
import io
from decimal import Decimal as D

import pytest
from django.test import Client

from finance.models import Entitlement, FinanceReturn, Scheme, YearEndAward
from tests.api.conftest import token_client
from tests.builders import allocate, country, quarter_months, recompute, returns
from tests.factories import PerformanceReturnFactory, TrustFactory
from trusts.models import Trust

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def decided_2016_17():
    """Three trusts, RYA, RYB, RYC (£1,000,000.00 each, control total -£500,000.00):
    RYA beats it by £120,000.50 at March 2017, RYB ends on it, RYC fails finance in Q3 and Q4
    (£500,000.00 withheld) and ends below it."""
    trusts = country(3)
    for trust, code in zip(trusts, ("RYA", "RYB", "RYC")):
        trust.org_code = code
        trust.save()
    march, december = quarter_months(4)[-1], quarter_months(3)[-1]
    FinanceReturn.objects.filter(trust=trusts[0], month=march).update(actual_ytd=D("-379999.50"))
    FinanceReturn.objects.filter(trust=trusts[1], month=march).update(actual_ytd=D("-500000.00"))
    FinanceReturn.objects.filter(trust=trusts[2], month=december).update(actual_ytd=D("-600000.00"))
    FinanceReturn.objects.filter(trust=trusts[2], month=march).update(actual_ytd=D("-500000.01"))
    recompute("2016-17")
    return trusts


# Pool = 1,800,000,000.00 - 3,000,000.00 + 500,000.00 = 1,797,500,000.00; RYA's incentive 120,000.50;
# the bonus 1,797,379,999.50 shared equally by RYA and RYB: 898,689,999.75 each.
EXPECTED_2016_17 = {
    "RYA": (True, "120000.50", "898689999.75", "0.00", "898810000.25"),
    "RYB": (True, "0.00", "898689999.75", "0.00", "898689999.75"),
    "RYC": (False, "0.00", "0.00", "0.00", "0.00"),
}


def test_the_page_reconciles_the_country_to_the_pot(decided_2016_17, analyst):
    response = logged_in(analyst).get("/year-end/", {"year": "2016-17"})
    assert response.status_code == 200
    national = response.context["national"]
    # Earned: 3 × 1,000,000.00 allocated, less RYC's Q3 and Q4 withheld (500,000.00) = 2,500,000.00.
    assert national["earned"] == D("2500000.00") and national["withheld"] == D("500000.00")
    assert national["pool"] == D("1797500000.00")
    assert national["incentives"] == D("120000.50") and national["bonus"] == D("1797379999.50")
    assert national["check"] == national["pot"] == D("1800000000.00") and national["reconciles"]
    html = response.content.decode()
    assert "£1,797,500,000.00" in html and "Check: earned £2,500,000.00 + awarded £1,797,500,000.00" in html
    assert "equals the pot £1,800,000,000.00" in html
    assert [row["org_code"] for row in response.context["rows"]] == ["RYA", "RYB", "RYC"]
    # The page writes the negative control total with a true minus sign, kept whole.
    assert ('Beat the control total <span class="money">−£500,000.00</span> by £120,000.50: '
            "incentive £120,000.50") in html
    assert 'href="/year-end/"' in html  # the nav link


def test_the_csv_has_every_trusts_record(decided_2016_17, director):
    response = logged_in(director).get("/year-end/", {"year": "2016-17", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["Code", "Trust", "Region", "Footprint", "Year", "Method", "Eligible", "Incentive", "Bonus",
                             "Distribution", "Total", "Reasons"]
    assert {r["Code"]: (r["Eligible"] == "Yes", r["Incentive"], r["Bonus"], r["Distribution"], r["Total"])
            for r in rows} == EXPECTED_2016_17
    assert all(r["Method"] == "Incentive (£1 for £1) and bonus pro rata to allocation" and r["Year"] == "2016-17"
               for r in rows)  # the method in words
    assert rows[2]["Reasons"].startswith("Not eligible: the year-end actual -£500,000.01 is below")
    assert " | " not in rows[2]["Reasons"]


def test_footprint_totals_have_a_no_footprint_line_and_add_up_to_the_nation(decided_2016_17, analyst):
    # RYC (0.00 awarded) moves out of its footprint, as an ambulance trust is in none.
    Trust.objects.filter(org_code="RYC").update(footprint=None)
    response = logged_in(analyst).get("/year-end/", {"year": "2016-17", "format": "csv", "table": "footprints"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["Footprint", "Code", "Trusts", "Eligible", "Incentive", "Bonus", "Distribution", "Total"]
    assert (rows[-1]["Footprint"], rows[-1]["Code"], rows[-1]["Trusts"], rows[-1]["Total"]) == ("No footprint", "", "1",
                                                                                                 "0.00")
    # 898,810,000.25 + 898,689,999.75 + 0.00 = 1,797,500,000.00, every trust counted once.
    assert sum(D(r["Total"]) for r in rows) == D("1797500000.00") and sum(int(r["Trusts"]) for r in rows) == 3
    page = logged_in(analyst).get("/year-end/", {"year": "2016-17"})
    assert [a["name"] for a in page.context["footprints"]][-1] == "No footprint"


def test_region_totals_add_the_trusts_lines(decided_2016_17, analyst):
    response = logged_in(analyst).get("/year-end/", {"year": "2016-17", "format": "csv", "table": "regions"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # 898,810,000.25 + 898,689,999.75 + 0.00 = 1,797,500,000.00 over the regions
    assert sum(D(r["Total"]) for r in rows) == D("1797500000.00")
    assert sum(int(r["Trusts"]) for r in rows) == 3 and sum(int(r["Eligible"]) for r in rows) == 2
    assert logged_in(analyst).get("/year-end/", {"year": "2016-17", "format": "csv", "table": "x"}).status_code == 404


def test_the_page_sorts_by_a_column_without_script(decided_2016_17, analyst):
    response = logged_in(analyst).get("/year-end/", {"year": "2016-17", "sort": "total", "dir": "desc"})
    assert [row["org_code"] for row in response.context["rows"]] == ["RYA", "RYB", "RYC"]
    response = logged_in(analyst).get("/year-end/", {"year": "2016-17", "sort": "total", "dir": "asc"})
    assert [row["org_code"] for row in response.context["rows"]] == ["RYC", "RYB", "RYA"]


def test_the_trust_page_shows_its_own_line(decided_2016_17, analyst):
    html = logged_in(analyst).get("/trusts/RYA/", {"year": "2016-17"}).content.decode()
    assert 'id="trust-year-end"' in html and "£898,810,000.25" in html
    assert "Bonus pro rata to the allocation £1,000,000.00: £898,689,999.75" in html


@pytest.fixture
def distribution_2017_18():
    """2017-18 (general distribution): RZA ends on its control total (-£500,000.00: weight 1), RZB
    £250,000.00 short at March 2018 (25% of its £1,000,000.00 allocation: weight 0.75) and fails
    finance in Q4 (35% phasing: £350,000.00 withheld); RZC did not accept its control total
    (£1,000,000.00 withheld)."""
    made = []
    for code, accepted in (("RZA", True), ("RZB", True), ("RZC", False)):
        trust = TrustFactory(org_code=code)
        allocate(trust, year="2017-18", accepted=accepted)
        for quarter in (1, 2, 3, 4):
            actual = D("-750000.00") if (code == "RZB" and quarter == 4) else (
                D("-500000.00") if quarter == 4 else D("-400000.00"))
            returns(trust, quarter, year="2017-18", actual=actual)
        made.append(trust)
    recompute("2017-18")
    return made


def test_the_general_distribution_by_hand(distribution_2017_18, analyst):
    # Pool = 1,800,000,000.00 - 3,000,000.00 + 1,350,000.00 = 1,798,350,000.00, shared 1,000,000 : 750,000
    # (4 : 3) in pennies: RZA 102,762,857,142.857..., RZB 77,072,142,857.142...; the leftover penny
    # to RZA's larger remainder: RZA £1,027,628,571.43, RZB £770,721,428.57 (sum = the pool).
    awards = {a.trust.org_code: a for a in YearEndAward.objects.select_related("trust")}
    assert awards["RZA"].general_distribution == D("1027628571.43")
    assert awards["RZB"].general_distribution == D("770721428.57")
    assert awards["RZC"].general_distribution == D("0.00") and not awards["RZC"].eligible
    assert all(a.incentive == 0 and a.bonus == 0 for a in awards.values())
    earned = sum(Entitlement.objects.filter(scheme__code="2017-18").values_list("earned", flat=True))
    assert earned == D("1650000.00")
    assert earned + sum(a.total for a in awards.values()) == D("1800000000.00")
    body = token_client(analyst).get("/api/v1/year-end/", {"year": "2017-18"}).json()
    assert (body["state"], body["method"], body["decided"]) == ("decided", "general_distribution", True)
    assert body["national"]["pool"] == "1798350000.00" and body["national"]["general_distribution"] == "1798350000.00"
    assert body["national"]["reconciles"] is True and body["national"]["check"] == "1800000000.00"
    rzb = next(r for r in body["results"] if r["org_code"] == "RZB")
    assert rzb["total"] == "770721428.57" and rzb["reasons"] == [
        "Finished £250,000.00 short of its control total -£500,000.00, 25.00% of its allocation: weight 0.75 of "
        "£1,000,000.00 allocation; £770,721,428.57 of the £1,798,350,000.00 distribution"]
    html = logged_in(analyst).get("/year-end/", {"year": "2017-18"}).content.decode()
    assert "£770,721,428.57" in html and "General distribution on a sliding scale" in html


def test_the_api_answers_json_and_csv(decided_2016_17, director):
    client = token_client(director)
    body = client.get("/api/v1/year-end/", {"year": "2016-17"}).json()
    assert (body["year"], body["state"], body["decided"], body["count"]) == ("2016-17", "decided", True, 3)
    assert {r["org_code"]: (r["eligible"], r["incentive"], r["bonus"], r["general_distribution"], r["total"])
            for r in body["results"]} == EXPECTED_2016_17
    assert set(body["results"][0]) == {"org_code", "trust_name", "year", "method", "eligible", "incentive", "bonus",
                                       "general_distribution", "total", "reasons"}
    assert body["national"]["pool"] == "1797500000.00" and body["waits"] == []
    response = client.get("/api/v1/year-end/", {"year": "2016-17", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["total"] for r in rows] == ["898810000.25", "898689999.75", "0.00"]
    assert client.get("/api/v1/year-end/").status_code == 400
    assert "2016-17" in client.get("/api/v1/year-end/", {"year": "2016"}).json()["year"][0]
    unknown = client.get("/api/v1/year-end/", {"year": "2031-32"})
    assert unknown.status_code == 400 and unknown.json()["year"][0].startswith("No STF scheme for 2031-32")
    assert Client().get("/api/v1/year-end/", {"year": "2016-17"}).status_code == 401


def test_a_pending_quarter_says_which_trusts_wait_for_which_months(analyst):
    waiting = TrustFactory(org_code="RWA")
    allocate(waiting)
    for quarter in (1, 2, 3):
        returns(waiting, quarter)
    # Q4: the March finance return has not arrived and A&E lacks February 2017 (January and March in).
    returns(waiting, 4, finance=False, performance={"ae": None})
    for month in (quarter_months(4)[0], quarter_months(4)[2]):
        PerformanceReturnFactory(trust=waiting, month=month, metric="ae", numerator=96, denominator=100)
    ready = TrustFactory(org_code="RWB")
    allocate(ready)
    for quarter in (1, 2, 3, 4):
        returns(ready, quarter)
    recompute("2016-17")
    assert not YearEndAward.objects.exists()
    body = token_client(analyst).get("/api/v1/year-end/", {"year": "2016-17"}).json()
    assert (body["state"], body["decided"], body["results"]) == ("waiting", False, [])
    assert body["message"] == "Waits for 1 trust: RWA (finance Mar 2017; A&E Feb 2017)."
    assert body["waits"] == [{"org_code": "RWA", "trust_name": waiting.name, "quarters_computed": 4,
                              "missing": {"finance": ["2017-03"], "ae": ["2017-02"]}, "pending": "250000.00"}]
    assert body["national"]["pool"] is None and body["national"]["pending"] == "250000.00"
    html = logged_in(analyst).get("/year-end/", {"year": "2016-17"}).content.decode()
    assert "Waits for 1 trust: RWA (finance Mar 2017; A&amp;E Feb 2017)." in html
    assert 'id="year-end-waits"' in html and "Finance: Mar 2017; A&amp;E: Feb 2017" in html
    trust_page = logged_in(analyst).get("/trusts/RWA/", {"year": "2016-17"}).content.decode()
    assert "This trust's year end waits for: Finance Mar 2017; A&amp;E Feb 2017 (£250,000.00 pending)." in trust_page


def test_a_negative_pool_is_refused_and_nothing_is_stored(decided_2016_17, analyst):
    # Pot 2,000,000.00: pool = 2,000,000.00 - 3,000,000.00 + 500,000.00 = -500,000.00.
    Scheme.objects.filter(code="2016-17").update(pot=D("2000000.00"))
    recompute("2016-17")
    assert not YearEndAward.objects.exists()
    body = token_client(analyst).get("/api/v1/year-end/", {"year": "2016-17"}).json()
    assert (body["state"], body["decided"], body["count"]) == ("refused", False, 0)
    assert body["message"] == ("The pool is negative (-£500,000.00): the allocations exceed the pot by more than "
                               "was withheld; nothing is awarded.")
    html = logged_in(analyst).get("/year-end/", {"year": "2016-17"}).content.decode()
    assert 'role="alert" id="year-end-message">The pool is negative (<span class="money">−£500,000.00</span>)' in html


def test_a_scheme_without_a_year_end_says_so(analyst):
    Scheme.objects.filter(code="2018-19").update(year_end_method="none")
    trust = TrustFactory(org_code="RNA")
    allocate(trust, year="2018-19")
    recompute("2018-19")
    body = token_client(analyst).get("/api/v1/year-end/", {"year": "2018-19"}).json()
    assert (body["state"], body["method"], body["count"]) == ("none", "none", 0)
    assert body["message"] == "2018-19 has no year end: nothing is shared out after the quarters."
    html = logged_in(analyst).get("/year-end/", {"year": "2018-19"}).content.decode()
    assert "No year end" in html and "2018-19 has no year end" in html
    assert logged_in(analyst).get("/year-end/", {"year": "2040-41"}).status_code == 404
