"""Every input of a trust-quarter, changed by any path, brings its figures up to date without anyone
asking (RULES.md, "What a result depends on"), and the pages and the API say when they are not yet.

The trust is acute and takes part in 2017-18 and 2018-19 with £1,000,000.00 a year, its control
total accepted and its 2018-19 Q1 finance return ahead of plan. 2018-19 judges A&E alone (30% of
the quarter) against 90%, or against the same quarter of 2017-18 (the comparison scheme); Q1 is 15%
of the year: £150,000.00, its A&E element £45,000.00 and finance the remaining £105,000.00.
"""
from decimal import Decimal as D

import pytest
from django.test import override_settings

from finance import dependencies, services
from finance.models import Entitlement, InputChange, RecomputeRun
from finance.selectors import staleness
from stftracker.intake.importing import ingest
from tests.admin_forms import change_in_admin
from tests.api.conftest import token_client
from tests.builders import allocate, finance_return
from tests.factories import TrustFactory, scheme

HEADER = "org_code,period,metric,numerator,denominator\n"
FULL = ("full", D("150000.00"), D("150000.00"), D("0.00"), D("0.00"))  # status, allocation, earned, withheld, pending
PARTIAL = ("partial", D("150000.00"), D("105000.00"), D("45000.00"), D("0.00"))  # A&E's 30% withheld


def performance_csv(code, rows):
    """A performance file: (period, numerator, denominator) of A&E per row."""
    return (HEADER + "".join(f"{code},{period},ae,{num},{den}\n" for period, num, den in rows)).encode()


@pytest.fixture
def trust(analyst, django_capture_on_commit_callbacks):
    # Written as one committed transaction that queues no run of its own; then recomputed in full.
    with django_capture_on_commit_callbacks(execute=True), dependencies.deferred():
        trust = TrustFactory(org_code="RDP", name="Dependent Hospitals NHS Trust", trust_type="acute")
        for year in ("2017-18", "2018-19"):
            allocate(trust, year=year)
        finance_return(trust, 1, year="2018-19")  # YTD -400,000.00 against the plan -500,000.00
    services.recompute()  # the starting point is current
    assert staleness() is None
    return trust


@pytest.fixture
def upload(analyst, django_capture_on_commit_callbacks):
    """Upload a file as the analyst; its recompute runs when the upload commits (as on the worker)."""
    def upload(name, data):
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(data=data, file_name=name, user=analyst)
        assert result.ok, result.errors
        return result
    return upload


def q1(trust, year="2018-19"):
    row = Entitlement.objects.get(trust=trust, scheme__code=year, quarter=1)
    return (row.status, row.allocation, row.earned, row.withheld, row.pending), row.detail.get("reasons", [])


def from_scratch():
    """Every stored figure, then the same recomputed with nothing stored: they must be equal."""
    fields = ("trust_id", "scheme_id", "quarter", "status", "allocation", "earned", "withheld", "pending",
              "finance_met", "detail", "fingerprint")
    stored = sorted(Entitlement.objects.values_list(*fields))
    Entitlement.objects.all().delete()
    services.recompute()
    return stored, sorted(Entitlement.objects.values_list(*fields))


# --- The comparison year's quarter -----------------------------------------------------------------

@pytest.mark.django_db
def test_a_correction_of_the_comparison_year_reaches_the_year_that_compares_with_it(trust, upload):
    april_to_june = ("04", "05", "06")
    upload("ae-2017.csv", performance_csv("RDP", [(f"2017-{m}", 800, 1000) for m in april_to_june]))
    upload("ae-2018.csv", performance_csv("RDP", [(f"2018-{m}", 850, 1000) for m in april_to_june]))
    money, reasons = q1(trust)
    assert money == FULL  # 85.00% is below 90% but beats 80.00% in 2017-18 Q1
    assert any("85.00%" in reason and "80.00%" in reason for reason in reasons), reasons

    # 2017-18 Q1 corrected to 86%: an upload of 2017-18 months only.
    corrected = upload("ae-2017-v2.csv", performance_csv("RDP", [(f"2017-{m}", 860, 1000) for m in april_to_june]))
    money, reasons = q1(trust)
    assert money == PARTIAL  # 85.00% neither reaches 90% nor beats 86.00%: £45,000.00 withheld
    assert any("86.00%" in reason for reason in reasons) and not any("80.00%" in reason for reason in reasons)
    # The upload's own run did it: it resolved the 2018-19 change as well as the 2017-18 one.
    resolved = set(corrected.run.resolved_changes.values_list("scheme__code", "trust_id"))
    assert resolved == {("2017-18", trust.pk), ("2018-19", trust.pk)}
    assert staleness() is None
    stored, recomputed = from_scratch()
    assert stored == recomputed


