"""The pages say what the statuses mean: a metric that decided nothing is "not judged" in the Tests
table (no tick, no money), and a trust with a £0.00 allocation is "not in the scheme": no status,
not in any count, summary, league, persistently failing list or year end.

Figures (tests/builders.py): £1,000,000.00 a year is £250,000.00 a quarter in 2016-17; A&E's
element is 12.5% of it, £31,250.00; the finance return is £100,000.00 ahead of plan.
"""
import datetime
from decimal import Decimal as D

import pytest
from django.test import Client

from finance.models import Entitlement
from stftracker.dashboards.tables import NOT_JUDGED, quarter_tests
from tests import builders
from tests.builders import allocate, quarter_with_status
from tests.factories import TrustFactory

COMPUTED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)
NIL_MESSAGE = ("Not in the scheme for 2016-17: the allocation is £0.00, so there is no status and nothing is "
               "earned, withheld or pending.")


def stored(status, *, finance_met, ae_met=True):
    """A stored quarter as the trust page reads it (tidy row), with A&E applicable at 96.00%."""
    return {"status": status, "ytd_plan": D("-500000.00"), "ytd_actual": D("-400000.00"),
            "finance": {"met": finance_met, "element": "175000.00"},
            "metrics": [{"metric": "ae", "applicable": True, "element": "31250.00", "met": ae_met,
                         "performance": "96.00", "trajectory": None, "standard": "95.00"},
                        {"metric": "rtt", "applicable": False, "element": "0.00", "met": None,
                         "performance": None, "trajectory": None, "standard": "92.00"}]}


def cells(rows):
    return [(r["test"], r["met"]["kind"], r["met"]["text"], r["element"]) for r in rows]


# --- The Tests table, pure ------------------------------------------------------------------------

def test_no_control_total_judges_nothing():
    assert cells(quarter_tests(stored("no_control_total", finance_met=None))) == [
        ("finance", "not_judged", "Not judged: no control total was accepted, the whole quarter is withheld", None),
        ("ae", "not_judged", "Not judged: no control total was accepted, the whole quarter is withheld", None),
    ]


def test_finance_failed_shows_the_failed_test_and_metrics_not_judged():
    assert cells(quarter_tests(stored("finance_failed", finance_met=False))) == [
        ("finance", "fail", "No", "175000.00"),
        ("ae", "not_judged", "Not judged: finance not met, the whole quarter is withheld", None),
    ]


def test_a_missing_finance_return_leaves_the_metrics_unjudged_for_now():
    assert cells(quarter_tests(stored("pending", finance_met=None))) == [
        ("finance", "pending", "Pending: the finance return has not arrived", "175000.00"),
        ("ae", "not_judged", NOT_JUDGED["finance_pending"], None),
    ]


def test_finance_met_lets_each_metric_decide_its_element():
    assert cells(quarter_tests(stored("partial", finance_met=True, ae_met=False))) == [
        ("finance", "ok", "Yes", "175000.00"), ("ae", "fail", "No", "31250.00")]
    # A metric pending while finance is met: its own element pending.
    assert cells(quarter_tests(stored("pending", finance_met=True, ae_met=None))) == [
        ("finance", "ok", "Yes", "175000.00"), ("ae", "pending", "Pending", "31250.00")]


# --- The pages --------------------------------------------------------------------------------------

@pytest.fixture
def analyst_client(analyst):
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def refused_and_nil(db):
    """RNCT refused its control total but sent returns meeting every test in Q1-Q4 (A&E 96%);
    RNIL has £0.00 for 2016-17 and sent returns too, failing finance in Q2-Q4 (the old engine put
    it at the head of the persistently failing list); RFUL is full every quarter."""
    refused = TrustFactory(org_code="RNCT", name="Refused Hospitals NHS Trust")
    nil = TrustFactory(org_code="RNIL", name="Nil Hospitals NHS Trust", region=refused.region,
                       footprint=refused.footprint)
    full = TrustFactory(org_code="RFUL", name="Full Hospitals NHS Trust", region=refused.region,
                        footprint=refused.footprint)
    allocate(refused, accepted=False)
    allocate(nil, allocation="0.00")
    allocate(full)
    for quarter in (1, 2, 3, 4):
        quarter_with_status(refused, quarter, "full")
        quarter_with_status(nil, quarter, "full" if quarter == 1 else "finance_failed")
        quarter_with_status(full, quarter, "full")
    builders.recompute("2016-17", at=COMPUTED_AT)
    return {"refused": refused, "nil": nil, "full": full}


@pytest.mark.django_db
def test_the_tests_table_says_a_metric_decided_nothing(analyst_client, refused_and_nil):
    html = analyst_client.get("/trusts/RNCT/?year=2016-17&quarter=2").content.decode()
    table = html[html.index("<caption>Tests of"):html.index("</table>", html.index("<caption>Tests of"))]
    # A&E 96.00% meets the standard, but with no control total it decides nothing: no tick, no £31,250.00.
    assert "✓" not in table and "£31,250.00" not in table and "£175,000.00" not in table
    assert table.count("Not judged: no control total was accepted, the whole quarter is withheld") == 4  # finance, 3 metrics
    assert "96.00%" in table  # the figures are still shown


@pytest.mark.django_db
def test_the_trust_page_of_a_trust_not_in_the_scheme_says_so(analyst_client, refused_and_nil):
    response = analyst_client.get("/trusts/RNIL/?year=2016-17&quarter=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["stored"] is None and response.context["year_rows"] == []
    assert response.context["not_in_scheme"] == NIL_MESSAGE
    assert html.count(NIL_MESSAGE) == 2  # the entitlement and the reasons
    assert "Status:" not in html and "£0.00 is withheld" not in html
    # A trust in the scheme says nothing of the kind.
    assert analyst_client.get("/trusts/RFUL/?year=2016-17&quarter=2").context["not_in_scheme"] is None


@pytest.mark.django_db
def test_a_trust_not_in_the_scheme_is_counted_nowhere(analyst_client, refused_and_nil):
    assert not Entitlement.objects.filter(trust=refused_and_nil["nil"]).exists()
    response = analyst_client.get("/?year=2016-17&quarter=4")
    headline = response.context["headline"]
    # RNCT withheld £250,000.00, RFUL earned £250,000.00; RNIL is no trust of the scheme.
    assert headline["trusts"] == 2
    assert dict(headline["by_status"]) == {"full": 1, "partial": 0, "finance_failed": 0, "no_control_total": 1,
                                           "pending": 0}
    assert (headline["allocation"], headline["earned"], headline["withheld"]) == (
        D("500000.00"), D("250000.00"), D("250000.00"))
    assert "RNIL" not in {row["org_code"] for row in response.context["league"]}
    assert response.context["failing"] == []  # RNIL "failed" finance in Q2-Q4 on £0.00: not a failing trust
    region = analyst_client.get("/regions/?year=2016-17&quarter=4").context["table"].rows
    mine = next(r for r in region if r["code"] == refused_and_nil["nil"].region.code)
    assert mine["trusts"] == 2 and mine["n_finance_failed"] == 0
    footprint = refused_and_nil["nil"].footprint
    assert analyst_client.get(f"/footprints/{footprint.code}/?year=2016-17&quarter=4").context["headline"][
        "trusts"] == 2
