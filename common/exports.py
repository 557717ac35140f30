"""CSV and XLSX export helpers shared by every download.

Spreadsheet programs run a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return) as a formula, and some still do when blanks come first (`` =1+1``) or when the
sign is a full-width character (``＝``). Every exported cell, headers included, goes through
:func:`safe_cell`, which prefixes such text with an apostrophe unless it is a plain number
(``-1234.56`` stays a number). XLSX cells also lose the control characters a workbook cannot hold.

A page's table downloads through :func:`table_csv_response`: its columns are (key, label, kind)
as the page shows them, the header row is the labels and every cell is written by its kind
(:func:`export_value`): money and percentages to 2 decimals, dates and times in ISO 8601, codes
(a status) as the page's words, lists ``; ``-joined.
"""
import csv
import datetime
import io
import re

from django.http import HttpResponse

from .money import money_text, pounds

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# What a worksheet cell cannot hold (openpyxl refuses it) and its longest text.
XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
XLSX_MAX_CELL = 32767
SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
FILENAME_ILLEGAL = re.compile(r"[^A-Za-z0-9._-]+")


def formula_like(text) -> bool:
    """Would a spreadsheet run ``text`` as a formula? It starts (blanks aside) with a formula
    character and is not a plain number. The one rule of every export."""
    text = str(text)
    stripped = text.strip()
    if stripped.startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return not NUMBER.match(stripped)
    return False


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if formula_like(text):
        return "'" + text
    return text


def xlsx_text(value) -> str:
    """Text as a worksheet cell can hold it: without the control characters openpyxl refuses, and
    no longer than a cell's limit. (Whether it looks like a formula is ``formula_like``'s to say.)"""
    return XLSX_ILLEGAL.sub("", str(value))[:XLSX_MAX_CELL]


def _xlsx_cell(value):
    value = safe_cell(value)
    if isinstance(value, str):
        value = xlsx_text(value)
    return value


def safe_filename(filename, default="download"):
    """A download name that cannot break out of the Content-Disposition header."""
    name = FILENAME_ILLEGAL.sub("-", str(filename)).strip(".-")
    return name or default


def csv_text(rows, fieldnames):
    """Rows (dicts) as CSV text with a header, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in fieldnames])
    for row in rows:
        writer.writerow([safe_cell(row.get(key)) for key in fieldnames])
    return buffer.getvalue()


def export_value(value, kind="text", words=None):
    """One cell of a download as its column's ``kind`` writes it: ``money`` ``-1234.50``,
    ``percent`` ``92.50`` (2 decimals, as displayed), ``date`` ``2016-12-01``, ``datetime``
    ``2017-01-10T09:30:00+00:00`` (UTC), ``month`` ``2016-12``, ``list`` ``a; b``, ``bool``
    Yes/No; a code found in ``words`` (e.g. a status) as its word; nothing as an empty cell."""
    if value is None or value == "":
        return ""
    if words and value in words:
        return words[value]
    if kind == "money":
        return money_text(value)
    if kind == "percent":
        return f"{pounds(value)}"
    if kind == "datetime" and isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.isoformat(timespec="seconds")
    if kind in ("date", "datetime") and isinstance(value, datetime.date):
        return value.isoformat()
    if kind == "month" and isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    if kind == "list" and isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    if kind == "bool":
        return "Yes" if value else "No"
    return value


def table_rows(rows, columns, words=None):
    """Rows (dicts) as a table's download: a list of cells per row in the order of ``columns``
    ((key, label, kind)), each written by :func:`export_value`; ``words``: {kind: {code: word}},
    e.g. the status words, or {column key: {code: word}} for one column."""
    words = words or {}
    return [[export_value(row.get(key), kind, words.get(key, words.get(kind))) for key, _, kind in columns]
            for row in rows]


def table_csv_text(rows, columns, words=None):
    """A page's table as CSV text: the header row is the column labels the page shows, every
    cell neutralised (:func:`safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(label) for _, label, _ in columns])
    for cells in table_rows(rows, columns, words):
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def table_csv_response(filename, rows, columns, words=None):
    """A page's table as a CSV download (see :func:`table_csv_text`)."""
    response = HttpResponse(table_csv_text(rows, columns, words), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, "export.csv")}"'
    return response


def csv_response(filename, rows, fieldnames):
    response = HttpResponse(csv_text(rows, fieldnames), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, "export.csv")}"'
    return response


def xlsx_bytes(rows, fieldnames, sheet_title="Sheet1"):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    title = SHEET_TITLE_ILLEGAL.sub("-", str(sheet_title)).strip("'")[:31] or "Sheet1"
    sheet = workbook.create_sheet(title=title)
    sheet.append([_xlsx_cell(name) for name in fieldnames])
    for row in rows:
        sheet.append([_xlsx_cell(row.get(key)) for key in fieldnames])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename, rows, fieldnames, sheet_title="Sheet1"):
    response = HttpResponse(xlsx_bytes(rows, fieldnames, sheet_title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, "export.xlsx")}"'
    return response
