"""Reading uploaded files and parsing their cells. Pure: no database.

A file becomes a :class:`Table` (header and rows of text cells). CSV may be UTF-8 (with or
without a byte-order mark) or Windows-1252; XLSX is read from its first sheet, taking the cached
value of formula cells. Cell parsers raise :class:`CellError` with a message that says what is
wrong; the kind parsers turn those into :class:`RowError` records naming row, column and value.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2
(a file without a header row, such as ODS ``etr.csv``, starts at row 1).
"""
import csv
import datetime
import io
import math
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

MONEY_LIMIT = Decimal("10000000000")  # £10bn: larger figures are typing errors, not trusts
COUNT_LIMIT = 100_000_000
MONTHS = {
    name: number
    for number, name in enumerate(
        ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
         "NOVEMBER", "DECEMBER"],
        start=1,
    )
}


class CellError(ValueError):
    """A cell's value cannot be used; the message says why (without naming row or column)."""


class FileError(ValueError):
    """The file as a whole cannot be read (empty, not CSV/XLSX, undecodable)."""


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def to_dict(self):
        return asdict(self)

    def __str__(self):
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column}" if self.column else ""
        value = f" ({self.value!r})" if self.value != "" else ""
        return f"{where}{column}{value}: {self.message}"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    first_row_number: int = 2  # the spreadsheet row number of rows[0]
    has_header: bool = True

    def numbered(self):
        """(row number, cells) for every row that is not wholly blank."""
        for offset, cells in enumerate(self.rows):
            if any(cell.strip() for cell in cells):
                yield self.first_row_number + offset, cells


@dataclass
class Parsed:
    """What a kind parser returns: typed rows (each with its ``row`` number) and every error."""

    kind: str
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"row", "org_code", "reason"}
    partial: list[dict] = field(default_factory=list)  # rows with cell errors, kept for the org code checks
    notes: dict = field(default_factory=dict)

    def keep(self, reader, row):
        """Keep a row read by ``reader``: as a clean row, or (with errors) for the org code checks."""
        (self.rows if reader.ok else self.partial).append(row)

    def error(self, row, column, value, message):
        self.errors.append(RowError(row, column, "" if value is None else str(value), message))


# --- Files -----------------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"


