"""XLSX and CSV files read within limits (common.xlsx, common.tabular.read_table): values as the
user sees them, a declared dimension never trusted, zip sizes checked before and while
unpacking, no DOCTYPE, and reading stopped at the first row, column or cell past a limit."""
import datetime
import io
import struct
import zipfile

import pytest
from openpyxl import Workbook

from common.errors import FileError
from common.tabular import Parsed, read_table
from common.workbooks import SheetLayout, read_workbook
from common import xlsx
from common.xlsx import Book, Limits
from tests.security import hostile


def openpyxl_bytes(rows, formats=None):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for reference, number_format in (formats or {}).items():
        sheet[reference].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_values_read_as_the_user_sees_them():
    data = openpyxl_bytes(
        [["org_code", "period", "share", "flag", "amount"],
         ["RAA", datetime.datetime(2016, 8, 1), 0.925, True, -1200000.5],
         ["RBB", "2016-09", 3, False, None, None, "x"]],
        formats={"C2": "0.0%", "B2": "yyyy-mm-dd"})
    table = read_table(data)
    assert table.source == "xlsx" and table.header == ["org_code", "period", "share", "flag", "amount"]
    assert table.rows == [["RAA", "2016-08-01", "92.5%", "yes", "-1200000.5"],
                          ["RBB", "2016-09", "3", "no", "", "", "x"]]


