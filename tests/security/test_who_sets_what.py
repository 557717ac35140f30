"""Who may set what: a finance director uploads only their own trust's finance returns, and only for
quarters still open; performance returns (NHS England's statistics) and trajectories (agreed with
NHS Improvement) come from analysts; an analyst reopens a decided quarter, and only an analyst.

The money below is worked out by hand from the schemes (RULES.md):

* 2016-17, an allocation of £1,000,000.00 a year: £250,000.00 a quarter; A&E 12.5% = £31,250.00.
  A&E at 91.20% (below the 95% standard, no trajectory) withholds it: Q1 partial, earned
  £218,750.00. Q1 of 2016-17 pays A&E on an agreed trajectory, so a trajectory would make it full.
* 2017-18, an allocation of £2,000,000.00: Q4 is 35% = £700,000.00; A&E 30% = £210,000.00, finance
  the remaining £490,000.00. A&E at 91.20% against the 95% standard withholds £210,000.00: Q4
  partial, earned £490,000.00; a trajectory of 70% would make it full (+£210,000.00).
"""
import datetime
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from finance.models import Entitlement, FinanceReturn, QuarterReopening
from performance.models import PerformanceReturn, Trajectory
from stftracker.intake.kinds import KINDS, detect_kind, read_file
from tests.builders import MISSES_AE, allocate, finance_return, performance_returns, quarter_with_status, recompute
from tests.conftest import FIXTURES
from tests.factories import TrustFactory, UploadFactory
from trusts.models import Upload, UploadStatus


@pytest.fixture
def home_trust(region):
    """RAA: the trust the committed files of tests/fixtures name."""
    return TrustFactory(org_code="RAA", name="Alpha Hospitals NHS Trust", region=region, footprint=None)


@pytest.fixture
def other_trust(region):
    return TrustFactory(org_code="RBB", name="Beta Hospitals NHS Trust", region=region, footprint=None)


def money(trust, year, quarter):
    row = Entitlement.objects.get(trust=trust, scheme__code=year, quarter=quarter)
    return row.status, row.earned, row.withheld, row.pending


def everything_stored():
    """Every figure and every return row, to compare before and after."""
    return {
        "entitlements": sorted(Entitlement.objects.values_list("trust_id", "scheme_id", "quarter", "status", "earned",
                                                               "withheld", "pending")),
        "finance": sorted(FinanceReturn.objects.values_list("id", "trust_id", "month", "actual_ytd", "is_current")),
        "performance": sorted(PerformanceReturn.objects.values_list("id", "trust_id", "month", "metric", "numerator",
                                                                    "denominator", "is_current", "upload_id")),
        "trajectories": sorted(Trajectory.objects.values_list("id", "trust_id", "month", "metric", "percent",
                                                              "is_current")),
    }


def csv_file(name, *lines):
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), content_type="text/csv")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def web(user):
    client = Client()
    client.force_login(user)
    return client


# --- The probe's two attacks ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_director_uploading_trajectories_is_refused_and_the_money_is_unchanged(
        director, analyst, home_trust, django_capture_on_commit_callbacks):
    allocate(home_trust, year="2017-18", allocation="2000000.00")
    finance_return(home_trust, 4, year="2017-18")
    performance_returns(home_trust, 4, year="2017-18", figures={"ae": (912, 1000)})
    recompute("2017-18")
    assert money(home_trust, "2017-18", 4) == ("partial", D("490000.00"), D("210000.00"), D("0.00"))
    attack = ("org_code,period,metric,trajectory_pct", "RAA,2018-01,ae,70", "RAA,2018-02,ae,70", "RAA,2018-03,ae,70")

    with django_capture_on_commit_callbacks(execute=True):
        response = api(director).post("/api/v1/uploads/", {"file": csv_file("trajectories.csv", *attack)})

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "row": None, "column": "", "value": "",
        "message": "You may not upload trajectories: they are agreed with NHS Improvement: only analysts set them, "
                   "not the trust's finance directors."}]
    assert Trajectory.objects.count() == 0
    assert money(home_trust, "2017-18", 4) == ("partial", D("490000.00"), D("210000.00"), D("0.00"))
    # The same file from an analyst is what would have paid the A&E element.
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api(analyst).post("/api/v1/uploads/", {"file": csv_file("trajectories.csv", *attack)})
    assert accepted.status_code == 201, accepted.content
    assert money(home_trust, "2017-18", 4) == ("full", D("700000.00"), D("0.00"), D("0.00"))


