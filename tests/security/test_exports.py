"""CSV and XLSX downloads never hand a spreadsheet a formula to run."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from common.exports import csv_response, csv_text, safe_cell, safe_filename, xlsx_bytes, xlsx_response

DANGEROUS = [
    ("=1+1", "'=1+1"),
    ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\n=1+1", "'\n=1+1"),
    (" =HYPERLINK(\"http://evil.example\",\"x\")", "' =HYPERLINK(\"http://evil.example\",\"x\")"),
    ("   @cmd", "'   @cmd"),
    ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
    ("-", "'-"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
]

HARMLESS = [
    ("-1234.56", "-1234.56"),
    ("+12", "+12"),
    ("-1e5", "-1e5"),
    ("-.5", "-.5"),
    ("Guy's and St Thomas'", "Guy's and St Thomas'"),
    ("A&E 91.20% is below 95.00%", "A&E 91.20% is below 95.00%"),
    (" leading blank", " leading blank"),
    ("", ""),
]


@pytest.mark.parametrize(("value", "expected"), DANGEROUS + HARMLESS)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_safe_cell_keeps_types_that_cannot_be_formulas():
    assert safe_cell(-5) == -5
    assert safe_cell(-2.5) == -2.5
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"
    assert safe_cell(Decimal("-1234.50")) == "-1234.50"


def _rows():
    return [
        {"org_code": "RXX", "note": "=1+1", "amount": Decimal("-1000.00"), "name": "@evil"},
        {"org_code": "RYY", "note": " =2*3", "amount": "-12.5", "name": "-2+3"},
        {"org_code": "RZZ", "note": "\t=x", "amount": -7, "name": None},
    ]


FIELDS = ["org_code", "note", "amount", "name"]


def test_csv_neutralises_formula_cells_but_not_numbers():
    text = csv_text(_rows(), FIELDS)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == FIELDS
    assert rows[1] == ["RXX", "'=1+1", "-1000.00", "'@evil"]
    assert rows[2] == ["RYY", "' =2*3", "-12.5", "'-2+3"]
    assert rows[3] == ["RZZ", "'\t=x", "-7", ""]


def test_csv_neutralises_a_dangerous_header_too():
    text = csv_text([{"=bad": "1"}], ["=bad"])
    assert text.splitlines()[0] == "'=bad"


def _read_xlsx(data):
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    return sheet, [[cell for cell in row] for row in sheet.iter_rows()]


def test_xlsx_read_back_has_no_formula_cells():
    sheet, rows = _read_xlsx(xlsx_bytes(_rows(), FIELDS, sheet_title="Eligibility"))
    assert sheet.title == "Eligibility"
    values = [[cell.value for cell in row] for row in rows]
    assert values[0] == FIELDS
    assert values[1] == ["RXX", "'=1+1", "-1000.00", "'@evil"]
    assert values[2] == ["RYY", "' =2*3", "-12.5", "'-2+3"]
    assert values[3] == ["RZZ", "'\t=x", -7, None]
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"


def test_an_unneutralised_value_would_be_a_formula_in_openpyxl():
    """The guard matters: openpyxl itself stores any text beginning with = as a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, rows = _read_xlsx(buffer.getvalue())
    assert rows[0][0].data_type == "f"


def test_xlsx_drops_control_characters_a_workbook_cannot_hold():
    _, rows = _read_xlsx(xlsx_bytes([{"file": "returns\x00\x07.csv"}], ["file"]))
    assert rows[1][0].value == "returns.csv"


def test_xlsx_sheet_title_with_forbidden_characters_is_cleaned():
    sheet, _ = _read_xlsx(xlsx_bytes([], ["a"], sheet_title="2016/17 Q1: [all]"))
    assert sheet.title == "2016-17 Q1- -all-"


def test_download_names_cannot_break_the_header():
    assert safe_filename('a"; filename=evil.exe\r\n') == "a-filename-evil.exe"
    assert safe_filename("../../etc/passwd") == "etc-passwd"
    assert safe_filename('"', default="export.csv") == "export.csv"
    response = csv_response('elig"ibility.csv', [{"a": "=1"}], ["a"])
    assert response["Content-Disposition"] == 'attachment; filename="elig-ibility.csv"'
    assert response.content.decode() == "a\r\n'=1\r\n"
    response = xlsx_response("eligibility 2016-17.xlsx", [{"a": "=1"}], ["a"])
    assert response["Content-Disposition"] == 'attachment; filename="eligibility-2016-17.xlsx"'
    _, rows = _read_xlsx(response.content)
    assert rows[1][0].value == "'=1"


EVIL_FILE = "=2+5+cmd|' /C calc'!A0.csv"
EVIL_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.django_db
def test_downloads_of_the_site_neutralise_what_users_typed(client, director, home_trust):
    """A file name chosen by a finance director and a trust name from an import reach CSV downloads."""
    import datetime

    from finance.services import recompute
    from tests.factories import AllocationFactory, FinanceReturnFactory, UploadFactory

    home_trust.name = EVIL_NAME
    home_trust.save()
    upload = UploadFactory(uploaded_by=director, file_name=EVIL_FILE)
    upload.trusts.add(home_trust)
    AllocationFactory(trust=home_trust)
    FinanceReturnFactory(trust=home_trust, month=datetime.date(2016, 6, 1), upload=upload)
    recompute()
    client.force_login(director)

    uploads_csv = client.get(f"/trusts/{home_trust.org_code}/", {"format": "csv", "chart": "uploads"})
    assert uploads_csv.status_code == 200
    cells = [cell for line in csv.reader(io.StringIO(uploads_csv.content.decode())) for cell in line]
    assert "'" + EVIL_FILE in cells
    assert EVIL_FILE not in cells

    eligibility_csv = client.get("/api/v1/eligibility/", {"format": "csv"})
    assert eligibility_csv.status_code == 200
    cells = [cell for line in csv.reader(io.StringIO(eligibility_csv.content.decode())) for cell in line]
    assert "'" + EVIL_NAME in cells
    assert not [cell for cell in cells if cell.startswith(("=", "@", "+")) or (cell.startswith("-") and not cell[1:2].isdigit())]
