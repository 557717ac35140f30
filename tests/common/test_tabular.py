"""Reading tables: headers checked whole, row numbers as in the spreadsheet, unreadable files,
XLSX cells as text (pure: no database)."""
import datetime

import pytest

from common.errors import FileError, HeaderError
from common.tabular import check_header, read_table, xlsx_cell_text


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