@pytest.mark.django_db
def test_a_director_uploading_performance_is_refused_and_the_analysts_rows_stay(
        director, home_trust, django_capture_on_commit_callbacks):
    allocate(home_trust)
    imported = UploadFactory(kind="ae_nhse", file_name="MSitAE-Q2.csv")
    quarter_with_status(home_trust, 2, "partial")
    PerformanceReturn.objects.filter(trust=home_trust, metric="ae").update(upload=imported)
    recompute("2016-17")
    assert money(home_trust, "2016-17", 2) == ("partial", D("218750.00"), D("31250.00"), D("0.00"))
    before = everything_stored()
    attack = ["org_code,period,metric,numerator,denominator"] + [
        f"RAA,2016-{month:02d},ae,99,100" for month in (7, 8, 9)]

    with django_capture_on_commit_callbacks(execute=True):
        response = web(director).post("/uploads/preview/", {"file": csv_file("corrected-ae.csv", *attack)})

    assert response.status_code == 400
    assert ("You may not upload monthly performance returns: they are NHS England&#x27;s published statistics: "
            "only analysts import them, not the trust&#x27;s finance directors.") in response.content.decode()
    assert everything_stored() == before
    ae = PerformanceReturn.objects.filter(trust=home_trust, metric="ae", is_current=True)
    assert sorted(ae.values_list("month", "numerator", "denominator", "upload_id")) == [
        (datetime.date(2016, month, 1), 912, 1000, imported.pk) for month in (7, 8, 9)]
    assert Upload.objects.get(file_name="corrected-ae.csv").status == UploadStatus.REJECTED


@pytest.mark.django_db
def test_every_published_layout_is_refused_to_a_director_with_who_sets_it(director, home_trust):
    from stftracker.intake.importing import ingest

    for name in ("ae_nhse.csv", "ae_tidy.csv", "published/cwt_provider.csv", "published/rtt_full_extract.csv",
                 "published/Incomplete-Provider-Mar17.xlsx"):
        result = ingest(data=(FIXTURES / name).read_bytes(), file_name=name.split("/")[-1], user=director)
        assert result.ok is False, name
        assert len(result.errors) == 1 and result.errors[0]["row"] is None, name
        assert "they are NHS England's published statistics: only analysts import them" in result.errors[0]["message"]
    assert PerformanceReturn.objects.count() == 0


# --- Decided quarters ---------------------------------------------------------------------------


def _q1_finance(actual="-290000"):
    return ("org_code,period,plan_ytd,actual_ytd,forecast_outturn", f"RAA,2016-06,-300000,{actual},-1250000")


@pytest.fixture
def decided_q1(home_trust):
    """RAA 2016-17: Q1 decided (finance failed: YTD actual -£310,000.00 against a plan of
    -£300,000.00, the whole £250,000.00 withheld); Q2 pending (no finance return yet)."""
    allocate(home_trust)
    quarter_with_status(home_trust, 1, "finance_failed", plan="-300000.00", actual="-310000.00")
    quarter_with_status(home_trust, 2, "pending")
    recompute("2016-17")
    assert money(home_trust, "2016-17", 1) == ("finance_failed", D("0.00"), D("250000.00"), D("0.00"))
    assert money(home_trust, "2016-17", 2) == ("pending", D("0.00"), D("0.00"), D("250000.00"))


