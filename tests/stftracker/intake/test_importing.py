"""Each kind of file, good: what is stored, superseding, duplicates, history, the recompute hand-off."""
import datetime
from decimal import Decimal

import pytest

from finance.models import Allocation, Entitlement, FinanceReturn, InputChange, RecomputeRun
from performance.models import PerformanceReturn, Trajectory
from stftracker.intake.importing import ingest
from stftracker.intake.selectors import entitlement_changes, return_history
from tests.conftest import FIXTURES
from trusts.models import Footprint, Region, Trust, UploadStatus

D = Decimal
M = datetime.date


def load(name, user, **kwargs):
    return ingest(data=(FIXTURES / name).read_bytes(), file_name=name, user=user, source="test", **kwargs)


def finance_rows(trust):
    return list(FinanceReturn.objects.current().filter(trust=trust).order_by("month")
                .values_list("month", "plan_ytd", "actual_ytd", "forecast_outturn"))


def ae_rows():
    return sorted(PerformanceReturn.objects.current().filter(metric="ae")
                  .values_list("trust__org_code", "month", "numerator", "denominator"))


@pytest.mark.django_db
def test_finance_return_is_stored_with_every_money_form(director, home_trust):
    result = load("finance.csv", director)
    assert result.ok, result.errors
    assert result.status == UploadStatus.STORED
    assert result.counts == {"new": 3, "changed": 0, "unchanged": 0, "skipped": 0}
    assert finance_rows(home_trust) == [
        (M(2016, 4, 1), D("-100000.00"), D("-90000.50"), D("-1200000.00")),
        (M(2016, 5, 1), D("-200000.00"), D("-150000.00"), D("-1150000.00")),
        (M(2016, 6, 1), D("-300000.00"), D("-310000.00"), D("-1250000.00")),
    ]
    upload = result.upload
    assert (upload.kind, upload.uploaded_by, upload.row_count, upload.rows_new) == ("finance", director, 3, 3)
    assert len(upload.sha256) == 64 and upload.size_bytes == (FIXTURES / "finance.csv").stat().st_size
    assert list(upload.trusts.all()) == [home_trust]
    assert set(FinanceReturn.objects.values_list("upload_id", flat=True)) == {upload.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["finance_cp1252.csv", "finance_bom.csv"])
def test_windows_1252_and_bom_csv(name, director, home_trust):
    result = load(name, director)
    assert result.ok, result.errors
    assert finance_rows(home_trust) == [(M(2016, 7, 1), D("-400000.00"), D("-350000.25"), D("1234.00"))]


@pytest.mark.django_db
def test_xlsx_first_sheet_with_cached_formula_values_and_date_cells(director, home_trust):
    result = load("finance.xlsx", director)
    assert result.ok, result.errors
    assert finance_rows(home_trust) == [
        (M(2016, 8, 1), D("-500000.00"), D("-450000.50"), D("-1200000.00")),
        (M(2016, 9, 1), D("-600000.00"), D("-450000.80"), D("-1200000.00")),  # = C2 - 100000; = D2 - 0.1 - 0.2
    ]


@pytest.mark.django_db
def test_performance_and_trajectories(analyst, home_trust):
    assert load("performance.csv", analyst).ok
    assert load("trajectories.csv", analyst).ok
    assert sorted(PerformanceReturn.objects.values_list("metric", "numerator", "denominator")) == [
        ("ae", 9400, 10000), ("cancer62", 170, 200), ("rtt", 18400, 20000)]
    assert list(Trajectory.objects.order_by("month").values_list("month", "percent")) == [
        (M(2016, 4, 1), D("92.50")), (M(2016, 5, 1), D("93.00")), (M(2016, 6, 1), D("93.75"))]


@pytest.mark.django_db
def test_plans_upsert_allocations_with_history(analyst, home_trust, other_trust):
    first = load("plans.csv", analyst)
    assert first.ok, first.errors
    assert sorted(Allocation.objects.values_list("trust__org_code", "stf_allocation", "control_total",
                                                 "control_total_accepted")) == [
        ("RAA", D("1200000.00"), D("-500000.00"), True), ("RBB", D("800000.00"), D("250000.50"), False)]
    corrected = (FIXTURES / "plans.csv").read_bytes().replace(b"800000,250000.50,no", b"800000,250000.50,yes")
    second = ingest(data=corrected, file_name="plans-v2.csv", user=analyst)
    assert second.counts == {"new": 0, "changed": 1, "unchanged": 1, "skipped": 0}
    beta = Allocation.objects.get(trust=other_trust)
    assert beta.control_total_accepted is True and beta.upload == second.upload
    assert Allocation.objects.count() == 2
    assert list(beta.history.order_by("history_id").values_list("history_type", "control_total_accepted",
                                                                 "upload_id")) == [
        ("+", False, first.upload.pk), ("~", True, second.upload.pk)]
    versions = return_history(trust=other_trust, kind="plans")
    assert [(v["is_current"], v["control_total_accepted"], v["upload_id"]) for v in versions] == [
        (True, True, second.upload.pk), (False, False, first.upload.pk)]


