"""Every file of tests/fixtures/bad/ gets its error (row, column, message) and stores nothing."""
import datetime
from decimal import Decimal

import pytest

from finance.models import Allocation, FinanceReturn
from performance.models import PerformanceReturn, Trajectory
from stftracker.intake.importing import ingest
from tests.conftest import FIXTURES
from tests.factories import (
    AllocationFactory,
    FinanceReturnFactory,
    PerformanceReturnFactory,
    TrajectoryFactory,
    UserFactory,
)
from trusts.models import Footprint, Region, Trust, Upload, UploadStatus

BAD = FIXTURES / "bad"

# file -> (who uploads, [(row, column, words in the message)], kind detected). Finance directors upload only
# finance returns; performance returns and trajectories are analysts' (stftracker.intake.kinds).
CORPUS = {
    "missing_column.csv": ("director", [(1, "forecast_outturn", "Missing column 'forecast_outturn'")], "finance"),
    "unknown_column.csv": ("director", [(1, "comment", "Unknown column 'comment'")], "finance"),
    "unknown_org.csv": ("analyst", [(2, "org_code", "Unknown org code 'RZZ'")], "finance"),
    "other_trust.csv": ("director", [(3, "org_code", "only for the trusts you direct (RAA), not RBB")], "finance"),
    "malformed_month.csv": ("director", [(2, "period", "'2016-13' is not a month")], "finance"),
    "future_month.csv": ("director", [(2, "period", "Month 2031-01 is in the future")], "finance"),
    "month_outside_scheme.csv": ("director", [(2, "period", "Month 2015-06 is outside every STF scheme (2016-04 to 2019-03)")], "finance"),
    "bad_money.csv": ("director", [(2, "plan_ytd", "'12abc' is not a sum of money")], "finance"),
    "nan_money.csv": ("director", [(2, "actual_ytd", "'NaN' is not a finite number")], "finance"),
    "inf_money.csv": ("director", [(2, "forecast_outturn", "'inf' is not a finite number")], "finance"),
    "absurd_money.csv": ("director", [(2, "forecast_outturn", "'20000000000' is beyond £10bn")], "finance"),
    "fractional_count.csv": ("analyst", [(2, "numerator", "'9400.5' is fractional")], "performance"),
    "negative_count.csv": ("analyst", [(2, "denominator", "'-10000' is negative")], "performance"),
    "numerator_above_denominator.csv": ("analyst", [(2, "numerator", "Numerator 10001 is above the denominator 10000")], "performance"),
    "percent_out_of_range.csv": ("analyst", [(2, "trajectory_pct", "'120' is outside 0-100")], "trajectories"),
    "unknown_metric.csv": ("analyst", [(2, "metric", "'flu' is not a metric")], "performance"),
    "unknown_trust_type.csv": ("analyst", [(2, "trust_type", "'hospice' is not a trust type")], "trusts"),
    "bad_yes_no.csv": ("analyst", [(2, "control_total_accepted", "'maybe' is not yes or no")], "plans"),
    "unknown_year.csv": ("analyst", [(2, "year", "No STF scheme for year '2015-16'")], "plans"),
    "duplicate_key.csv": ("director", [(4, "org_code", "Duplicate: RAA 2016-04 already appears in row 2")], "finance"),
    "one_bad_row_among_good.csv": ("director", [(4, "actual_ytd", "'(290,000' is not a sum of money")], "finance"),
    "header_only.csv": ("director", [(None, "", "The file has a header but no rows.")], "finance"),
    "empty.csv": ("director", [(None, "", "The file is empty.")], None),
    "unreadable.xlsx": ("director", [(None, "", "The XLSX file cannot be read")], None),
    "binary.csv": ("director", [(None, "", "looks binary")], None),
    "unknown_kind.csv": ("director", [(None, "(header)", "The kind of file cannot be told from its header")], None),
    "ae_breaches_above.csv": ("analyst", [(2, "breaches", "Breaches 101 are above the attendances 100")], "ae_tidy"),
    "unquoted_thousands.csv": ("director", [(3, "F to G", "Row 3 has 7 cells; the header has 5 columns (an unquoted "
                                                          "thousands separator such as 3,000,000 splits a number")],
                               "finance"),
    "short_row.csv": ("director", [(3, "forecast_outturn", "Row 3 has 4 cells; the header has 5 columns (nothing for "
                                                           "forecast_outturn")], "finance"),
}


