"""Cell parsers and file reading (pure: no database)."""
import datetime
from decimal import Decimal

import pytest

from common.cells import (
    parse_count,
    parse_money,
    parse_month,
    parse_nhse_period,
    parse_percent,
    parse_yes_no,
)
from common.errors import CellError, FileError, HeaderError
from common.tabular import check_header, read_table, xlsx_cell_text


@pytest.mark.parametrize("text, value", [
    ("1234.56", "1234.56"), ("-1234", "-1234.00"), ("£1,234", "1234.00"), ("(1,234)", "-1234.00"),
    ("(£1,234.50)", "-1234.50"), ("-£1,234", "-1234.00"), ("£-1,234", "-1234.00"), (" 0 ", "0.00"),
    ("10000000000", "10000000000.00"), ("-10000000000.00", "-10000000000.00"), (".5", "0.50"),
])
def test_money_accepted(text, value):
    assert parse_money(text) == Decimal(value)
    assert str(parse_money(text)) == value


@pytest.mark.parametrize("text, words", [
    ("", "is empty"), ("abc", "not a sum of money"), ("1,23", "not a sum of money"), ("1.234", "more than two decimal"),
    ("NaN", "not a finite number"), ("-inf", "not a finite number"), ("10000000000.01", "beyond £10bn"),
    ("-10000000000.01", "beyond £10bn"), ("(-5)", "not a sum of money"), ("1e6", "not a sum of money"),
    ("£", "not a sum of money"), ("12,34,567", "not a sum of money"),
])
def test_money_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_money(text)


@pytest.mark.parametrize("text, value", [("0", 0), ("12", 12), ("1,234", 1234), ("7.0", 7), ("100000000", 100000000)])
def test_counts(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text, words", [
    ("1.5", "fractional"), ("-1", "negative"), ("", "is empty"), ("x", "not a number"), ("nan", "finite"),
    ("100000001", "larger than"),
])
def test_counts_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_count(text)


def test_blank_count_is_zero_only_when_asked():
    assert parse_count("", blank_is_zero=True) == 0 and parse_count("-", blank_is_zero=True) == 0


@pytest.mark.parametrize("text, value", [("0", "0.00"), ("100", "100.00"), ("92.5", "92.50"), ("93%", "93.00")])
def test_percent(text, value):
    assert parse_percent(text) == Decimal(value)


@pytest.mark.parametrize("text", ["-0.01", "100.01", "101", "92.555"])
def test_percent_refused(text):
    with pytest.raises(CellError):
        parse_percent(text)


@pytest.mark.parametrize("text, value", [("yes", True), ("Y", True), ("TRUE", True), ("no", False), ("n", False), ("0", False)])
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


def test_yes_no_refused():
    with pytest.raises(CellError, match="not yes or no"):
        parse_yes_no("maybe")


@pytest.mark.parametrize("text, value", [
    ("2016-04", datetime.date(2016, 4, 1)), ("2016-4", datetime.date(2016, 4, 1)),
    ("2016-12-01", datetime.date(2016, 12, 1)), ("2017-01-01 00:00:00", datetime.date(2017, 1, 1)),
])
def test_months(text, value):
    assert parse_month(text) == value


@pytest.mark.parametrize("text, words", [
    ("2016-13", "01 to 12"), ("2016-00", "01 to 12"), ("April 2016", "not a month"), ("2016-04-15", "within a month"),
    ("1999-04", "before 2000"), ("", "is empty"),
])
def test_months_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_month(text)


def test_nhs_england_period():
    assert parse_nhse_period("MSitAE-APRIL-2016") == datetime.date(2016, 4, 1)
    assert parse_nhse_period("MSitAE-MARCH-2019") == datetime.date(2019, 3, 1)
    with pytest.raises(CellError):
        parse_nhse_period("MSitAE-SMARCH-2019")


def test_header_lists_every_problem_at_once():
    with pytest.raises(HeaderError) as caught:
        check_header(["Org_Code", "period", "period", "colour"], ["org_code", "period", "metric"])
    assert [(e.row, e.column, e.message) for e in caught.value.errors()] == [
        (1, "metric", "Missing column 'metric'."),
        (1, "colour", "Unknown column 'colour'."),
        (1, "period", "Column 'period' appears more than once."),
    ]


def test_header_names_are_case_insensitive_and_order_free():
    assert check_header([" PERIOD ", "\ufeffOrg_Code"], ["org_code", "period"]) == {"period": 0, "org_code": 1}


def test_read_table_keeps_spreadsheet_row_numbers_and_drops_blank_rows():
    table = read_table(b"a,b\r\n1,2\r\n,\r\n3,4\r\n\r\n")
    assert table.header == ["a", "b"]
    assert list(table.numbered()) == [(2, ["1", "2"]), (4, ["3", "4"])]


@pytest.mark.parametrize("data, words", [(b"", "empty"), (b"\r\n \r\n", "empty"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1x", ".xls"),
                                         (b'a,b\r\n"unclosed,1\r\n', "unexpected end of data")])
def test_unreadable_files(data, words):
    with pytest.raises(FileError, match=words):
        read_table(data)


def test_xlsx_cells_as_text():
    assert xlsx_cell_text(0.1 + 0.2) == "0.3"
    assert xlsx_cell_text(-1200000.0) == "-1200000"
    assert xlsx_cell_text(datetime.datetime(2016, 8, 1)) == "2016-08-01"
    assert xlsx_cell_text(None) == "" and xlsx_cell_text(True) == "yes"
    assert xlsx_cell_text(float("nan")) == "nan"


def test_xlsx_percent_formatted_cells_read_as_the_percent_shown():
    import io

    from openpyxl import Workbook

    from performance.parsers import parse_trajectories

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["org_code", "period", "metric", "trajectory_pct"])
    sheet.append(["RAA", "2016-04", "ae", 0.925])
    sheet.append(["RAA", "2016-05", "ae", 93.1])
    sheet["D2"].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = parse_trajectories(buffer.getvalue())
    assert not parsed.errors
    assert [row["percent"] for row in parsed.rows] == [Decimal("92.50"), Decimal("93.10")]
    assert xlsx_cell_text(0.9, "0%") == "90%"
    assert xlsx_cell_text(1234.5, "#,##0.00") == "1234.5"


def test_kind_parsers_read_a_stream_and_touch_no_database():
    import io

    from finance.parsers import parse_finance
    from tests.conftest import FIXTURES
    from trusts.parsers import parse_ods_etr

    parsed = parse_finance(io.BytesIO((FIXTURES / "finance.csv").read_bytes()))
    assert [(r["row"], r["org_code"], str(r["plan_ytd"])) for r in parsed.rows] == [
        (2, "RAA", "-100000.00"), (3, "RAA", "-200000.00"), (4, "RAA", "-300000.00")]
    etr = parse_ods_etr((FIXTURES / "etr.csv").read_bytes())
    assert [r["org_code"] for r in etr.rows] == ["RAA", "RNW", "RMH", "RCL"]
    assert etr.rows[0]["row"] == 1 and etr.skipped[0]["row"] == 5
    with pytest.raises(HeaderError, match="Missing column 'forecast_outturn'"):
        parse_finance(b"org_code,period,plan_ytd,actual_ytd\r\nRAA,2016-04,1,2\r\n")
