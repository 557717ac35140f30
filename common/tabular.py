"""Reading uploaded files as tables, and tables as typed rows with every error listed. Pure: no database.

A file becomes a :class:`Table` (header and rows of text cells). CSV may be UTF-8 (with or
without a byte-order mark) or Windows-1252; XLSX is read from its first sheet, taking the cached
value of formula cells. A :class:`Column` names a cell parser (:mod:`common.cells`), whose
:class:`CellError` :class:`RowReader` turns into a :class:`RowError` naming row, column and value.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2
(a file without a header row, such as ODS ``etr.csv``, starts at row 1).

Every parser reads its rows through :func:`shaped_rows`, which checks each row's shape before any
cell is read: a row with more non-empty cells than the header has columns (in a CSV, most often a
number such as ``-3,000,000`` written without quotes, which splits into three cells), or a CSV row
with fewer cells, is an error naming the row, and its cells are not read at all, since none of
them can be trusted to be under the column the header says. A repeated header column is a
:class:`HeaderError` (:func:`repeated_columns`).
"""
import csv
import datetime
import io
import math
from dataclasses import dataclass, field

from .errors import CellError, FileError, HeaderError, RowError, and_join, column_letter
from .xlsx import Book, Limits, too_many_cells, too_many_columns, too_many_rows


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    first_row_number: int = 2  # the spreadsheet row number of rows[0]
    has_header: bool = True
    # "csv" or "xlsx": an XLSX row has no cells missing (an absent cell is an empty one), a CSV row may.
    source: str = "csv"
    # A workbook read by its layout (common.workbooks): the sheet read, and its title block
    # (label -> TitleCell: "Period" -> the month the sheet is about).
    sheet: str | None = None
    title: dict = field(default_factory=dict)

    def without_header(self) -> "Table":
        """The same file read as having no header row: its first row is data, row 1."""
        if not self.has_header:
            return self
        return Table(header=[], rows=[self.header] + self.rows, first_row_number=1, has_header=False,
                     source=self.source)

    def numbered(self):
        """(row number, cells) for every row that is not wholly blank."""
        for offset, cells in enumerate(self.rows):
            if any(cell.strip() for cell in cells):
                yield self.first_row_number + offset, cells


def _error_cap():
    return Limits.from_settings().errors


@dataclass
class Parsed:
    """What a kind parser returns: typed rows (each with its ``row`` number) and its errors.

    The first ``error_cap`` errors are kept in full (``UPLOAD_MAX_ERRORS``); the ones after them
    are only counted, in ``errors_beyond``, and :func:`shaped_rows` stops at the next row
    (``stopped_at``): a file of bad rows costs a few hundred errors, not a list of every one.
    """

    kind: str
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"row", "org_code", "reason"}
    partial: list[dict] = field(default_factory=list)  # rows with cell errors, kept for the org code checks
    notes: dict = field(default_factory=dict)
    error_cap: int = field(default_factory=_error_cap)
    errors_beyond: int = 0
    stopped_at: int | None = None  # the row at which reading stopped, the errors past the cap

    def keep(self, reader, row):
        """Keep a row read by ``reader``: as a clean row, or (with errors) for the org code checks."""
        (self.rows if reader.ok else self.partial).append(row)

    def error(self, row, column, value, message):
        if len(self.errors) >= self.error_cap:
            self.errors_beyond += 1
            return
        self.errors.append(RowError(row, column, "" if value is None else str(value), message))

    @property
    def errors_total(self) -> int:
        return len(self.errors) + self.errors_beyond


# --- Files -----------------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"


def read_table(data: bytes, *, has_header: bool | None = True, limits: Limits | None = None,
               book: Book | None = None) -> Table:
    """The first sheet of an XLSX file, or a CSV file, as text cells, within ``limits`` (the
    settings' by default): a file of more rows, columns or non-empty cells is a FileError as soon
    as reading reaches the first one too many, and an XLSX is read as :class:`common.xlsx.Book`
    reads it.

    ``has_header=None`` lets the caller decide later: the first row is returned as ``header``
    and also kept as the first data row position (``first_row_number`` 2). ``book`` is the XLSX
    already opened (its shared strings read), for a caller that looked at it first.
    """
    if not data or not data.strip():
        raise FileError("The file is empty.")
    limits = limits or Limits.from_settings()
    source = "csv"
    if data.startswith(XLSX_MAGIC):
        rows, source = _xlsx_rows(data, limits, book), "xlsx"
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileError("Old Excel (.xls) files are not read: save the sheet as .xlsx or CSV.")
    else:
        rows = _csv_rows(data, limits)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise FileError("The file is empty.")
    if has_header is False:
        return Table(header=[], rows=rows, first_row_number=1, has_header=False, source=source)
    header = rows[0]
    return Table(header=header, rows=rows[1:], first_row_number=2, has_header=True, source=source)


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