def read_table(data: bytes, *, has_header: bool | None = True) -> Table:
    """The first sheet of an XLSX file, or a CSV file, as text cells.

    ``has_header=None`` lets the caller decide later: the first row is returned as ``header``
    and also kept as the first data row position (``first_row_number`` 2).
    """
    if not data or not data.strip():
        raise FileError("The file is empty.")
    if data.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileError("Old Excel (.xls) files are not read: save the sheet as .xlsx or CSV.")
    else:
        rows = _csv_rows(data)
    rows = [[cell.strip() for cell in row] for row in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise FileError("The file is empty.")
    if has_header is False:
        return Table(header=[], rows=rows, first_row_number=1, has_header=False)
    header = rows[0]
    return Table(header=header, rows=rows[1:], first_row_number=2, has_header=True)


def as_table(source, *, has_header: bool = True) -> Table:
    """A Table from a Table, bytes, or a binary file-like object (so ``parse_<kind>`` takes any)."""
    if isinstance(source, Table):
        return source
    if hasattr(source, "read"):
        source = source.read()
    return read_table(bytes(source), has_header=has_header)


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise FileError("The file is not a CSV or XLSX file (it looks binary).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileError("The file is neither UTF-8 nor Windows-1252 text.") from exc


def _csv_rows(data: bytes):
    text = decode_text(data)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as exc:
        raise FileError(f"The CSV cannot be read: {exc}.") from exc


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise FileError(f"The XLSX file cannot be read ({exc.__class__.__name__}).") from exc
    try:
        if not workbook.worksheets:
            raise FileError("The workbook has no sheets.")
        sheet = workbook.worksheets[0]
        return [
            [xlsx_cell_text(cell.value, getattr(cell, "number_format", None)) for cell in row]
            for row in sheet.iter_rows()
        ]
    finally:
        workbook.close()


def xlsx_cell_text(value, number_format=None) -> str:
    """A cached XLSX value as the text a user would type.

    A number shown as a percentage (stored as 0.925, displayed 92.5%) reads as ``92.5%``, as
    the user sees it, so a percent column takes it and a money or count column reports it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and number_format and "%" in number_format and math.isfinite(value):
        return f"{xlsx_cell_text(value * 100)}%"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Formula results carry binary noise (0.1 + 0.2); nine decimals is more than any cell here.
        text = f"{round(value, 9):.9f}".rstrip("0").rstrip(".")
        return text
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --- Headers ---------------------------------------------------------------------------------


def normalise_header(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").strip().lower().split())


class HeaderError(ValueError):
    """The header is not the expected one; lists every missing, unknown and repeated column."""

    def __init__(self, *, missing=(), unknown=(), repeated=()):
        self.missing, self.unknown, self.repeated = list(missing), list(unknown), list(repeated)
        super().__init__("; ".join(error.message for error in self.errors()))

    def errors(self):
        found = []
        for name in self.missing:
            found.append(RowError(1, name, "", f"Missing column {name!r}."))
        for name in self.unknown:
            found.append(RowError(1, name, name, f"Unknown column {name!r}."))
        for name in self.repeated:
            found.append(RowError(1, name, name, f"Column {name!r} appears more than once."))
        return found


def check_header(header, required, optional=(), *, allow_unknown=False) -> dict:
    """Map each expected column to its position; raise HeaderError listing every problem."""
    names = [normalise_header(name) for name in header]
    expected = list(required) + list(optional)
    positions, repeated, unknown = {}, [], []
    for index, name in enumerate(names):
        if not name and not allow_unknown:
            if any(row_name for row_name in names[index:]):
                unknown.append(f"(blank column {index + 1})")
            continue
        if name in positions:
            repeated.append(name)
        elif name in expected:
            positions[name] = index
        elif name and not allow_unknown:
            unknown.append(name)
    missing = [name for name in required if name not in positions]
    if missing or unknown or repeated:
        raise HeaderError(missing=missing, unknown=unknown, repeated=repeated)
    return positions


def cell(cells, position):
    if position is None or position >= len(cells):
        return ""
    return cells[position]


# --- Cells -----------------------------------------------------------------------------------

MONEY_TEXT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")
NUMBER_TEXT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
NOT_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}


def _reject_not_finite(text):
    if text.lower() in NOT_FINITE:
        raise CellError("is not a finite number.")


def parse_money(text: str) -> Decimal:
    """Pounds as a 2-decimal Decimal: ``1234.56``, ``-1234``, ``£1,234``, ``(1,234)`` (negative)."""
    raw = str(text).strip()
    if raw == "":
        raise CellError("is empty: a sum of money is required.")
    _reject_not_finite(raw)
    body, negative = raw.replace(" ", ""), False
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1], True
    if body.startswith("-"):
        if negative:
            raise CellError("is not a sum of money (use 1234.56, -1234, £1,234 or (1,234)).")
        body, negative = body[1:], True
    if body.startswith("£"):
        body = body[1:]
    if body.startswith("-") and not negative:
        body, negative = body[1:], True
    if not MONEY_TEXT.match(body):
        raise CellError("is not a sum of money (use 1234.56, -1234, £1,234 or (1,234)).")
    value = Decimal(body.replace(",", ""))
    if value != value.quantize(Decimal("0.01")):
        raise CellError("has more than two decimal places (pounds and pence).")
    value = value.quantize(Decimal("0.01"))
    if negative:
        value = -value
    if abs(value) > MONEY_LIMIT:
        raise CellError("is beyond £10bn either way: check the units (pounds, not thousands).")
    return value


def _number(text, what):
    raw = str(text).strip()
    if raw == "":
        raise CellError(f"is empty: {what} is required.")
    _reject_not_finite(raw)
    if raw.endswith("%"):
        raw = raw[:-1].strip()
    if not NUMBER_TEXT.match(raw):
        raise CellError(f"is not a number ({what} is required).")
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above guards this
        raise CellError(f"is not a number ({what} is required).") from exc


def parse_count(text: str, *, blank_is_zero: bool = False) -> int:
    """A whole, non-negative number (commas allowed)."""
    if blank_is_zero and str(text).strip() in {"", "-"}:
        return 0
    value = _number(text, "a whole number")
    if value != value.to_integral_value():
        raise CellError("is fractional: a count must be a whole number.")
    if value < 0:
        raise CellError("is negative: a count cannot be below zero.")
    if value > COUNT_LIMIT:
        raise CellError(f"is larger than {COUNT_LIMIT:,}: check the figure.")
    return int(value)


def parse_percent(text: str) -> Decimal:
    """A percentage between 0 and 100 (``92.5`` or ``92.5%``), at most 2 decimal places."""
    value = _number(text, "a percentage")
    if not (0 <= value <= 100):
        raise CellError("is outside 0-100: a percentage is required (e.g. 92.5).")
    if value != value.quantize(Decimal("0.01")):
        raise CellError("has more than two decimal places.")
    return value.quantize(Decimal("0.01"))


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


def parse_yes_no(text: str) -> bool:
    value = str(text).strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellError("is not yes or no.")


MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00(?::00)?)?$")
NHSE_PERIOD = re.compile(r"^MSITAE-([A-Z]+)-(\d{4})$")


def parse_month(text: str) -> datetime.date:
    """``YYYY-MM`` (or a first-of-month date ``YYYY-MM-01``, as spreadsheets store it)."""
    raw = str(text).strip()
    if raw == "":
        raise CellError("is empty: a month (YYYY-MM) is required.")
    match = MONTH_TEXT.match(raw)
    if not match:
        raise CellError("is not a month: use YYYY-MM (e.g. 2016-06).")
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    if not 1 <= month <= 12:
        raise CellError("is not a month: the month must be 01 to 12.")
    if day != 1:
        raise CellError("is a date within a month: give the month as YYYY-MM.")
    if year < 2000:
        raise CellError("is before 2000: check the year.")
    return datetime.date(year, month, 1)


def parse_nhse_period(text: str) -> datetime.date:
    """NHS England's ``MSitAE-APRIL-2016`` (also plain ``YYYY-MM``)."""
    raw = str(text).strip()
    match = NHSE_PERIOD.match(raw.upper())
    if match:
        if match[1] not in MONTHS:
            raise CellError(f"names an unknown month {match[1]!r}.")
        return datetime.date(int(match[2]), MONTHS[match[1]], 1)
    try:
        return parse_month(raw)
    except CellError as exc:
        raise CellError("is not a period such as MSitAE-APRIL-2016.") from exc


def parse_date(text: str) -> datetime.date | None:
    """An ODS date: ``YYYYMMDD`` or ``YYYY-MM-DD``; blank is None."""
    raw = str(text).strip()
    if not raw:
        return None
    for pattern in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise CellError("is not a date (YYYYMMDD or YYYY-MM-DD).")


ORG_CODE = re.compile(r"^[A-Z0-9]{3,8}$")


def parse_org_code(text: str) -> str:
    value = str(text).strip().upper()
    if not value:
        raise CellError("is empty: an ODS organisation code is required.")
    if not ORG_CODE.match(value):
        raise CellError("is not an ODS organisation code (3 to 8 letters and digits).")
    return value


def parse_scheme_year(text: str) -> str:
    """A financial year such as ``2016-17`` (``2016/17`` is accepted too)."""
    raw = str(text).strip().replace("/", "-")
    match = re.match(r"^(\d{4})-(\d{2})$", raw)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise CellError("is not a financial year such as 2016-17.")
    return raw


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


class RowReader:
    """Reads typed cells of one row, collecting every error instead of stopping at the first."""

    def __init__(self, parsed: Parsed, row_number: int, cells: list, positions: dict, labels: dict | None = None):
        self.parsed, self.row, self.cells, self.positions = parsed, row_number, cells, positions
        self.labels = labels or {}
        self.ok = True

    def raw(self, column):
        return cell(self.cells, self.positions.get(column))

    def get(self, column, parser, **kwargs):
        value = self.raw(column)
        try:
            return parser(value, **kwargs)
        except CellError as exc:
            self.fail(column, value, str(exc))
            return None

    def fail(self, column, value, message):
        self.ok = False
        label = self.labels.get(column, column)
        shown = "" if value is None else str(value)
        if message[0].islower():
            message = f"{shown!r} {message}" if shown else f"The cell {message}"
        self.parsed.error(self.row, label, shown, message)


def check_duplicates(parsed: Parsed, key_fields, column_label):
    """Flag rows whose key repeats an earlier row of the same file."""
    seen = {}
    for row in parsed.rows:
        key = tuple(row[name] for name in key_fields)
        if key in seen:
            shown = " ".join(value.strftime("%Y-%m") if isinstance(value, datetime.date) else str(value) for value in key)
            parsed.error(row["row"], column_label, shown, f"Duplicate: {shown} already appears in row {seen[key]}.")
        else:
            seen[key] = row["row"]


@dataclass(frozen=True)
class Column:
    """One column of a canonical file: where its value goes in the row and how it is read."""

    name: str
    header: str
    parse: object
    options: dict = field(default_factory=dict)
    optional: bool = False


def parse_rows(table, *, kind: str, columns: list, key: list, check=None) -> Parsed:
    """Read a canonical file: the header first, then every cell through its column's parser, all
    errors collected; ``check(reader, row)`` adds cross-column rules; repeated keys are errors."""
    table = as_table(table)
    parsed = Parsed(kind=kind)
    positions = check_header(
        table.header, [c.header for c in columns if not c.optional], [c.header for c in columns if c.optional]
    )
    for number, cells in table.numbered():
        reader = RowReader(parsed, number, cells, positions)
        row = {"row": number}
        for column in columns:
            row[column.name] = reader.get(column.header, column.parse, **column.options)
        if check is not None:
            check(reader, row)
        parsed.keep(reader, row)
    check_duplicates(parsed, key, "org_code")
    return parsed