@pytest.mark.django_db
def test_a_comparison_month_that_arrives_later_completes_the_comparison_quarter(trust, upload):
    upload("ae-2017.csv", performance_csv("RDP", [("2017-04", 800, 1000), ("2017-05", 800, 1000)]))
    upload("ae-2018.csv", performance_csv("RDP", [(f"2018-{m}", 850, 1000) for m in ("04", "05", "06")]))
    money, _ = q1(trust)
    assert money == PARTIAL  # June 2017 missing: no comparison, 85.00% is judged against 90% alone

    # June 2017 arrives as 0 of 0: the quarter is complete, (800 + 800 + 0) / (1,000 + 1,000 + 0) = 80.00%.
    upload("ae-2017-june.csv", performance_csv("RDP", [("2017-06", 0, 0)]))
    money, _ = q1(trust)
    assert money == FULL
    stored, recomputed = from_scratch()
    assert stored == recomputed  # the fingerprint knows which comparison months are present


# --- Admin edits -----------------------------------------------------------------------------------

@pytest.fixture
def at_89_5(trust, upload):
    """2018-19 Q1 A&E at 89.50%, with no 2017-18 figures: below 90%, partial."""
    upload("ae-2018.csv", performance_csv("RDP", [(f"2018-{m}", 895, 1000) for m in ("04", "05", "06")]))
    assert q1(trust)[0] == PARTIAL
    return trust


