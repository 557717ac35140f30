"""GET /api/v1/returns/finance/ and /returns/performance/: filters, and each role sees what it may.

Finance returns are a trust's own (analysts and its directors); performance returns are NHS
England's published statistics, read by everyone signed in for every trust."""
import datetime
from decimal import Decimal

import pytest

from tests.api.conftest import token_client
from tests.factories import FinanceReturnFactory, PerformanceReturnFactory

FINANCE = "/api/v1/returns/finance/"
PERFORMANCE = "/api/v1/returns/performance/"
MONTHS = [datetime.date(2016, month, 1) for month in (4, 5, 6, 7)]


@pytest.fixture
def returns(home_trust, other_trust):
    for trust in (home_trust, other_trust):
        for index, month in enumerate(MONTHS):
            FinanceReturnFactory(
                trust=trust, month=month, plan_ytd=Decimal("-100000.00") * (index + 1),
                actual_ytd=Decimal("-90000.50") * (index + 1), forecast_outturn=Decimal("-1200000.00"),
            )
            PerformanceReturnFactory(trust=trust, month=month, metric="ae", numerator=9120, denominator=10000)
            PerformanceReturnFactory(trust=trust, month=month, metric="rtt", numerator=2, denominator=3)
    # A superseded row is history, not a current return.
    FinanceReturnFactory(trust=home_trust, month=MONTHS[0], plan_ytd=Decimal("1.00"), is_current=False)


def listed(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return [(row["org_code"], row["month"], row.get("metric")) for row in response.json()["results"]]


@pytest.mark.django_db
def test_finance_return_fields(analyst, returns):
    row = token_client(analyst).get(FINANCE, {"org_code": "RHOME", "month_from": "2016-05", "month_to": "2016-05"}).json()
    assert row["count"] == 1
    record = row["results"][0]
    assert {k: record[k] for k in ("org_code", "month", "plan_ytd", "actual_ytd", "forecast_outturn")} == {
        "org_code": "RHOME", "month": "2016-05", "plan_ytd": "-200000.00", "actual_ytd": "-180001.00",
        "forecast_outturn": "-1200000.00",
    }


@pytest.mark.django_db
def test_performance_return_fields(analyst, returns):
    body = token_client(analyst).get(PERFORMANCE, {"org_code": "ROTHR", "month_from": "2016-04", "month_to": "2016-04"}).json()
    assert [(r["metric"], r["numerator"], r["denominator"], r["performance"]) for r in body["results"]] == [
        ("ae", 9120, 10000, "91.20"), ("rtt", 2, 3, "66.67"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [FINANCE, PERFORMANCE])
def test_an_analyst_sees_every_trust(analyst, returns, url):
    assert {row[0] for row in listed(token_client(analyst), url)} == {"RHOME", "ROTHR"}


@pytest.mark.django_db
def test_a_finance_director_sees_only_their_trusts_finance_returns(director, other_director, returns):
    assert {row[0] for row in listed(token_client(director), FINANCE)} == {"RHOME"}
    assert {row[0] for row in listed(token_client(other_director), FINANCE)} == {"ROTHR"}
    # Asking for another trust by name gives nothing, not its returns.
    assert listed(token_client(director), FINANCE, {"org_code": "ROTHR"}) == []


@pytest.mark.django_db
def test_a_user_without_a_role_sees_no_finance_returns(nobody, returns):
    assert listed(token_client(nobody), FINANCE) == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["director", "other_director", "nobody"])
def test_everyone_signed_in_reads_every_trusts_performance_returns(people, returns, who):
    rows = listed(token_client(people[who]), PERFORMANCE)
    # Two trusts, four months, two metrics each.
    assert len(rows) == 16
    assert {row[0] for row in rows} == {"RHOME", "ROTHR"}
    other = token_client(people[who]).get(PERFORMANCE, {"org_code": "ROTHR", "month_from": "2016-04",
                                                         "month_to": "2016-04"}).json()["results"]
    assert [(r["metric"], r["numerator"], r["denominator"], r["performance"]) for r in other] == [
        ("ae", 9120, 10000, "91.20"), ("rtt", 2, 3, "66.67")]


@pytest.mark.django_db
def test_performance_returns_need_a_signed_in_user(client, returns):
    assert client.get(PERFORMANCE).status_code == 401


@pytest.mark.django_db
def test_finance_returns_are_current_only_and_counted_right(analyst, returns):
    rows = listed(token_client(analyst), FINANCE, {"org_code": "RHOME"})
    assert rows == [("RHOME", month.strftime("%Y-%m"), None) for month in MONTHS]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, months",
    [
        ({"month_from": "2016-05"}, ["2016-05", "2016-06", "2016-07"]),
        ({"month_to": "2016-05"}, ["2016-04", "2016-05"]),
        ({"month_from": "2016-05", "month_to": "2016-06"}, ["2016-05", "2016-06"]),
        ({"month_from": "2016-07", "month_to": "2016-07"}, ["2016-07"]),
        ({"month_from": "2016-08"}, []),
    ],
)
def test_month_range(analyst, returns, params, months):
    rows = listed(token_client(analyst), FINANCE, {"org_code": "rhome", **params})
    assert [row[1] for row in rows] == months


@pytest.mark.django_db
def test_performance_metric_filter(analyst, returns):
    rows = listed(token_client(analyst), PERFORMANCE, {"org_code": "RHOME", "metric": "rtt", "month_to": "2016-05"})
    assert rows == [("RHOME", "2016-04", "rtt"), ("RHOME", "2016-05", "rtt")]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [FINANCE, PERFORMANCE])
@pytest.mark.parametrize("params", [{"month_from": "2016-13"}, {"month_to": "June"}, {"month_from": "2016-06-01"}])
def test_a_bad_month_is_a_400(analyst, url, params):
    response = token_client(analyst).get(url, params)
    assert response.status_code == 400
    assert "YYYY-MM" in str(response.json())
