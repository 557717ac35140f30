"""Reading tables: headers checked whole, row numbers as in the spreadsheet, unreadable files,
XLSX cells as text (pure: no database)."""
import datetime
import io
import time

import pytest
from openpyxl import Workbook

from common.errors import FileError, HeaderError, column_letter, column_letters
from common.tabular import (
    Parsed,
    Table,
    check_header,
    filled_width,
    header_width,
    read_table,
    repeated_columns,
    shaped_rows,
    xlsx_cell_text,
)


def test_header_lists_every_problem_at_once():
    with pytest.raises(HeaderError) as caught:
        check_header(["Org_Code", "period", "period", "colour"], ["org_code", "period", "metric"])
    assert [(e.row, e.column, e.message) for e in caught.value.errors()] == [
        (1, "metric", "Missing column 'metric'."),
        (1, "colour", "Unknown column 'colour'."),
        (1, "period", "Column 'period' appears more than once (columns B and C): each column may appear "
                      "only once, so the file cannot say which one holds the values."),
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


# --- Column letters and header shape --------------------------------------------------------


@pytest.mark.parametrize("index, letters", [(0, "A"), (4, "E"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"),
                                            (52, "BA"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_column_letters_and_a_negative_index():
    assert (column_letters([1]), column_letters([1, 3]), column_letters([1, 3, 27])) == ("B", "B and D", "B, D and AB")
    with pytest.raises(ValueError):
        column_letter(-1)


def test_header_width_ignores_the_empty_cells_after_the_last_name():
    assert header_width(["a", "", "c", "", " "]) == 3
    assert header_width(["", ""]) == 0 and header_width([]) == 0


def test_repeated_columns_are_found_whatever_their_case_and_spacing():
    assert repeated_columns(["Period", "org_code", " period ", "x", "PERIOD", "", "", "X"]) == [
        ("period", [0, 2, 4]), ("x", [3, 7])]
    assert repeated_columns(["a", "b", "", ""]) == []


def test_a_repeated_column_is_a_header_error_even_when_unknown_columns_are_allowed():
    with pytest.raises(HeaderError) as caught:
        check_header(["org_code", "name", "postcode", "Postcode"], ["org_code", "name"], allow_unknown=True)
    assert [(e.column, e.message) for e in caught.value.errors()] == [
        ("postcode", "Column 'postcode' appears more than once (columns C and D): each column may appear only once, "
                     "so the file cannot say which one holds the values.")]


def test_a_blank_column_between_named_ones_is_reported_but_not_blank_columns_after_them():
    with pytest.raises(HeaderError) as caught:
        check_header(["org_code", "", "period", "", ""], ["org_code", "period"])
    assert caught.value.unknown == ["(blank column 2)"]
    assert check_header(["org_code", "period", "", ""], ["org_code", "period"]) == {"org_code": 0, "period": 1}


def test_header_checking_is_linear_in_the_number_of_columns():
    header = [""] * 60_000 + ["org_code"]
    started = time.perf_counter()
    with pytest.raises(HeaderError) as caught:
        check_header(header, ["org_code", "period"])
    assert time.perf_counter() - started < 5  # quadratic checking took minutes here
    assert len(caught.value.unknown) == 60_000 and caught.value.missing == ["period"]


def test_header_checking_is_linear_in_the_number_of_unknown_columns():
    header = ["org_code"] + [f"column {number}" for number in range(60_000)] + ["column 7"]
    started = time.perf_counter()
    with pytest.raises(HeaderError) as caught:
        check_header(header, ["org_code", "period"])
    assert time.perf_counter() - started < 5  # each name was looked for in a list of the earlier ones
    assert len(caught.value.unknown) == 60_000 and caught.value.unknown[-1] == "column 59999"
    assert caught.value.repeated == [("column 7", [8, 60_001])]


# --- Row shape ---------------------------------------------------------------------------------


def shaped(table, **kwargs):
    parsed = Parsed(kind="test")
    rows = list(shaped_rows(table, parsed, **kwargs))
    return rows, [(e.row, e.column, e.value, e.message) for e in parsed.errors]


def test_filled_width_counts_to_the_last_non_empty_cell():
    assert filled_width(["a", "", "b", "", " "]) == 3 and filled_width(["", ""]) == 0 and filled_width([]) == 0


def test_shaped_rows_yields_rows_of_the_header_width_and_reports_the_others():
    table = read_table(b"a,b,c\r\n1,2,3\r\n1,2,3,4,5\r\n1,2\r\n1,2,3,,\r\n,,,,\r\n7,8,9\r\n")
    rows, errors = shaped(table)
    assert rows == [(2, ["1", "2", "3"]), (5, ["1", "2", "3", "", ""]), (7, ["7", "8", "9"])]
    assert errors == [
        (3, "D to E", "1,2,3,4,5", "Row 3 has 5 cells; the header has 3 columns (an unquoted thousands separator such "
                                   "as 3,000,000 splits a number into cells: quote it or remove the commas)."),
        (4, "c", "1,2", "Row 4 has 2 cells; the header has 3 columns (nothing for c: a value or its comma is missing, "
                        "or the row is broken over two lines)."),
    ]


def test_a_row_shown_in_an_error_quotes_its_cells_that_hold_commas():
    table = read_table(b'name,n\r\n"Smith, J",1,2\r\n')
    assert shaped(table)[1][0][2] == '"Smith, J",1,2'


def test_a_layout_without_header_row_is_checked_against_its_fixed_width():
    table = read_table(b"a,b,c,d\r\na,b,c\r\na,b,c,d,e\r\n", has_header=False)
    rows, errors = shaped(table, width=4, layout="the layout")
    assert rows == [(1, ["a", "b", "c", "d"])]
    assert [(row, column, message.split(" (")[0]) for row, column, _, message in errors] == [
        (2, "D", "Row 2 has 3 cells; the layout has 4 columns"),
        (3, "E", "Row 3 has 5 cells; the layout has 4 columns"),
    ]
    assert "(nothing for column D:" in errors[0][3]


def test_an_xlsx_row_is_short_of_nothing_but_long_with_a_value_beyond_the_header():
    workbook = Workbook()
    for row in (["a", "b", "c"], [1], [1, 2, 3], [1, 2, 3, None, "x"]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.source == "xlsx" and header_width(table.header) == 3
    rows, errors = shaped(table)
    assert [number for number, _ in rows] == [2, 3]
    assert errors == [(4, "D to E", "1,2,3,,x", "Row 4 has 5 cells; the header has 3 columns (cells after column C, "
                                                "the header's last, must be empty: delete what is in columns D to "
                                                "E).")]


def test_a_hand_made_table_is_checked_as_a_csv():
    rows, errors = shaped(Table(header=["a", "b"], rows=[["1"], ["1", "2"]]))
    assert rows == [(3, ["1", "2"])] and [e[0] for e in errors] == [2]


def test_without_header_makes_the_header_the_first_data_row():
    table = read_table(b"R1,x\r\nR2,y\r\n")
    plain = table.without_header()
    assert (plain.header, plain.rows, plain.first_row_number, plain.has_header, plain.source) == (
        [], [["R1", "x"], ["R2", "y"]], 1, False, "csv")
    assert list(plain.numbered()) == [(1, ["R1", "x"]), (2, ["R2", "y"])]
    assert plain.without_header() is plain