@pytest.mark.django_db
def test_a_director_may_not_upload_a_finance_return_for_a_decided_quarter(
        director, home_trust, decided_q1, django_capture_on_commit_callbacks):
    before = everything_stored()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(director).post("/api/v1/uploads/", {"file": csv_file("q1.csv", *_q1_finance())})
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "row": 2, "column": "period", "value": "2016-06",
        "message": "Month 2016-06 is in 2016-17 Q1, which is decided for RAA (finance failed) and closed to uploads. "
                   "An analyst may reopen it to take a corrected return."}]
    assert everything_stored() == before


@pytest.mark.django_db
def test_a_director_may_upload_a_finance_return_for_a_quarter_still_pending(
        director, home_trust, decided_q1, django_capture_on_commit_callbacks):
    lines = ("org_code,period,plan_ytd,actual_ytd,forecast_outturn", "RAA,2016-09,-500000,-400000,-1000000")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(director).post("/api/v1/uploads/", {"file": csv_file("q2.csv", *lines)})
    assert response.status_code == 201, response.content
    # Finance £100,000.00 ahead of plan, every metric met: the whole £250,000.00 earned.
    assert money(home_trust, "2016-17", 2) == ("full", D("250000.00"), D("0.00"), D("0.00"))


@pytest.mark.django_db
def test_an_analyst_corrects_a_decided_quarter_without_reopening_it_and_the_upload_is_recorded(
        analyst, home_trust, decided_q1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(analyst).post("/api/v1/uploads/", {"file": csv_file("q1-fixed.csv", *_q1_finance())})
    assert response.status_code == 201, response.content
    # -£290,000.00 is ahead of the plan: finance met, every metric met, Q1 full.
    assert money(home_trust, "2016-17", 1) == ("full", D("250000.00"), D("0.00"), D("0.00"))
    upload = Upload.objects.get(file_name="q1-fixed.csv")
    assert upload.uploaded_by == analyst and upload.status == UploadStatus.STORED
    audit = web(analyst).get("/audit/", {"kind": "upload"}).content.decode()
    assert "q1-fixed.csv" in audit


@pytest.mark.django_db
def test_an_analyst_reopens_a_decided_quarter_the_director_corrects_it_and_it_closes_again(
        director, analyst, home_trust, decided_q1, django_capture_on_commit_callbacks):
    reopened = api(analyst).post("/api/v1/reopenings/", {"org_code": "RAA", "year": "2016-17", "quarter": 1,
                                                          "reason": "Return keyed against the wrong month"})
    assert reopened.status_code == 201, reopened.content
    record = reopened.json()
    assert (record["org_code"], record["year"], record["quarter"], record["state"], record["opened_by"]) == (
        "RAA", "2016-17", 1, "open", analyst.get_username())

    with django_capture_on_commit_callbacks(execute=True):
        response = api(director).post("/api/v1/uploads/", {"file": csv_file("q1-v2.csv", *_q1_finance())})
    assert response.status_code == 201, response.content
    assert money(home_trust, "2016-17", 1) == ("full", D("250000.00"), D("0.00"), D("0.00"))

    # The recompute decided the quarter again: the reopening closed itself, naming the run.
    reopening = QuarterReopening.objects.get(pk=record["id"])
    run = Upload.objects.get(file_name="q1-v2.csv").recompute_runs.get()
    assert reopening.closed_at is not None and reopening.closed_by is None and reopening.closed_by_run == run
    listed = api(director).get("/api/v1/reopenings/").json()["results"]
    assert [(r["id"], r["state"], r["closed_by_run"]) for r in listed] == [(record["id"], "closed", run.pk)]
    again = api(director).post("/api/v1/uploads/", {"file": csv_file("q1-v3.csv", *_q1_finance("-280000"))})
    assert again.status_code == 400
    assert "closed to uploads" in again.json()["errors"][0]["message"]

    # The audit log shows who reopened it and why, and that it closed.
    audit = web(analyst).get("/audit/", {"kind": "reopening"}).content.decode()
    assert "Reopened: Return keyed against the wrong month" in audit
    assert f"Closed: decided again by recompute {run.pk}" in audit
    assert "Reopening " + str(record["id"]) + ": RAA Q1 STF 2016-17" in audit


@pytest.mark.django_db
def test_an_analyst_closes_a_reopening_by_hand(director, analyst, home_trust, decided_q1):
    page = web(analyst).post("/reopenings/", {"trust": "RAA", "year": "2016-17", "quarter": "1",
                                              "reason": "Board restated the plan"})
    assert page.status_code == 302
    reopening = QuarterReopening.objects.get()
    assert reopening.reason == "Board restated the plan" and reopening.opened_by == analyst
    closed = web(analyst).post(f"/reopenings/{reopening.pk}/close/", {"close_reason": "Restatement withdrawn"})
    assert closed.status_code == 302
    reopening.refresh_from_db()
    assert (reopening.closed_by, reopening.close_reason) == (analyst, "Restatement withdrawn")
    response = api(director).post("/api/v1/uploads/", {"file": csv_file("q1.csv", *_q1_finance())})
    assert response.status_code == 400
    assert api(analyst).post(f"/api/v1/reopenings/{reopening.pk}/close/", {}).status_code == 400  # already closed


@pytest.mark.django_db
def test_a_quarter_still_pending_or_not_computed_cannot_be_reopened(analyst, home_trust, decided_q1, other_trust):
    pending = api(analyst).post("/api/v1/reopenings/", {"org_code": "RAA", "year": "2016-17", "quarter": 2,
                                                         "reason": "x"})
    assert pending.status_code == 400
    assert "RAA 2016-17 Q2 is pending, not decided" in pending.content.decode()
    unknown = api(analyst).post("/api/v1/reopenings/", {"org_code": "RBB", "year": "2016-17", "quarter": 1,
                                                         "reason": "x"})
    assert unknown.status_code == 400 and "there is nothing to reopen" in unknown.content.decode()
    first = api(analyst).post("/api/v1/reopenings/", {"org_code": "RAA", "year": "2016-17", "quarter": 1,
                                                       "reason": "x"})
    assert first.status_code == 201
    twice = api(analyst).post("/api/v1/reopenings/", {"org_code": "RAA", "year": "2016-17", "quarter": 1,
                                                       "reason": "y"})
    assert twice.status_code == 400 and "already reopened" in twice.content.decode()
    assert QuarterReopening.objects.count() == 1


@pytest.mark.django_db
def test_a_director_cannot_reopen_or_close_a_quarter(director, analyst, home_trust, decided_q1):
    body = {"org_code": "RAA", "year": "2016-17", "quarter": 1, "reason": "Please"}
    assert api(director).post("/api/v1/reopenings/", body).status_code == 403
    assert web(director).post("/reopenings/", {"trust": "RAA", "year": "2016-17", "quarter": "1",
                                               "reason": "Please"}).status_code == 403
    assert QuarterReopening.objects.count() == 0
    opened = api(analyst).post("/api/v1/reopenings/", body).json()
    assert api(director).post(f"/api/v1/reopenings/{opened['id']}/close/", {}).status_code == 403
    assert web(director).post(f"/reopenings/{opened['id']}/close/").status_code == 403
    assert QuarterReopening.objects.get().closed_at is None


@pytest.mark.django_db
def test_the_trust_page_offers_analysts_the_reopening_of_a_decided_quarter(director, analyst, home_trust, decided_q1):
    link = 'id="reopen-link" href="/reopenings/?trust=RAA&amp;year=2016-17&amp;quarter=1"'
    assert link in web(analyst).get("/trusts/RAA/", {"year": "2016-17", "quarter": 1}).content.decode()
    assert "reopen-link" not in web(director).get("/trusts/RAA/", {"year": "2016-17", "quarter": 1}).content.decode()
    assert "reopen-link" not in web(analyst).get("/trusts/RAA/", {"year": "2016-17", "quarter": 2}).content.decode()


@pytest.mark.django_db
def test_decided_quarters_stay_open_to_directors_when_the_setting_is_off(
        director, home_trust, decided_q1, settings, django_capture_on_commit_callbacks):
    settings.UPLOADS_CLOSE_DECIDED_QUARTERS = False
    with django_capture_on_commit_callbacks(execute=True):
        response = api(director).post("/api/v1/uploads/", {"file": csv_file("q1.csv", *_q1_finance())})
    assert response.status_code == 201, response.content
    assert money(home_trust, "2016-17", 1) == ("full", D("250000.00"), D("0.00"), D("0.00"))


# --- Done when: no upload but its own finance returns for an open quarter moves a director's money ---

# A file of each kind, as a director might send it. Every kind must have one: a new kind fails
# ``test_every_kind_has_a_sample`` until it is added here.
SAMPLES = {
    "trusts": "trusts.csv",
    "plans": "plans.csv",
    "finance": "finance.csv",  # RAA April to June 2016: Q1, decided below
    "performance": "performance.csv",
    "trajectories": "trajectories.csv",
    "ae_tidy": "ae_tidy.csv",
    "ods_etr": "etr.csv",
    "ae_nhse": "ae_nhse.csv",
    "rtt_provider": "published/Incomplete-Provider-Mar17.xlsx",
    "rtt_csv": "published/rtt_full_extract.csv",
    "cancer62": "published/cwt_provider.csv",
}


def test_every_kind_has_a_sample_of_its_own_kind():
    assert set(SAMPLES) == set(KINDS)
    for code, name in SAMPLES.items():
        assert detect_kind(read_file((FIXTURES / name).read_bytes())) == code, name


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(KINDS))
def test_no_upload_of_any_kind_by_a_director_changes_the_money(
        code, director, analyst, home_trust, other_trust, django_capture_on_commit_callbacks):
    allocate(home_trust, allocation="1000000.00")
    allocate(other_trust, allocation="1000000.00")
    for trust in (home_trust, other_trust):
        quarter_with_status(trust, 1, "partial", performance=MISSES_AE)
        quarter_with_status(trust, 4, "partial", performance=MISSES_AE)
    recompute()
    assert money(home_trust, "2016-17", 1) == ("partial", D("218750.00"), D("31250.00"), D("0.00"))
    before, uploads = everything_stored(), Upload.objects.count()
    name = SAMPLES[code]

    with django_capture_on_commit_callbacks(execute=True):
        response = api(director).post("/api/v1/uploads/", {"file": SimpleUploadedFile(
            name.split("/")[-1], (FIXTURES / name).read_bytes())})

    assert response.status_code == 400, response.content
    assert response.json()["kind"] == code
    assert everything_stored() == before
    assert Upload.objects.count() == uploads + 1
    assert Upload.objects.latest("id").status == UploadStatus.REJECTED


@pytest.mark.django_db
def test_a_director_lists_only_their_own_trusts_reopenings(director, other_director, analyst, home_trust,
                                                           decided_q1):
    opened = api(analyst).post("/api/v1/reopenings/", {"org_code": "RAA", "year": "2016-17", "quarter": 1,
                                                        "reason": "Late audit adjustment"}).json()
    assert [r["id"] for r in api(director).get("/api/v1/reopenings/").json()["results"]] == [opened["id"]]
    assert api(other_director).get("/api/v1/reopenings/").json()["results"] == []
    assert "Late audit adjustment" in web(director).get("/reopenings/").content.decode()
    assert "Late audit adjustment" not in web(other_director).get("/reopenings/").content.decode()
    assert "Late audit adjustment" in web(analyst).get("/reopenings/").content.decode()