@pytest.mark.django_db
def test_corrected_return_supersedes_and_history_keeps_both(director, home_trust):
    first = load("finance.csv", director)
    corrected = (FIXTURES / "finance.csv").read_bytes().replace(b"-150000,", b"-140000,")
    preview = ingest(data=corrected, file_name="finance-v2.csv", user=director, commit=False)
    assert preview.counts == {"new": 0, "changed": 1, "unchanged": 2, "skipped": 0}
    changed = [row for row in preview.preview if row["status"] == "changed"]
    assert changed == [{"row": 3, "label": "RAA 2016-05", "status": "changed",
                        "before": {"plan_ytd": "-200000.00", "actual_ytd": "-150000.00", "forecast_outturn": "-1150000.00"},
                        "after": {"org_code": "RAA", "month": "2016-05", "plan_ytd": "-200000.00",
                                  "actual_ytd": "-140000.00", "forecast_outturn": "-1150000.00"}}]
    assert FinanceReturn.objects.count() == 3  # a preview writes nothing

    second = ingest(data=corrected, file_name="finance-v2.csv", user=director)
    assert second.status == UploadStatus.STORED
    assert FinanceReturn.objects.count() == 4
    may = FinanceReturn.objects.filter(trust=home_trust, month=M(2016, 5, 1)).order_by("id")
    assert [(r.actual_ytd, r.is_current, r.upload_id) for r in may] == [
        (D("-150000.00"), False, first.upload.pk), (D("-140000.00"), True, second.upload.pk)]
    history = return_history(trust=home_trust, kind="finance", month=M(2016, 5, 1))
    assert [(h["actual_ytd"], h["is_current"], h["upload_id"], h["file_name"], h["uploaded_by"]) for h in history] == [
        (D("-140000.00"), True, second.upload.pk, "finance-v2.csv", "fd_home"),
        (D("-150000.00"), False, first.upload.pk, "finance.csv", "fd_home")]
    assert len(return_history(trust=home_trust, kind="finance")) == 4


@pytest.mark.django_db
def test_identical_reupload_is_a_duplicate_and_changes_nothing(director, home_trust):
    first = load("finance.csv", director)
    rows_before = list(FinanceReturn.objects.values_list("id", "upload_id", "is_current"))
    again = load("finance.csv", director)
    assert again.ok and again.status == UploadStatus.DUPLICATE
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "skipped": 0}
    assert again.upload.notes["duplicate_of"] == first.upload.pk
    assert again.run is None
    assert list(FinanceReturn.objects.values_list("id", "upload_id", "is_current")) == rows_before
    # Same rows in another file (another name, another layout): also recognised as changing nothing.
    xlsx_like = (FIXTURES / "finance.csv").read_bytes().replace(b"\r\n", b"\n")
    same_rows = ingest(data=xlsx_like, file_name="other.csv", user=director)
    assert same_rows.status == UploadStatus.DUPLICATE and same_rows.upload.notes["duplicate_of"] is None


@pytest.mark.django_db
def test_ae_tidy_sums_types_and_skips_organisations_that_are_not_trusts(analyst, home_trust):
    result = load("ae_tidy.csv", analyst)
    assert result.ok, result.errors
    # RAA April: (10000 - 800) + (2000 - 10) = 11190 within 4 hours of 12000; May 11000 - 900 of 11000.
    assert ae_rows() == [("RAA", M(2016, 4, 1), 11190, 12000), ("RAA", M(2016, 5, 1), 10100, 11000)]
    assert result.counts == {"new": 2, "changed": 0, "unchanged": 0, "skipped": 1}
    assert result.notes["skipped_orgs"] == 1
    assert result.skipped == [{"row": 4, "org_code": "AD913", "rows": 1,
                               "reason": "not an NHS trust in the trust register"}]


@pytest.mark.django_db
def test_nhs_england_monthly_csv(analyst, home_trust, other_trust):
    result = load("ae_nhse.csv", analyst)
    assert result.ok, result.errors
    assert ae_rows() == [("RAA", M(2016, 4, 1), 11190, 12000), ("RBB", M(2016, 4, 1), 4700, 5000)]
    assert [(s["row"], s["org_code"]) for s in result.skipped] == [(2, "-"), (5, "NLO01")]
    assert result.counts["skipped"] == 2 and result.notes["skipped_orgs"] == 1  # the total row is no organisation
    booked = load("ae_nhse_booked.csv", analyst)
    assert booked.ok, booked.errors
    # 11000 + 1000 + 100 booked attendances; 900 + 20 + 5 over four hours.
    assert ae_rows()[1] == ("RAA", M(2016, 5, 1), 12100 - 925, 12100)