def snapshot():
    """Counts and every row of the tables an import may write."""
    return {
        "trusts": list(Trust.objects.order_by("pk").values_list("pk", "org_code", "name", "trust_type", "region_id",
                                                                 "footprint_id", "active")),
        "regions": list(Region.objects.order_by("pk").values_list("pk", "code", "name")),
        "footprints": list(Footprint.objects.order_by("pk").values_list("pk", "code", "name", "region_id")),
        "finance": list(FinanceReturn.objects.order_by("pk").values_list("pk", "trust_id", "month", "plan_ytd",
                                                                         "actual_ytd", "forecast_outturn", "is_current")),
        "performance": list(PerformanceReturn.objects.order_by("pk").values_list("pk", "trust_id", "month", "metric",
                                                                                 "numerator", "denominator", "is_current")),
        "trajectories": list(Trajectory.objects.order_by("pk").values_list("pk", "trust_id", "month", "metric",
                                                                           "percent", "is_current")),
        "allocations": list(Allocation.objects.order_by("pk").values_list("pk", "trust_id", "scheme_id",
                                                                          "stf_allocation", "control_total",
                                                                          "control_total_accepted")),
        "allocation_history": Allocation.history.count(),
        "trust_history": Trust.history.count(),
    }


@pytest.fixture
def stored(home_trust, other_trust):
    """Returns already stored, which a bad file must leave exactly as they are."""
    FinanceReturnFactory(trust=home_trust, month=datetime.date(2016, 4, 1), plan_ytd=Decimal("-100.00"))
    PerformanceReturnFactory(trust=home_trust, month=datetime.date(2016, 4, 1), metric="ae")
    TrajectoryFactory(trust=home_trust, month=datetime.date(2016, 4, 1), metric="ae")
    AllocationFactory(trust=home_trust)


def test_the_corpus_covers_every_file():
    assert sorted(path.name for path in BAD.iterdir()) == sorted(CORPUS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_file_gets_its_error_and_stores_nothing(name, stored, director, analyst):
    who, expected, kind = CORPUS[name]
    user = director if who == "director" else analyst
    before, uploads_before = snapshot(), Upload.objects.count()

    result = ingest(data=(BAD / name).read_bytes(), file_name=name, user=user, source="test")

    assert result.ok is False
    assert result.kind == kind
    assert len(result.errors) == len(expected), result.errors
    for error, (row, column, words) in zip(result.errors, expected):
        assert error["row"] == row
        assert error["column"] == column
        assert words in error["message"], error
    assert result.run is None
    assert snapshot() == before
    assert Upload.objects.count() == uploads_before + 1
    upload = result.upload
    assert upload.status == UploadStatus.REJECTED
    assert upload.errors == result.errors
    assert upload.uploaded_by == user and upload.file_name == name


@pytest.mark.django_db
def test_error_names_the_value(director):
    result = ingest(data=(BAD / "bad_money.csv").read_bytes(), file_name="x.csv", user=director, commit=False)
    assert result.errors == [{"row": 2, "column": "plan_ytd", "value": "12abc",
                              "message": "'12abc' is not a sum of money (use 1234.56, -1234, £1,234 or (1,234))."}]


@pytest.mark.django_db
def test_every_error_of_a_file_is_reported_at_once(home_trust, analyst):
    data = (b"org_code,period,plan_ytd,actual_ytd,forecast_outturn\r\n"
            b"RZZ,2016-13,abc,NaN,1\r\n"
            b"RAA,2016-04,1,2,3\r\n"
            b"RAA,2016-05,1e3,2,(4)\r\n")
    result = ingest(data=data, file_name="many.csv", user=analyst, commit=False)
    assert [(e["row"], e["column"]) for e in result.errors] == [
        (2, "org_code"), (2, "period"), (2, "plan_ytd"), (2, "actual_ytd"), (4, "plan_ytd"),
    ]


@pytest.mark.django_db
def test_file_over_the_size_limit_is_refused(settings, director):
    data = (BAD.parent / "finance.csv").read_bytes()
    settings.UPLOAD_MAX_BYTES = len(data) - 1
    before = snapshot()
    result = ingest(data=data, file_name="finance.csv", user=director, source="test")
    assert result.ok is False
    assert result.errors == [{"row": None, "column": "", "value": "",
                              "message": f"The file is {len(data):,} bytes, over the limit of {len(data) - 1:,} bytes."}]
    assert result.upload.status == UploadStatus.REJECTED
    assert snapshot() == before


@pytest.mark.django_db
def test_user_without_a_role_may_not_upload(home_trust):
    outsider = UserFactory(username="outsider")
    result = ingest(data=(BAD.parent / "finance.csv").read_bytes(), file_name="f.csv", user=outsider, commit=False)
    assert result.errors[0]["message"] == "You may not upload returns."


@pytest.mark.django_db
def test_finance_director_may_not_import_national_files(director):
    result = ingest(data=(BAD.parent / "trusts.csv").read_bytes(), file_name="t.csv", user=director, source="test")
    assert result.ok is False
    assert result.errors[0]["message"] == "You may not import Trusts: only analysts import national files."
    assert Trust.objects.filter(org_code="RCC").exists() is False