def _bounded_lines(text: str, limits: Limits):
    """The CSV's lines, refusing one with more commas than a row may have columns before the
    CSV reader splits it (a header of millions of columns is never built)."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if line.count(",") >= limits.columns:
            raise FileError(f"Line {number:,} has {line.count(','):,} commas: a file may have at most "
                            f"{limits.columns:,} columns.")
        yield line


def _csv_rows(data: bytes, limits: Limits):
    """The CSV's rows, cells stripped, read one at a time and stopped at the first row, column or
    cell over ``limits``."""
    text = decode_text(data)
    rows, cells = [], 0
    try:
        for row in csv.reader(_bounded_lines(text, limits), strict=True):
            if len(rows) >= limits.rows:
                raise too_many_rows(len(rows) + 1, limits)
            if len(row) > limits.columns:
                raise too_many_columns(len(rows) + 1, limits)
            row = [cell.strip() for cell in row]
            cells += sum(1 for cell in row if cell)
            if cells > limits.cells:
                raise too_many_cells(len(rows) + 1, limits)
            rows.append(row)
    except csv.Error as exc:
        raise FileError(f"The CSV cannot be read: {exc}.") from exc
    return rows


def _xlsx_rows(data: bytes, limits: Limits, book: Book | None = None):
    """The first sheet's rows, cells stripped (from ``book`` when it is given)."""
    opened = book or Book(data, limits)
    try:
        if not opened.sheets:
            raise FileError("The workbook has no sheets.")
        rows, _merged = opened.rows(next(iter(opened.sheets)), xlsx_cell_text)
    finally:
        if book is None:
            opened.close()
    return [[cell.strip() for cell in row] for row in rows]


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


def header_width(header) -> int:
    """How many columns a header has: up to its last named one (the empty cells a spreadsheet
    keeps after it are no columns)."""
    for index in range(len(header) - 1, -1, -1):
        if normalise_header(header[index]):
            return index + 1
    return 0


def repeated_columns(header) -> list[tuple[str, list[int]]]:
    """``(name, positions)`` of every column name the header has more than once (case and spacing
    aside; positions counted from 0), in the order the names first appear."""
    positions = {}
    for index, name in enumerate(header):
        key = normalise_header(name)
        if key:
            positions.setdefault(key, []).append(index)
    return [(name, where) for name, where in positions.items() if len(where) > 1]


def check_header(header, required, optional=(), *, allow_unknown=False) -> dict:
    """Map each expected column to its position; raise HeaderError listing every problem (missing,
    unknown and repeated columns, and blank columns between named ones). Linear in the columns."""
    names = [normalise_header(name) for name in header]
    expected = set(required) | set(optional)
    positions, unknown, seen = {}, [], set()
    for index, name in enumerate(names[:header_width(names)]):
        if not name:
            if not allow_unknown:
                unknown.append(f"(blank column {index + 1})")
        elif name in expected:
            positions.setdefault(name, index)
        elif not allow_unknown and name not in seen:
            seen.add(name)
            unknown.append(name)
    missing = [name for name in required if name not in positions]
    repeated = repeated_columns(names)
    if missing or unknown or repeated:
        raise HeaderError(missing=missing, unknown=unknown, repeated=repeated)
    return positions


# --- Rows ------------------------------------------------------------------------------------

SPLIT_CELLS_HINT = ("an unquoted thousands separator such as 3,000,000 splits a number into cells: "
                    "quote it or remove the commas")
SHOWN_ROW_LIMIT = 200


def filled_width(cells) -> int:
    """How many cells a row has, up to its last non-empty one."""
    for index in range(len(cells) - 1, -1, -1):
        if str(cells[index]).strip():
            return index + 1
    return 0


def _letters(start, stop) -> str:
    """The letters of the columns ``start`` to ``stop - 1``: ``F`` or ``F to G``."""
    first, last = column_letter(start), column_letter(stop - 1)
    return first if first == last else f"{first} to {last}"


