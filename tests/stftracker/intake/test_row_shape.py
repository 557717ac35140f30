"""Row shape, through the whole intake: a row with more or fewer cells than the header, a repeated
header column, or a count that cannot be read exactly is an error naming the row; the upload is
rejected whole and nothing stored before is touched. CSV and XLSX, canonical and published layouts."""
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from finance.models import FinanceReturn
from performance.models import PerformanceReturn
from stftracker.intake.importing import ingest, preview
from tests.conftest import FIXTURES
from tests.factories import FinanceReturnFactory, TrustFactory, UserFactory
from trusts.models import Trust, Upload, UploadStatus

FINANCE_HEADER = "org_code,period,plan_ytd,actual_ytd,forecast_outturn"
SPLIT = ("an unquoted thousands separator such as 3,000,000 splits a number into cells: quote it or remove "
         "the commas")


def csv_data(*lines):
    return ("\r\n".join(lines) + "\r\n").encode()


def xlsx_data(*rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored_finance():
    return list(FinanceReturn.objects.order_by("pk").values_list("trust__org_code", "month", "plan_ytd", "actual_ytd",
                                                                 "forecast_outturn", "is_current", "upload_id"))


def rejected(result):
    """The result of a file refused whole: every error listed, a rejected upload, nothing queued."""
    assert result.ok is False
    assert result.status == UploadStatus.REJECTED
    assert result.upload.status == UploadStatus.REJECTED and result.upload.errors == result.errors
    assert result.run is None
    return [(error["row"], error["column"], error["message"]) for error in result.errors]


@pytest.fixture
def r29(region):
    return TrustFactory(org_code="R29", name="Twenty-Nine Hospitals NHS Trust", region=region, footprint=None)


@pytest.fixture
def r29_director(r29):
    return UserFactory(username="fd_r29", role="finance_director", trusts=[r29])


@pytest.fixture
def r29_november(r29):
    """The return R29 stored for November 2018, which a bad upload must leave as it is."""
    return FinanceReturnFactory(trust=r29, month=datetime.date(2018, 11, 1), plan_ytd=Decimal("-3450000.00"),
                                actual_ytd=Decimal("-3000000.00"), forecast_outturn=Decimal("-4300000.00"))


# --- The unquoted thousands separator --------------------------------------------------------

UNQUOTED = csv_data(FINANCE_HEADER, "R29,2018-10,-3100000,-2900000,-4300000", "R29,2018-11,-3450000,-3,000,000,-4300000")
UNQUOTED_ERROR = {
    "row": 3, "column": "F to G", "value": "R29,2018-11,-3450000,-3,000,000,-4300000",
    "message": f"Row 3 has 7 cells; the header has 5 columns ({SPLIT}).",
}


@pytest.mark.django_db
def test_unquoted_thousands_row_is_refused_by_the_preview_and_nothing_is_stored(r29_director, r29_november):
    before, count = stored_finance(), FinanceReturn.objects.count()

    result = preview(data=UNQUOTED, file_name="november.csv", user=r29_director)

    assert rejected(result) == [(3, "F to G", UNQUOTED_ERROR["message"])]
    assert result.errors == [UNQUOTED_ERROR]
    # Row 3 is not read at all, so nothing offers an actual YTD of -£3.00 and a forecast of £0.00.
    assert [row["row"] for row in result.preview] == [2]
    assert FinanceReturn.objects.count() == count == 1
    assert stored_finance() == before
    stored = FinanceReturn.objects.get()
    assert (stored.plan_ytd, stored.actual_ytd, stored.forecast_outturn) == (
        Decimal("-3450000.00"), Decimal("-3000000.00"), Decimal("-4300000.00"))


@pytest.mark.django_db
def test_unquoted_thousands_row_is_refused_when_stored_directly(r29_director, r29_november):
    before = stored_finance()
    result = ingest(data=UNQUOTED, file_name="november.csv", user=r29_director, source="test")
    assert result.errors == [UNQUOTED_ERROR]
    assert rejected(result)
    assert stored_finance() == before  # the good row 2 is not stored either
    assert not FinanceReturn.objects.filter(month=datetime.date(2018, 10, 1)).exists()


@pytest.mark.django_db
def test_the_upload_page_shows_the_row_and_offers_nothing_to_confirm(client, r29_director, r29_november):
    client.force_login(r29_director)
    response = client.post("/uploads/preview/", {"file": SimpleUploadedFile("november.csv", UNQUOTED)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "1 error: nothing from this file was stored." in text
    assert '<td class="num">3</td><td>F to G</td><td>R29,2018-11,-3450000,-3,000,000,-4300000</td>' in text
    assert "Row 3 has 7 cells; the header has 5 columns" in text
    assert 'name="token"' not in text
    assert FinanceReturn.objects.get().actual_ytd == Decimal("-3000000.00")


@pytest.mark.django_db
def test_quoted_thousands_are_read_as_one_number(r29_director):
    data = csv_data(FINANCE_HEADER, 'R29,2018-11,-3450000,"-3,000,000",-4300000')
    result = ingest(data=data, file_name="november.csv", user=r29_director, source="test")
    assert result.ok, result.errors
    assert stored_finance()[0][1:5] == (datetime.date(2018, 11, 1), Decimal("-3450000.00"), Decimal("-3000000.00"),
                                        Decimal("-4300000.00"))


# --- Short and long rows, CSV -----------------------------------------------------------------


@pytest.mark.django_db
def test_short_rows_are_errors_naming_the_columns_without_a_cell(director, home_trust):
    data = csv_data(FINANCE_HEADER, "RAA,2016-04,-100000,-90000,-1200000", "RAA,2016-05,-200000,-180000",
                    "RAA,2016-06", "RAA,2016-07,-400000,-380000,-1200000")
    result = ingest(data=data, file_name="short.csv", user=director, source="test")
    assert rejected(result) == [
        (3, "forecast_outturn", "Row 3 has 4 cells; the header has 5 columns (nothing for forecast_outturn: a value "
                                "or its comma is missing, or the row is broken over two lines)."),
        (4, "plan_ytd, actual_ytd, forecast_outturn",
         "Row 4 has 2 cells; the header has 5 columns (nothing for plan_ytd, actual_ytd and forecast_outturn: a "
         "value or its comma is missing, or the row is broken over two lines)."),
    ]
    assert [error["value"] for error in result.errors] == ["RAA,2016-05,-200000,-180000", "RAA,2016-06"]
    assert FinanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_a_short_row_is_an_error_even_when_only_an_optional_cell_is_missing(analyst, home_trust):
    data = csv_data("org_code,name,trust_type,region,footprint", "RCC,Gamma Community NHS Trust,community,London")
    result = ingest(data=data, file_name="trusts.csv", user=analyst, source="test")
    assert rejected(result) == [(2, "footprint", "Row 2 has 4 cells; the header has 5 columns (nothing for footprint: "
                                                 "a value or its comma is missing, or the row is broken over two "
                                                 "lines).")]
    assert not Trust.objects.filter(org_code="RCC").exists()


@pytest.mark.django_db
def test_long_rows_are_errors_but_trailing_empty_cells_are_not(director, home_trust):
    data = csv_data(FINANCE_HEADER, "RAA,2016-04,-100000,-90000,-1200000,,", "RAA,2016-05,-200000,-180000,-1200000,x",
                    "RAA,2016-06,-300000,-290000,-1200000,,,note")
    result = ingest(data=data, file_name="long.csv", user=director, source="test")
    assert rejected(result) == [
        (3, "F", f"Row 3 has 6 cells; the header has 5 columns ({SPLIT})."),
        (4, "F to H", f"Row 4 has 8 cells; the header has 5 columns ({SPLIT})."),
    ]
    assert FinanceReturn.objects.count() == 0

    fine = ingest(data=csv_data(FINANCE_HEADER, "RAA,2016-04,-100000,-90000,-1200000,,"), file_name="ok.csv",
                  user=director, source="test")
    assert fine.ok, fine.errors
    assert stored_finance()[0][1:5] == (datetime.date(2016, 4, 1), Decimal("-100000.00"), Decimal("-90000.00"),
                                        Decimal("-1200000.00"))


@pytest.mark.django_db
def test_every_bad_row_of_a_file_is_listed_with_the_value_errors(director, home_trust):
    data = csv_data(FINANCE_HEADER, "RAA,2016-04,-100000,-90000,-1200000", "RAA,2016-05,-200000,-1,800,000,-1200000",
                    "RAA,2016-06,12abc,-290000,-1200000", "RAA,2016-07,-400000", "RAA,2016-08,-500000,-1.005,1")
    result = ingest(data=data, file_name="many.csv", user=director, source="test")
    assert [(row, column) for row, column, _ in rejected(result)] == [
        (3, "F to G"), (4, "plan_ytd"), (5, "actual_ytd, forecast_outturn"), (6, "actual_ytd"),
    ]
    assert "more than two decimal places" in result.errors[3]["message"]
    assert FinanceReturn.objects.count() == 0


# --- Repeated header columns ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeated_header_column_is_an_error_naming_its_letters(director, home_trust):
    data = csv_data("org_code,period,plan_ytd,actual_ytd,Actual_YTD,forecast_outturn",
                    "RAA,2016-04,-100000,-90000,-95000,-1200000")
    result = ingest(data=data, file_name="twice.csv", user=director, source="test")
    assert result.kind == "finance"
    assert rejected(result) == [(1, "actual_ytd", "Column 'actual_ytd' appears more than once (columns D and E): "
                                                  "each column may appear only once, so the file cannot say which "
                                                  "one holds the values.")]
    assert FinanceReturn.objects.count() == 0


# --- XLSX ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_xlsx_a_value_beyond_the_header_is_an_error(director, home_trust):
    data = xlsx_data(FINANCE_HEADER.split(","), ["RAA", "2016-04", -100000, -90000, -1200000],
                     ["RAA", "2016-05", -200000, -180000, -1200000, None, "checked"])
    result = ingest(data=data, file_name="long.xlsx", user=director, source="test")
    assert rejected(result) == [(3, "F to G", "Row 3 has 7 cells; the header has 5 columns (cells after column E, the "
                                              "header's last, must be empty: delete what is in columns F to G).")]
    assert result.errors[0]["value"] == "RAA,2016-05,-200000,-180000,-1200000,,checked"
    assert FinanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_empty_cells_after_the_last_value_are_fine_and_missing_required_ones_are_errors(director, home_trust):
    data = xlsx_data(FINANCE_HEADER.split(",") + [None], ["RAA", "2016-04", -100000, -90000, -1200000],
                     ["RAA", "2016-05", -200000])
    result = ingest(data=data, file_name="short.xlsx", user=director, source="test")
    # A sheet has no missing cells, only empty ones: each required one is reported as empty.
    assert rejected(result) == [
        (3, "actual_ytd", "The cell is empty: a sum of money is required."),
        (3, "forecast_outturn", "The cell is empty: a sum of money is required."),
    ]
    assert FinanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_repeated_header_column(director, home_trust):
    data = xlsx_data(["org_code", "period", "Period", "plan_ytd", "actual_ytd", "forecast_outturn"],
                     ["RAA", "2016-04", "2016-05", -100000, -90000, -1200000])
    result = ingest(data=data, file_name="twice.xlsx", user=director, source="test")
    assert [(row, column) for row, column, _ in rejected(result)] == [(1, "period")]
    assert "(columns B and C)" in result.errors[0]["message"]
    assert FinanceReturn.objects.count() == 0


# --- Published layouts --------------------------------------------------------------------------

AE_NHSE = (FIXTURES / "ae_nhse.csv").read_text().splitlines()


@pytest.mark.django_db
def test_nhs_england_ae_csv_with_an_unquoted_thousands_count(analyst, home_trust, other_trust):
    lines = list(AE_NHSE)
    lines[2] = lines[2].replace(",10000,0,2000,", ",10,000,0,2000,")
    result = ingest(data=csv_data(*lines), file_name="ae.csv", user=analyst, source="test")
    assert result.kind == "ae_nhse"
    assert rejected(result) == [(3, "N", f"Row 3 has 14 cells; the header has 13 columns ({SPLIT}).")]
    assert PerformanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_nhs_england_ae_csv_with_a_short_row(analyst, home_trust, other_trust):
    lines = list(AE_NHSE)
    lines[3] = lines[3].rsplit(",", 1)[0]
    result = ingest(data=csv_data(*lines), file_name="ae.csv", user=analyst, source="test")
    assert [(row, column) for row, column, _ in rejected(result)] == [(4, "Emergency Admissions via A&E - Type 1")]
    assert PerformanceReturn.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("second, letters", [("Org Code", "B and N"), ("A&E attendances Type 1", "E and N")])
def test_nhs_england_ae_csv_with_a_column_given_twice(analyst, home_trust, second, letters):
    lines = list(AE_NHSE)
    lines[0] += f",{second}"
    lines[1:] = [line + ",X" for line in lines[1:]]
    result = ingest(data=csv_data(*lines), file_name="ae.csv", user=analyst, source="test")
    assert result.kind == "ae_nhse"
    errors = rejected(result)
    assert len(errors) == 1 and errors[0][0] == 1
    assert f"appears more than once (columns {letters})" in errors[0][2]
    assert PerformanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_ods_etr_without_header_rows_must_have_its_27_cells(analyst, home_trust):
    lines = (FIXTURES / "etr.csv").read_text().splitlines()
    names_before = list(Trust.objects.values_list("org_code", "name"))
    lines[1] = lines[1][:lines[1].rindex(",")]  # 26 cells
    lines[2] += ",extra"  # 28 cells
    result = ingest(data=csv_data(*lines), file_name="etr.csv", user=analyst, source="test")
    assert result.kind == "ods_etr"
    assert rejected(result) == [
        (2, "AA", "Row 2 has 26 cells; NHS Digital's etr.csv layout has 27 columns (nothing for column AA: a value or "
                  "its comma is missing, or the row is broken over two lines)."),
        (3, "AB", f"Row 3 has 28 cells; NHS Digital's etr.csv layout has 27 columns ({SPLIT})."),
    ]
    assert list(Trust.objects.values_list("org_code", "name")) == names_before


@pytest.mark.django_db
def test_tidy_ae_with_a_long_row(analyst, home_trust):
    lines = (FIXTURES / "ae_tidy.csv").read_text().splitlines()
    lines[1] = "2016-04-01,RAA,1,10,000,800,2500"
    result = ingest(data=csv_data(*lines), file_name="tidy.csv", user=analyst, source="test")
    assert rejected(result) == [(2, "G", f"Row 2 has 7 cells; the header has 6 columns ({SPLIT}).")]
    assert PerformanceReturn.objects.count() == 0


# --- Counts that cannot be read exactly --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("numerator, message", [
    ("9400.0", "'9400.0' has a decimal point: a count must be a whole number, written without one."),
    ("94%", "'94%' is a percentage, not a whole number."),
    ("9 400", "'9 400' is not a number (a whole number is required)."),
])
def test_performance_counts_that_cannot_be_read_exactly(analyst, home_trust, numerator, message):
    data = csv_data("org_code,period,metric,numerator,denominator", f'RAA,2016-04,ae,"{numerator}",10000')
    result = ingest(data=data, file_name="perf.csv", user=analyst, source="test")
    assert rejected(result) == [(2, "numerator", message)]
    assert PerformanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_a_rejected_file_leaves_what_was_stored_before(director, home_trust):
    good = ingest(data=(FIXTURES / "finance.csv").read_bytes(), file_name="finance.csv", user=director, source="test")
    assert good.ok, good.errors
    before, uploads = stored_finance(), Upload.objects.count()
    data = csv_data(FINANCE_HEADER, "RAA,2016-04,-100001,-90000,-1200000", "RAA,2016-05,-200000,-1,800,000,-1200000")
    result = ingest(data=data, file_name="fix.csv", user=director, source="test")
    assert rejected(result) == [(3, "F to G", f"Row 3 has 7 cells; the header has 5 columns ({SPLIT}).")]
    assert stored_finance() == before  # the corrected April row is not stored either
    assert FinanceReturn.objects.get(month=datetime.date(2016, 4, 1)).plan_ytd == Decimal("-100000.00")
    assert Upload.objects.count() == uploads + 1
