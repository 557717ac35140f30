"""NHS England's published RTT and cancer statistics, imported as published: the figures stored
equal the fixtures summed here by hand, and bad variants are rejected naming row, column and
value with nothing stored."""
import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from common.cells import parse_published_month
from common.errors import CellError
from performance.models import PerformanceReturn
from performance.published import is_urgent_gp_62_day
from stftracker.intake.importing import ingest
from tests.conftest import FIXTURES
from tests.factories import TrustFactory, UserFactory
from trusts.models import Upload, UploadStatus

PUBLISHED = FIXTURES / "published"
MARCH, APRIL, FEBRUARY = datetime.date(2017, 3, 1), datetime.date(2017, 4, 1), datetime.date(2017, 2, 1)


@pytest.fixture
def register(region):
    """RAA and RBB, the trusts the published fixtures name; NT4 and NVC01 are not in the register."""
    return [TrustFactory(org_code=code, region=region) for code in ("RAA", "RBB")]


@pytest.fixture
def analyst_user(db):
    return UserFactory(username="statistician", role="analyst")


def stored(metric):
    return {(row.trust.org_code, row.month): (row.numerator, row.denominator)
            for row in PerformanceReturn.objects.filter(metric=metric, is_current=True).select_related("trust")}


def run(data, user, name="file"):
    return ingest(data=data, file_name=name, user=user, source="command", recompute=False)


def xlsx_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The fixtures summed by hand ---------------------------------------------------------------


def workbook_sums(path):
    """Per provider of sheet Provider: (sum of the >0-1 ... >17-18 cells, sum of the totals) of
    its Total row, or of all its rows when it has none."""
    sheet = load_workbook(path, data_only=True)["Provider"]
    header = {}
    for row in (13, 14):
        for cell in sheet[row]:
            if cell.value:
                header[cell.value] = cell.column
    within = [header[f">{week}-{week + 1}"] for week in range(18)]
    total = header["Total number of incomplete pathways"]
    rows = {}
    for row in sheet.iter_rows(min_row=15, values_only=True):
        rows.setdefault(row[1], []).append(row)
    sums = {}
    for code in ("RAA", "RBB"):
        chosen = [row for row in rows[code] if row[3] == "C_999"] or rows[code]
        sums[code] = (sum(row[column - 1] for row in chosen for column in within),
                      sum(row[total - 1] for row in chosen))
    return sums


@pytest.mark.django_db
@pytest.mark.parametrize("name, month", [("Incomplete-Provider-Mar17.xlsx", MARCH),
                                         ("Incomplete-Provider-Apr17.xlsx", APRIL)])
def test_rtt_workbook_stores_the_providers_totals(register, analyst_user, name, month):
    sums = workbook_sums(PUBLISHED / name)
    result = run((PUBLISHED / name).read_bytes(), analyst_user, name)
    assert result.ok, result.errors
    assert result.kind == "rtt_provider"
    assert stored("rtt") == {("RAA", month): sums["RAA"], ("RBB", month): sums["RBB"]}
    # Skipped: the England row, NT4's two rows (its totals suppressed) and NVC01's one row.
    assert result.counts["skipped"] == 4 and result.notes["skipped_orgs"] == 2
    assert result.notes["skipped_reasons"] == {"England total row (no organisation code)": 1,
                                               "not an NHS trust in the trust register": 3}
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.STORED and upload.kind == "rtt_provider"
    assert upload.get_kind_display() == "NHS England RTT incomplete pathways provider workbook"


@pytest.mark.django_db
def test_a_corrected_workbook_supersedes_and_keeps_the_earlier_figures(register, analyst_user):
    first = (PUBLISHED / "Incomplete-Provider-Mar17.xlsx").read_bytes()
    assert run(first, analyst_user).ok
    (within, total), = [value for key, value in stored("rtt").items() if key[0] == "RAA"]

    def correct(workbook):
        sheet = workbook["Provider"]
        names = {cell.value: cell.column for cell in sheet[13] if cell.value}
        sheet.cell(19, names["Total within 18 weeks"]).value = within - 5

    result = run(workbook_variant(correct), analyst_user)
    assert result.ok and result.counts == {"new": 0, "changed": 1, "unchanged": 1, "skipped": 4}
    assert stored("rtt")[("RAA", MARCH)] == (within - 5, total)
    earlier = PerformanceReturn.objects.get(trust__org_code="RAA", metric="rtt", is_current=False)
    assert (earlier.numerator, earlier.denominator) == (within, total)
    assert list(Upload.objects.order_by("pk").values_list("status", flat=True)) == ["stored", "stored"]