def test_a_declared_dimension_pads_nothing():
    rows = [hostile.inline_row(1, ["org_code", "period"]), hostile.inline_row(2, ["RAA", "2016-04"])]
    table = read_table(hostile.xlsx(hostile.sheet_xml(rows, dimension="A1:XFD1048576")))
    assert table.header == ["org_code", "period"] and table.rows == [["RAA", "2016-04"]]


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size written as ``size`` in its headers."""
    raw = bytearray(data)
    encoded = name.encode()
    central = raw.find(b"PK\x01\x02")
    position = 0
    while (position := raw.find(b"PK\x01\x02", position)) != -1:
        length = struct.unpack("<H", raw[position + 28:position + 30])[0]
        if raw[position + 46:position + 46 + length] == encoded:
            struct.pack_into("<I", raw, position + 24, size)
            local = struct.unpack("<I", raw[position + 42:position + 46])[0]
            struct.pack_into("<I", raw, local + 22, size)
        position += 4
    assert central != -1
    return bytes(raw)


def test_a_part_that_unpacks_to_more_than_its_directory_says_is_refused():
    rows = [hostile.inline_row(1, ["org_code", "period"])] + [hostile.inline_row(n, ["RAA", "2016-04"])
                                                             for n in range(2, 2000)]
    data = lie_about_size(hostile.xlsx(hostile.sheet_xml(rows)), "xl/worksheets/sheet1.xml", 500)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size == 500
    with pytest.raises(FileError, match="xl/worksheets/sheet1.xml"):
        read_table(data)


def test_unpacked_size_and_shared_strings_are_checked_from_the_zip_directory():
    strings = f'<?xml version="1.0"?><sst xmlns="{hostile.MAIN}"><si><t>org_code</t></si><si><t>{"A" * 5000}</t></si></sst>'
    sheet = hostile.sheet_xml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                               '<row r="2"><c r="A2" t="s"><v>1</v></c></row>'])
    data = hostile.xlsx(sheet, strings)
    total = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(FileError, match=f"unpacks to {total:,} bytes, over the limit of 4,000 bytes"):
        read_table(data, limits=Limits(xlsx_bytes=4000))
    with pytest.raises(FileError, match=f"shared strings part is {len(strings):,} bytes, over the limit of 1,000 bytes"):
        read_table(data, limits=Limits(shared_strings_bytes=1000))
    assert read_table(data, limits=Limits(xlsx_bytes=total, shared_strings_bytes=len(strings))).rows == [["A" * 5000]]


def test_an_entity_in_the_shared_strings_is_refused():
    laughs = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              f'<sst xmlns="{hostile.MAIN}"><si><t>&b;</t></si></sst>')
    sheet = hostile.sheet_xml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    with pytest.raises(FileError, match="DOCTYPE"):
        read_table(hostile.xlsx(sheet, laughs))


def test_broken_xml_is_a_file_error():
    with pytest.raises(FileError, match="not well-formed XML"):
        read_table(hostile.xlsx('<?xml version="1.0"?><worksheet><sheetData><row>'))


@pytest.mark.parametrize("limits, words", [
    (Limits(rows=3), "more than 3 rows (its sheet has 6)"),  # counted before reading
    (Limits(columns=2), "Row 1 has more than 2 columns (column C)"),
    (Limits(cells=7), "more than 7 non-empty cells (its sheet has 18 values)"),
])
def test_an_xlsx_is_read_up_to_its_limits(limits, words):
    rows = [["org_code", "period", "plan_ytd"]] + [["RAA", "2016-04", n] for n in range(5)]
    data = openpyxl_bytes(rows)
    with pytest.raises(FileError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_table(data, limits=limits)
    assert len(read_table(data, limits=Limits(rows=6, columns=3, cells=18)).rows) == 5


@pytest.mark.parametrize("limits, words", [
    (Limits(rows=3), "more than 3 rows (reading stopped at row 4)"),
    (Limits(columns=3), "Line 1 has 3 commas: a file may have at most 3 columns"),
    (Limits(cells=7), "more than 7 non-empty cells (reading stopped at row 2)"),  # 4 + 4 cells
])
def test_a_csv_is_read_up_to_its_limits(limits, words):
    data = b"org_code,period,plan_ytd,actual_ytd\n" + b"RAA,2016-04,1,2\n" * 5
    with pytest.raises(FileError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_table(data, limits=limits)
    assert len(read_table(data, limits=Limits(rows=6, columns=4, cells=24)).rows) == 5


def test_errors_past_the_cap_are_counted_not_kept():
    parsed = Parsed(kind="test", error_cap=2)
    for row in range(2, 7):
        parsed.error(row, "plan_ytd", "x", "bad")
    assert [error.row for error in parsed.errors] == [2, 3] and parsed.errors_beyond == 3
    assert parsed.errors_total == 5


LAYOUT = SheetLayout(description="a test layout", sheet="Provider", marker="Provider Code")


def test_a_published_workbook_is_read_within_the_same_limits():
    rows = [hostile.inline_row(1, ["Period:", "March 2017"]), hostile.inline_row(3, ["Provider Code", "Total"])]
    rows += [hostile.inline_row(n, [f"R{n:03d}", n]) for n in range(4, 20)]
    data = hostile.xlsx(hostile.sheet_xml(rows), sheet_name="Provider")
    table = read_workbook(data, [LAYOUT])
    assert table.header == ["Provider Code", "Total"] and table.rows[0] == ["R004", "4"]
    assert table.title["period"].value == "March 2017"
    with pytest.raises(FileError, match="more than 10 rows"):
        read_workbook(data, [LAYOUT], Limits(rows=10))
    doctype = hostile.xlsx(hostile.sheet_xml(rows, prologue="<!DOCTYPE worksheet>"), sheet_name="Provider")
    with pytest.raises(FileError, match="DOCTYPE"):
        read_workbook(doctype, [LAYOUT])


def test_a_merged_label_fills_its_range_beyond_the_cells_the_row_has():
    rows = [hostile.inline_row(1, ["Provider Code", "Weeks"]),
            hostile.inline_row(2, ["Provider Code", ">0-1", ">1-2", ">2-3"]),
            hostile.inline_row(3, ["RAA", 1, 2, 3])]
    sheet = hostile.sheet_xml(rows).replace(
        "</sheetData>", '</sheetData><mergeCells count="2"><mergeCell ref="A1:A2"/><mergeCell ref="B1:D1"/></mergeCells>')
    table = read_workbook(hostile.xlsx(sheet, sheet_name="Provider"), [LAYOUT])
    assert table.header == ["Provider Code", ">0-1", ">1-2", ">2-3"] and table.rows == [["RAA", "1", "2", "3"]]


def test_tags_are_counted_across_the_chunks_a_part_is_read_in(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK", 7)  # every tag straddles a chunk boundary somewhere
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, 301))
    data = hostile.xlsx(hostile.sheet_xml([rows]))
    with pytest.raises(FileError, match=r"more than 299 rows \(its sheet has 300\)"):
        Book(data, Limits(rows=299)).rows("Sheet1", lambda value, number_format: str(value))
    with pytest.raises(FileError, match=r"more than 299 non-empty cells \(its sheet has 300 values\)"):
        Book(data, Limits(cells=299)).rows("Sheet1", lambda value, number_format: str(value))
    rows, merged = Book(data, Limits(rows=300, cells=300)).rows("Sheet1", lambda value, number_format: str(value))
    assert len(rows) == 300 and rows[-1] == ["1"] and merged == []


def test_rows_numbered_again_and_again_still_count_against_the_limit():
    sheet = hostile.sheet_xml(['<row r="1"><c r="A1"><v>1</v></c></row>'] * 5)
    with pytest.raises(FileError, match="more than 3 rows"):
        read_table(hostile.xlsx(sheet), limits=Limits(rows=3))