@pytest.mark.django_db
def test_trusts_file_creates_regions_and_footprints_and_updates_known_trusts(analyst, home_trust):
    result = load("trusts.csv", analyst)
    assert result.ok, result.errors
    assert result.counts == {"new": 2, "changed": 1, "unchanged": 0, "skipped": 0}
    trusts = {t.org_code: t for t in Trust.objects.select_related("region", "footprint")}
    assert (trusts["RAA"].region.name, trusts["RAA"].footprint.name) == ("London", "North Central London")
    assert (trusts["RCC"].trust_type, trusts["RCC"].footprint) == ("community", None)
    assert (trusts["RDD"].trust_type, trusts["RDD"].region.name) == ("ambulance", "South of England")
    assert sorted(Region.objects.values_list("name", flat=True)) == ["London", "South of England"]
    assert Footprint.objects.get().region.name == "London"
    assert trusts["RAA"].history.count() == 2  # created by the factory, changed by the file
    assert set(result.upload.trusts.values_list("org_code", flat=True)) == {"RAA", "RCC", "RDD"}


@pytest.mark.django_db
def test_ods_etr_without_header(analyst, home_trust):
    result = load("etr.csv", analyst)
    assert result.ok, result.errors
    assert result.counts == {"new": 3, "changed": 0, "unchanged": 1, "skipped": 1}
    assert result.skipped[0]["org_code"] == "RQW" and "Welsh" in result.skipped[0]["reason"]
    trusts = {t.org_code: t for t in Trust.objects.select_related("region")}
    assert trusts["RAA"].name == "Alpha Hospitals NHS Trust"  # same name but for case: kept
    assert (trusts["RNW"].trust_type, trusts["RNW"].region.code, trusts["RNW"].region.name) == (
        "ambulance", "Y57", "South of England")
    assert trusts["RMH"].trust_type == "mental_health"
    assert (trusts["RCL"].trust_type, trusts["RCL"].active) == ("acute", False)
    assert result.notes["trust_types_guessed"] == 3