def _missing(table, start, stop) -> tuple[str, str]:
    """The columns ``start`` to ``stop - 1`` as an error's column and as words: the header's names,
    or the letters of a layout without a header row."""
    if not table.has_header:
        letters = _letters(start, stop)
        return letters, f"column{'s' if stop - start > 1 else ''} {letters}"
    names = [table.header[index] if index < len(table.header) and table.header[index]
             else f"column {column_letter(index)}" for index in range(start, stop)]
    return ", ".join(names), and_join(names)


def _row_as_written(cells) -> str:
    """The row's cells as a CSV line, to show the user which row is meant."""
    text = ",".join(f'"{value}"' if "," in value or '"' in value else value
                    for value in (str(cell).replace('"', '""') for cell in cells))
    return text if len(text) <= SHOWN_ROW_LIMIT else text[:SHOWN_ROW_LIMIT - 1] + "…"


def row_shape_error(table: Table, number: int, cells, width: int, layout: str | None = None):
    """``(column, value, message)`` when the row's shape does not fit ``width`` columns, else None."""
    owner = layout or "the header"
    found = filled_width(cells)
    if found > width:
        if table.source == "xlsx":
            last = f"column {column_letter(width - 1)}, the header's last," if width else "the header"
            where = "column" if found - width == 1 else "columns"
            hint = f"cells after {last} must be empty: delete what is in {where} {_letters(width, found)}"
        else:
            hint = SPLIT_CELLS_HINT
        return (_letters(width, found), _row_as_written(cells[:found]),
                f"Row {number} has {found} cells; {owner} has {width} columns ({hint}).")
    if len(cells) < width and table.source != "xlsx":
        column, missing = _missing(table, len(cells), width)
        return (column, _row_as_written(cells),
                f"Row {number} has {len(cells)} cells; {owner} has {width} columns (nothing for "
                f"{missing}: a value or its comma is missing, or the row is broken over two lines).")
    return None


def shaped_rows(table: Table, parsed: Parsed, width: int | None = None, layout: str | None = None):
    """(row number, cells) of every non-blank row that has the table's shape; for every other row
    a row-shape error in ``parsed``, and the row is not yielded (its cells cannot be trusted to be
    under the columns the header says, so none of them is read).

    ``width`` is the number of columns: the header's own (:func:`header_width`) unless a layout
    without a header row gives it; ``layout`` names such a layout in the message ("the header"
    otherwise). A row may end in empty cells beyond the width, as spreadsheets write them; a
    non-empty cell beyond it is an error. A CSV row with fewer cells than the width is an error;
    an XLSX row cannot have too few (a cell not in the sheet is an empty one, which its column
    reads and, when it is required, reports). Once ``parsed`` has more errors than it keeps, no
    further row is yielded, and ``parsed.stopped_at`` is the row it stopped at.
    """
    width = header_width(table.header) if width is None else width
    for number, cells in table.numbered():
        if parsed.errors_beyond:  # past the cap: the rows from here on are not checked
            parsed.stopped_at = number
            return
        problem = row_shape_error(table, number, cells, width, layout)
        if problem is None:
            yield number, cells
        else:
            parsed.error(number, *problem)


def cell(cells, position):
    if position is None or position >= len(cells):
        return ""
    return cells[position]


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
    for number, cells in shaped_rows(table, parsed):
        reader = RowReader(parsed, number, cells, positions)
        row = {"row": number}
        for column in columns:
            row[column.name] = reader.get(column.header, column.parse, **column.options)
        if check is not None:
            check(reader, row)
        parsed.keep(reader, row)
    check_duplicates(parsed, key, "org_code")
    return parsed



def aliased_positions(header, aliases: dict, required, *, labels: dict | None = None, row: int = 1) -> dict:
    """Positions of the columns of a published layout whose columns go by more than one name.

    ``aliases`` maps each key to the names it may have (normalised, as :func:`normalise_header`
    writes them); other columns are ignored. HeaderError lists the required keys not found and
    the keys found under two names or twice, each by its label (``labels``, else its first name),
    on the header's ``row``.
    """
    labels = labels or {}
    where = {}
    for index, name in enumerate(normalise_header(name) for name in header):
        where.setdefault(name, []).append(index)
    positions, repeated = {}, []
    for key, names in aliases.items():
        found = sorted(index for name in names for index in where.get(name, []))
        if found:
            positions[key] = found[0]
        if len(found) > 1:
            repeated.append((labels.get(key, names[0]), found))
    missing = [labels.get(key, aliases[key][0]) for key in required if key not in positions]
    if missing or repeated:
        raise HeaderError(missing=missing, repeated=repeated, row=row)
    return positions