def test_rtt_workbook_total_row_is_not_added_to_the_treatment_functions():
    """RAA's Total row equals the sum of its other rows: the fixture is consistent, so summing
    every row would double the figure."""
    sheet = load_workbook(PUBLISHED / "Incomplete-Provider-Mar17.xlsx", data_only=True)["Provider"]
    rows = [row for row in sheet.iter_rows(min_row=15, values_only=True) if row[1] == "RAA"]
    total_column = next(cell.column for cell in sheet[13] if cell.value == "Total number of incomplete pathways")
    parts = sum(row[total_column - 1] for row in rows if row[3] != "C_999")
    (total_row,) = [row for row in rows if row[3] == "C_999"]
    assert total_row[total_column - 1] == parts and len(rows) == 4


@pytest.mark.django_db
def test_rtt_full_extract_sums_incomplete_pathways_over_commissioners_and_functions(register, analyst_user):
    path = PUBLISHED / "rtt_full_extract.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sums, counted = {}, {}
    for row in rows:
        if row["RTT Part Type"] != "Part_2":
            continue
        within = sum(int(row[f"Gt {week:02d} To {week + 1:02d} Weeks SUM 1"]) for week in range(18))
        numerator, denominator = sums.get(row["Provider Org Code"], (0, 0))
        sums[row["Provider Org Code"]] = (numerator + within, denominator + int(row["Total"]))
        counted[row["Provider Org Code"]] = counted.get(row["Provider Org Code"], 0) + 1
    assert counted == {"RAA": 4, "RBB": 3, "NT4": 2, "NVC01": 1}  # several commissioners and functions each

    result = run(path.read_bytes(), analyst_user, path.name)
    assert result.ok, result.errors
    assert result.kind == "rtt_csv"
    assert stored("rtt") == {("RAA", MARCH): sums["RAA"], ("RBB", MARCH): sums["RBB"]}
    assert result.counts["skipped"] == 3 and result.notes["skipped_orgs"] == 2
    assert result.notes["ignored_part_types"] == {"Part_1A": 10, "Part_1B": 10, "Part_3": 10}


@pytest.mark.django_db
def test_cancer_extract_sums_the_62_day_gp_standard_over_cancer_types(register, analyst_user):
    path = PUBLISHED / "cwt_provider.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    months = {"FEB-2017": FEBRUARY, "2017-03": MARCH, "March 2017": MARCH}
    sums = {}
    for row in rows:
        if row["STANDARD"] not in {"62 Day (urgent GP referral)", "62-Day"} or row["ORG CODE"] == "NT4":
            continue
        key = (row["ORG CODE"], months[row["PERIOD"]])
        numerator, denominator = sums.get(key, (0, 0))
        sums[key] = (numerator + int(row["WITHIN STANDARD"]), denominator + int(row["TOTAL TREATED"]))
    assert set(sums) == {("RAA", FEBRUARY), ("RAA", MARCH), ("RBB", MARCH)}

    result = run(path.read_bytes(), analyst_user, path.name)
    assert result.ok, result.errors
    assert result.kind == "cancer62"
    assert stored("cancer62") == sums
    assert result.counts["skipped"] == 2 and result.notes["skipped_orgs"] == 1  # NT4's two cancer types
    assert result.notes["ignored_standards"] == {"62 Day Screening": 4, "62 Day Consultant Upgrade": 4,
                                                 "31 Day First Treatment": 6, "2WW": 4, "62-day (upgrade)": 1}


@pytest.mark.django_db
def test_cancer_extract_with_month_and_total_columns(register, analyst_user):
    data = ("MONTH,ORG CODE,STANDARD,CANCER TYPE,TOTAL,WITHIN STANDARD\r\n"
            "Mar-17,RAA,62 DAY,Breast,10,9\r\n"
            "Mar-17,RAA,62 days (urgent GP referral),Lung,7,5\r\n").encode()
    result = run(data, analyst_user)
    assert result.ok, result.errors
    assert stored("cancer62") == {("RAA", MARCH): (9 + 5, 10 + 7)}