@pytest.mark.django_db
def test_recompute_is_queued_for_the_changed_trusts_and_shows_before_and_after(
    analyst, director, home_trust, other_trust, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plans = load("plans.csv", analyst)
    plans.run.refresh_from_db()
    assert plans.run.state == "done", plans.run.message
    # The allocations it wrote marked those two trusts' 2016-17 figures, and its run brought them up to date.
    marked = InputChange.objects.filter(source="finance.allocation")
    assert sorted(marked.values_list("scheme__code", "trust_id")) == sorted(
        [("2016-17", home_trust.pk), ("2016-17", other_trust.pk)])
    assert {change.resolved_by_run_id for change in marked} == {plans.run.pk}
    assert plans.run.upload == plans.upload and plans.run.trigger == "upload"
    assert Entitlement.objects.get(trust=home_trust, scheme__code="2016-17", quarter=1).earned == D("0.00")
    # A 2017-18 allocation, computed too: an upload of 2016-17 months must not list its quarters.
    from finance.services import recompute
    from tests.factories import AllocationFactory, scheme

    AllocationFactory(trust=home_trust, scheme=scheme("2017-18"))
    recompute()
    assert Entitlement.objects.filter(trust=home_trust, scheme__code="2017-18").count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        finance = load("finance.csv", director)
    run = RecomputeRun.objects.get(upload=finance.upload)
    assert run.state == "done"
    assert set(run.resolved_changes.values_list("scheme__code", "trust_id", "source")) == {
        ("2016-17", home_trust.pk, "finance.financereturn")}
    assert finance.upload.recompute_queued is True
    # Q1: YTD actual -310,000 is below the plan -300,000: finance failed, nothing earned.
    q1 = Entitlement.objects.get(trust=home_trust, scheme__code="2016-17", quarter=1)
    assert (q1.status, q1.earned) == ("finance_failed", D("0.00"))

    corrected = (FIXTURES / "finance.csv").read_bytes().replace(b"-310000,", b"-290000,")
    # Q1 is decided now, so closed to its director's uploads: the analyst corrects the return.
    with django_capture_on_commit_callbacks(execute=True):
        fixed = ingest(data=corrected, file_name="finance-v2.csv", user=analyst)
    # Q1 allocation 1,200,000 / 4 = 300,000; the finance element is 70% = 210,000; performance
    # (12.5 + 12.5 + 5 = 30%) is pending for want of data.
    q1.refresh_from_db()
    assert (q1.status, q1.earned, q1.pending) == ("pending", D("210000.00"), D("90000.00"))
    changes = entitlement_changes(fixed.upload)
    assert changes[0] == {"org_code": "RAA", "trust_name": home_trust.name, "scheme": "2016-17", "quarter": 1,
                          "earned_before": D("0.00"), "status_before": "finance_failed",
                          "earned_after": D("210000.00"), "status_after": "pending", "changed": True}
    assert [(row["scheme"], row["quarter"], row["changed"]) for row in changes[1:]] == [
        ("2016-17", 2, False), ("2016-17", 3, False), ("2016-17", 4, False)]


@pytest.mark.django_db
def test_nothing_is_queued_for_a_rejected_or_duplicate_upload(director, home_trust, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load("finance.csv", director)
    runs = RecomputeRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        load("finance.csv", director)
        load("bad/bad_money.csv", director)
    assert RecomputeRun.objects.count() == runs


def _national_month_file(trusts, month="2016-04"):
    lines = ["org_code,period,metric,numerator,denominator"]
    for trust in trusts:
        for metric in ("ae", "rtt", "cancer62"):
            lines.append(f"{trust.org_code},{month},{metric},90,100")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_trusts(analyst, region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import TrustFactory

    few = [TrustFactory(org_code=f"RF{i}", region=region, footprint=None) for i in range(3)]
    many = [TrustFactory(org_code=f"RM{i:02d}", region=region, footprint=None) for i in range(60)]
    counts = []
    for trusts in (few, many):
        for month in ("2016-04", "2016-05"):  # first all new, then new beside stored months
            with CaptureQueriesContext(connection) as queries:
                result = ingest(data=_national_month_file(trusts, month), file_name="p.csv", user=analyst)
            assert result.ok and result.counts["new"] == 3 * len(trusts)
            counts.append(len(queries))
    # 20 times the trusts: at most one more INSERT batch (SQLite caps the parameters per statement).
    assert counts[2] - counts[0] <= 1 and counts[3] - counts[1] <= 1, counts
    # A correction of every row: the superseding is bulk too.
    with CaptureQueriesContext(connection) as queries:
        fixed = ingest(data=_national_month_file(many).replace(b",90,100", b",91,100"), file_name="p2.csv", user=analyst)
    # Besides, it reads the keys of the rows it supersedes, to mark their figures out of date.
    assert fixed.counts["changed"] == 180 and len(queries) <= counts[2] + 6


@pytest.mark.django_db
def test_a_failure_while_writing_stores_nothing_and_is_recorded(director, home_trust, monkeypatch):
    def broken(model, plan, **kwargs):
        model.objects.bulk_create([model(upload=kwargs["upload"], trust_id=home_trust.pk, month=M(2016, 4, 1),
                                         plan_ytd=0, actual_ytd=0, forecast_outturn=0)])
        raise RuntimeError("disk full")

    monkeypatch.setattr("finance.importers.supersede", broken)
    result = load("finance.csv", director)
    assert result.ok is False and result.run is None
    assert result.upload.status == UploadStatus.FAILED
    assert result.errors[0]["message"] == "The import failed and nothing was stored (RuntimeError: disk full)."
    assert FinanceReturn.objects.count() == 0  # the partial write was rolled back


@pytest.mark.django_db
def test_performance_history_lists_every_version_per_metric(analyst, home_trust):
    first = load("performance.csv", analyst)
    corrected = (FIXTURES / "performance.csv").read_bytes().replace(b"ae,9400,", b"ae,9450,")
    second = ingest(data=corrected, file_name="perf-v2.csv", user=analyst)
    rows = return_history(trust=home_trust, kind="performance", month=M(2016, 4, 1))
    assert [(r["metric"], r["numerator"], r["is_current"], r["upload_id"]) for r in rows] == [
        ("ae", 9450, True, second.upload.pk), ("ae", 9400, False, first.upload.pk),
        ("cancer62", 170, True, first.upload.pk), ("rtt", 18400, True, first.upload.pk)]


@pytest.mark.django_db
def test_a_concurrent_upload_of_the_same_returns_is_refused_cleanly(director, home_trust, monkeypatch):
    """Another upload stores the same month between this file's diff and its write."""
    import finance.importers as importers
    from tests.factories import FinanceReturnFactory

    real = importers.supersede

    def racing(model, plan, **kwargs):
        FinanceReturnFactory(trust=home_trust, month=M(2016, 4, 1))  # the other upload wins the race
        return real(model, plan, **kwargs)

    monkeypatch.setattr(importers, "supersede", racing)
    result = load("finance.csv", director)
    assert result.upload.status == UploadStatus.FAILED
    assert result.errors[0]["message"].startswith("Another upload changed the same returns at the same moment")
    assert FinanceReturn.objects.count() == 0  # the racing row was written in the rolled-back transaction too