@pytest.mark.django_db
def test_a_scheme_threshold_edited_in_the_admin_changes_the_figures(client, admin_user_, at_89_5,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(client, admin_user_, scheme("2018-19"), standards='{"ae": "89"}')
    money, reasons = q1(at_89_5)
    assert money == FULL  # 89.50% reaches the new 89%
    assert any("89.50%" in reason and "89.00%" in reason for reason in reasons), reasons
    assert staleness() is None
    run = RecomputeRun.objects.latest("id")
    assert (run.trigger, run.catch_up, run.state) == ("change", True, "done")


@pytest.mark.django_db
def test_an_allocation_edited_in_the_admin_changes_the_figures(client, admin_user_, at_89_5,
                                                                django_capture_on_commit_callbacks):
    allocation = at_89_5.allocations.get(scheme__code="2018-19")
    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(client, admin_user_, allocation, stf_allocation="2000000.01")
    # Q1 = 2,000,000.01 x 15% = 300,000.0015 -> 300,000.00; A&E 30% = 90,000.00 withheld.
    assert q1(at_89_5)[0] == ("partial", D("300000.00"), D("210000.00"), D("90000.00"), D("0.00"))
    q4 = Entitlement.objects.get(trust=at_89_5, scheme__code="2018-19", quarter=4)
    # Q4 takes the remainder: 2,000,000.01 - 300,000.00 - 400,000.00 - 600,000.00 = 700,000.01.
    assert (q4.allocation, q4.pending) == (D("700000.01"), D("700000.01"))


@pytest.mark.django_db
def test_a_trust_type_edited_in_the_admin_changes_the_figures(client, admin_user_, at_89_5,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(client, admin_user_, at_89_5, trust_type="community")
    # A community trust is judged on finance alone in 2018-19: ahead of plan, the whole £150,000.00.
    assert q1(at_89_5)[0] == FULL
    assert staleness() is None


# --- In between: the worker is stopped -------------------------------------------------------------

@pytest.mark.django_db
def test_pages_and_the_api_say_the_figures_are_out_of_date_until_the_recompute_runs(
    client, admin_user_, analyst, at_89_5, django_capture_on_commit_callbacks
):
    api = token_client(analyst)
    url = "/api/v1/eligibility/?year=2018-19&quarter=1"
    before = api.get(url)
    assert before["Figures-Status"] == "current"
    page = "/trusts/RDP/?year=2018-19&quarter=1"
    client.force_login(analyst)
    assert "These figures are" not in client.get(page).content.decode()

    # The edit is saved, its recompute queued, but no worker takes it (the callbacks are not run).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        change_in_admin(client, admin_user_, scheme("2018-19"), standards='{"ae": "89"}')
    assert len(queued) == 1  # one recompute sent on commit, for the whole edit
    client.force_login(analyst)
    html = client.get(page).content.decode()
    assert "These figures are being recomputed." in html
    assert "Recompute now" in html  # the analyst's action
    stale = api.get(url)
    assert stale["Figures-Status"].startswith('stale; since="') and stale["Figures-Status"].endswith("changes=1")
    assert stale["ETag"] != before["ETag"]  # a client holding the current answer is told it changed
    assert stale.json()["results"][0]["status"] == "partial"  # still the figures computed before the edit
    # A scheme edit changes the figures of every trust in it, not only this one's.
    other = TrustFactory(org_code="ROT", name="Other Hospitals NHS Trust")
    assert staleness(trust=other) is not None

    # Past the requeue delay with the recompute still not done: out of date since the edit, recompute queued.
    with override_settings(RECOMPUTE_REQUEUE_AFTER=0):
        html = client.get(page).content.decode()
        assert "These figures are out of date since" in html and "recompute queued." in html
        assert api.get(url)["Figures-Status"].startswith("stale-delayed; ")

    queued[0]()  # the worker is back: the queued run catches up
    assert api.get(url)["Figures-Status"] == "current"
    assert "These figures are" not in client.get(page).content.decode()
    assert q1(at_89_5)[0] == FULL
    change = InputChange.objects.get(source="finance.scheme")
    assert change.resolved_at is not None


@pytest.mark.django_db
def test_a_change_for_one_trust_leaves_another_trusts_page_current(analyst, client, trust, upload,
                                                                   django_capture_on_commit_callbacks):
    other = TrustFactory(org_code="ROT", name="Other Hospitals NHS Trust")
    services.recompute()  # both trusts current
    assert staleness() is None
    with django_capture_on_commit_callbacks(execute=False):
        ingest(data=performance_csv("RDP", [("2018-04", 900, 1000)]), file_name="ae.csv", user=analyst)
    client.force_login(analyst)
    assert "These figures are being recomputed." in client.get("/trusts/RDP/").content.decode()
    assert "These figures are" not in client.get(f"/trusts/{other.org_code}/").content.decode()
    assert "These figures are being recomputed." in client.get("/").content.decode()  # the country includes RDP


# --- Recompute now ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_analyst_recomputes_now_and_follows_the_progress(client, analyst, trust, director,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        ingest(data=performance_csv("RDP", [(f"2018-{m}", 950, 1000) for m in ("04", "05", "06")]),
               file_name="ae.csv", user=analyst)
    assert staleness() is not None
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/recompute/")
    run = RecomputeRun.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/recompute/{run.pk}/"
    assert (run.trigger, run.scheme_id, run.trust_ids, run.state) == ("manual", None, None, "done")
    html = client.get(response["Location"]).content.decode()
    assert "<strong>Done</strong>" in html and "The figures include every input." in html
    assert 'http-equiv="refresh"' not in html  # finished: the page stops refreshing itself
    assert staleness() is None and q1(trust)[0] == FULL  # 95.00% reaches 90%

    # While a run asked for by hand is under way, asking again shows it rather than queueing another.
    runs = RecomputeRun.objects.count()
    waiting = RecomputeRun.objects.create(trigger="manual", state="running", progress_done=3, progress_total=8)
    response = client.post("/recompute/")
    assert response["Location"] == f"/recompute/{waiting.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "3 of 8 trusts" in html and 'http-equiv="refresh"' in html and 'value="38"' in html  # 3/8 = 37.5% -> 38
    assert RecomputeRun.objects.count() == runs + 1  # the one made here, none by the second post

    client.force_login(director)
    assert client.post("/recompute/").status_code == 403
    assert client.get(f"/recompute/{run.pk}/").status_code == 403


# --- Any order of the same uploads -----------------------------------------------------------------

def finance_csv(code, rows):
    return ("org_code,period,plan_ytd,actual_ytd,forecast_outturn\n"
            + "".join(f"{code},{period},{plan},{actual},-1000000\n" for period, plan, actual in rows)).encode()


UPLOADS = {
    "ae-2017": performance_csv("RDP", [("2017-04", 800, 1000), ("2017-05", 800, 1000)])
    + performance_csv("ROT", [(f"2017-{m}", 870, 1000) for m in ("04", "05", "06")])[len(HEADER):],
    "ae-2017-june": performance_csv("RDP", [("2017-06", 0, 0)]),
    "ae-2017-corrected": performance_csv("RDP", [("2017-04", 860, 1000), ("2017-05", 860, 1000)]),
    "ae-2018": performance_csv("RDP", [(f"2018-{m}", 850, 1000) for m in ("04", "05", "06")])
    + performance_csv("ROT", [(f"2018-{m}", 880, 1000) for m in ("04", "05", "06")])[len(HEADER):],
    "finance-rot": finance_csv("ROT", [("2018-06", -300000, -310000), ("2018-09", -500000, -450000)]),
    "plans-2018-19": b"org_code,year,stf_allocation,control_total,control_total_accepted\n"
                     b"ROT,2018-19,750000.03,-500000,yes\nRDP,2018-19,1000000.01,-500000,yes\n",
}


@pytest.mark.django_db
def test_any_order_of_the_same_uploads_stores_what_a_recompute_from_scratch_does(
    analyst, trust, django_capture_on_commit_callbacks
):
    """Each upload's own recompute (and the catch-up of what it changed in other years) leaves the stored
    figures exactly as a recompute of everything from nothing: whatever the order."""
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    with django_capture_on_commit_callbacks(execute=True), dependencies.deferred():
        other = TrustFactory(org_code="ROT", name="Other Hospitals NHS Trust", trust_type="acute")
        allocate(other, year="2018-19", accepted=True)
    services.recompute()

    class Undo(Exception):
        pass

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.permutations(sorted(UPLOADS)))
    def check(order):
        try:
            with transaction.atomic():
                for name in order:
                    with django_capture_on_commit_callbacks(execute=True):
                        result = ingest(data=UPLOADS[name], file_name=f"{name}.csv", user=analyst)
                    assert result.ok, result.errors
                assert staleness() is None, order
                stored, recomputed = from_scratch()
                assert stored == recomputed, order
                raise Undo
        except Undo:
            pass

    check()