def test_62_day_standard_match():
    for standard in ("62 Day", "62-Day", "62 Day (urgent GP referral)", "62 DAY GP REFERRAL", "62_day", "62 days"):
        assert is_urgent_gp_62_day(standard), standard
    for standard in ("62 Day Screening", "62-Day Consultant Upgrade", "62 day (upgrade)", "31 Day", "2WW",
                     "162 Day", "Two week wait"):
        assert not is_urgent_gp_62_day(standard), standard
    assert not is_urgent_gp_62_day("62 Day (urgent GP referral)", excluded=["urgent"])  # the setting decides


def test_published_months():
    for text in ("March 2017", "MAR-2017", "Mar-17", "RTT-March-2017", "2017-03", "2017-03-01", "march  2017"):
        assert parse_published_month(text) == MARCH, text
    assert parse_published_month("Sept 2016") == datetime.date(2016, 9, 1)
    for text in ("Marchuary 2017", "Q4 2016-17", "2017", "13/2017", ""):
        with pytest.raises(CellError):
            parse_published_month(text)


# --- Bad variants: rejected, row and column named, nothing stored ------------------------------


def rejected(result, row, column, value=None):
    assert not result.ok
    assert PerformanceReturn.objects.count() == 0
    assert Upload.objects.get().status == UploadStatus.REJECTED
    matches = [e for e in result.errors if e["row"] == row and e["column"] == column
               and (value is None or e["value"] == value)]
    assert matches, result.errors
    return matches[0]["message"]


def workbook_variant(change):
    workbook = load_workbook(PUBLISHED / "Incomplete-Provider-Mar17.xlsx")
    change(workbook)
    return xlsx_bytes(workbook)


@pytest.mark.django_db
def test_rtt_workbook_without_sheet_provider(register, analyst_user):
    def rename(workbook):
        workbook["Provider"].title = "Providers"

    message = rejected(run(workbook_variant(rename), analyst_user), None, "(sheet)", "Provider")
    assert "no sheet 'Provider'" in message and "'IS Provider'" in message


@pytest.mark.django_db
def test_rtt_workbook_missing_column(register, analyst_user):
    def drop(workbook):
        sheet = workbook["Provider"]
        column = next(cell.column for cell in sheet[13] if cell.value == "Total within 18 weeks")
        sheet.unmerge_cells(start_row=13, end_row=14, start_column=column, end_column=column)
        sheet.cell(13, column).value = None

    message = rejected(run(workbook_variant(drop), analyst_user), 14, "Total within 18 weeks")
    assert message == "Missing column 'Total within 18 weeks'."


@pytest.mark.django_db
def test_rtt_workbook_suppressed_total(register, analyst_user):
    def suppress(workbook):
        sheet = workbook["Provider"]
        column = next(cell.column for cell in sheet[13] if cell.value == "Total number of incomplete pathways")
        assert sheet.cell(19, 2).value == "RAA" and sheet.cell(19, 4).value == "C_999"
        sheet.cell(19, column).value = "-"

    message = rejected(run(workbook_variant(suppress), analyst_user), 19, "Total number of incomplete pathways", "-")
    assert message.startswith("RAA: Total number of incomplete pathways is suppressed ('-') in its Total row")


@pytest.mark.django_db
def test_rtt_workbook_suppressed_figure_of_a_provider_without_total_row(register, analyst_user):
    def suppress(workbook):
        sheet = workbook["Provider"]
        column = next(cell.column for cell in sheet[13] if cell.value == "Total within 18 weeks")
        assert sheet.cell(21, 2).value == "RBB" and sheet.cell(21, 4).value == "C_120"
        sheet.cell(21, column).value = "-"

    message = rejected(run(workbook_variant(suppress), analyst_user), 21, "Total within 18 weeks", "-")
    assert "treatment function C_120 (it has no Total row" in message


@pytest.mark.django_db
def test_rtt_workbook_unknown_period(register, analyst_user):
    def period(workbook):
        assert workbook["Provider"]["B3"].value == "Period:"
        workbook["Provider"]["C3"].value = "Marchuary 2017"

    message = rejected(run(workbook_variant(period), analyst_user), 3, "Period", "Marchuary 2017")
    assert "cell C3" in message and "is not a month" in message


