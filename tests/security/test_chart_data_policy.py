"""Who reads which monthly figures, on the trust page (charts, the tables of numbers behind them,
their CSVs) and through the returns API alike:

* performance returns are NHS England's published statistics: everyone signed in reads every
  trust's;
* a trust's trajectories and finance returns are for analysts and its own finance directors only.

(The eligibility record, with the quarter's trajectory and YTD figures, is the national published
view and is not limited here.)
"""
import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.test import Client

from tests.builders import allocate, recompute
from tests.factories import FinanceReturnFactory, PerformanceReturnFactory, TrajectoryFactory

# Figures only the other trust's rows carry. A&E numerators per month; monthly trajectories whose
# quarter mean (88.13%) is none of them; April and May finance returns (June's YTD figures are the
# quarter's, published in the eligibility record).
OTHER_NUMERATORS = {4: 8111, 5: 8222, 6: 8333}  # of 10,000 attendances
OTHER_TRAJECTORIES = {4: D("87.11"), 5: D("87.12"), 6: D("90.17")}
OTHER_FINANCE = {4: D("-1234567.00"), 5: D("-2345678.00")}
TRAJECTORY_LEAKS = ("87.11", "87.12", "90.17")
FINANCE_LEAKS = ("1234567", "1,234,567", "2345678", "2,345,678")


@pytest.fixture
def returns(home_trust, other_trust):
    for trust in (home_trust, other_trust):
        allocate(trust)
        for month in (4, 5, 6):
            first = datetime.date(2016, month, 1)
            PerformanceReturnFactory(trust=trust, month=first, metric="ae",
                                     numerator=OTHER_NUMERATORS[month] if trust == other_trust else 9500,
                                     denominator=10000)
            TrajectoryFactory(trust=trust, month=first, metric="ae",
                              percent=OTHER_TRAJECTORIES[month] if trust == other_trust else D("93.00"))
            FinanceReturnFactory(trust=trust, month=first, plan_ytd=D("-300000.00"),
                                 actual_ytd=OTHER_FINANCE.get(month, D("-250000.00")) if trust == other_trust
                                 else D("-250000.00"))
    recompute("2016-17")


def web(user):
    client = Client()
    client.force_login(user)
    return client


def page(user, org_code):
    return web(user).get(f"/trusts/{org_code}/", {"year": "2016-17", "quarter": 1}).content.decode()


def chart_csv(user, org_code, chart):
    response = web(user).get(f"/trusts/{org_code}/", {"year": "2016-17", "quarter": 1, "format": "csv",
                                                      "chart": chart})
    return response.status_code, response.content.decode()


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_a_director_reads_another_trusts_performance_on_the_page_and_in_the_csv(director, returns):
    body = page(director, "ROTHR")
    for numerator in OTHER_NUMERATORS.values():
        assert f">{numerator}<" in body  # a cell of the table behind the SPC chart
    status, text = chart_csv(director, "ROTHR", "spc-ae")
    assert status == 200
    rows = csv_rows(text)
    assert [(row["Within standard"], row["Total"], row["Performance"]) for row in rows] == [
        ("8111", "10000", "81.11"), ("8222", "10000", "82.22"), ("8333", "10000", "83.33")]
    assert "Trajectory" not in rows[0]


@pytest.mark.django_db
def test_a_director_reads_performance_of_every_trust_through_the_api(director, returns):
    response = web(director).get("/api/v1/returns/performance/", {"org_code": "ROTHR", "metric": "ae"})
    assert response.status_code == 200
    assert [(row["month"], row["numerator"], row["denominator"]) for row in response.json()["results"]] == [
        ("2016-04", 8111, 10000), ("2016-05", 8222, 10000), ("2016-06", 8333, 10000)]


@pytest.mark.django_db
def test_another_trusts_trajectories_and_finance_returns_do_not_reach_a_director(director, returns):
    body = page(director, "ROTHR")
    assert not [leak for leak in TRAJECTORY_LEAKS + FINANCE_LEAKS if leak in body]
    for chart in ("spc-ae", "spc-rtt", "spc-cancer62", "waterfall"):
        status, text = chart_csv(director, "ROTHR", chart)
        assert not [leak for leak in TRAJECTORY_LEAKS + FINANCE_LEAKS if leak in text], chart
    assert chart_csv(director, "ROTHR", "finance")[0] in (403, 404)
    # Through the API neither: the finance returns list gives nothing of the other trust.
    response = web(director).get("/api/v1/returns/finance/", {"org_code": "ROTHR"})
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.django_db
def test_the_trusts_own_director_and_analysts_read_its_trajectories_and_finance_returns(
        analyst, other_director, returns):
    for user in (analyst, other_director):
        body = page(user, "ROTHR")
        assert [leak for leak in TRAJECTORY_LEAKS if leak in body], user  # the check above can see a leak
        status, text = chart_csv(user, "ROTHR", "spc-ae")
        assert [row["Trajectory"] for row in csv_rows(text)] == ["87.11", "87.12", "90.17"]
        status, text = chart_csv(user, "ROTHR", "finance")
        assert status == 200
        assert [row["YTD actual"] for row in csv_rows(text)][:2] == ["-1234567.00", "-2345678.00"]
        response = web(user).get("/api/v1/returns/finance/", {"org_code": "ROTHR"})
        assert [row["actual_ytd"] for row in response.json()["results"]][:2] == ["-1234567.00", "-2345678.00"]