@pytest.mark.django_db
def test_rtt_workbook_without_period(register, analyst_user):
    def period(workbook):
        workbook["Provider"]["B3"].value = "Month"

    message = rejected(run(workbook_variant(period), analyst_user), None, "Period")
    assert message.startswith("The title block above the header has no 'Period:' cell")


def extract_variant(change):
    with open(PUBLISHED / "rtt_full_extract.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.django_db
def test_rtt_extract_missing_column(register, analyst_user):
    def drop(rows):
        where = rows[0].index("Gt 05 To 06 Weeks SUM 1")
        for row in rows:
            del row[where]

    message = rejected(run(extract_variant(drop), analyst_user), 1, "Gt 05 To 06 Weeks SUM 1")
    assert message == "Missing column 'Gt 05 To 06 Weeks SUM 1'."


@pytest.mark.django_db
def test_rtt_extract_suppressed_band(register, analyst_user):
    def suppress(rows):
        where = rows[0].index("Gt 10 To 11 Weeks SUM 1")
        row = next(number for number, row in enumerate(rows) if row[3] == "RBB" and row[9] == "Part_2")
        rows[row][where] = "-"
        suppress.row = row + 1

    message = rejected(run(extract_variant(suppress), analyst_user), suppress.row, "Gt 10 To 11 Weeks SUM 1", "-")
    assert message.startswith("RBB: Gt 10 To 11 Weeks SUM 1 is suppressed ('-')")


@pytest.mark.django_db
def test_rtt_extract_unknown_period(register, analyst_user):
    def period(rows):
        rows[3][0] = "RTT-Smarch-2017"
        assert rows[3][9] == "Part_2"

    message = rejected(run(extract_variant(period), analyst_user), 4, "Period", "RTT-Smarch-2017")
    assert "is not a month" in message


CANCER = "PERIOD,ORG CODE,STANDARD,CANCER TYPE,TOTAL TREATED,WITHIN STANDARD,BREACHES\r\n"


@pytest.mark.django_db
@pytest.mark.parametrize("rows, row, column, value, words", [
    ("2017-03,RAA,62 Day,Breast,10,8,2\r\n2017-03,RAA,62 Day,Lung,10,8,3\r\n", 3, "BREACHES", "3",
     "RAA: BREACHES 3 is not TOTAL TREATED 10 less WITHIN STANDARD 8 (= 2)."),
    ("2017-03,RAA,62 Day,Breast,-,8,2\r\n", 2, "TOTAL TREATED", "-", "RAA: TOTAL TREATED is suppressed ('-')"),
    ("Q4 2016-17,RAA,62 Day,Breast,10,8,2\r\n", 2, "PERIOD", "Q4 2016-17", "is not a month"),
    ("2017-03,RAA,62 Day,Breast,10,12,0\r\n", 2, "WITHIN STANDARD", "12", "RAA: 12 within the standard is more"),
])
def test_bad_cancer_rows(register, analyst_user, rows, row, column, value, words):
    message = rejected(run((CANCER + rows).encode(), analyst_user), row, column, value)
    assert words in message


@pytest.mark.django_db
def test_cancer_extract_missing_column(register, analyst_user):
    data = b"PERIOD,ORG CODE,STANDARD,CANCER TYPE,TOTAL TREATED,BREACHES\r\n2017-03,RAA,62 Day,Breast,10,2\r\n"
    result = run(data, analyst_user)
    assert result.kind == "cancer62"
    assert rejected(result, 1, "WITHIN STANDARD") == "Missing column 'WITHIN STANDARD'."


@pytest.mark.django_db
def test_suppressed_figures_of_organisations_outside_the_register_are_skipped(register, analyst_user):
    data = (CANCER + "2017-03,NT4,62 Day,Breast,-,-,\r\n2017-03,RAA,62 Day,Breast,10,8,2\r\n").encode()
    result = run(data, analyst_user)
    assert result.ok, result.errors
    assert stored("cancer62") == {("RAA", MARCH): (8, 10)}
    assert result.counts["skipped"] == 1
