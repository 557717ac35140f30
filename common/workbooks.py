"""Workbooks read as they are published: one named sheet of a workbook, a title block above the
header, and a header row found by one of its cells, possibly spread over two rows. Pure: no
database.

NHS England's statistical workbooks (such as the RTT ``Incomplete-Provider-MmmYY.xlsx``) put
several sheets in one file (``Provider``, ``IS Provider``, ``Provider with DTA`` ...), in any
order; above the table a title block gives the title and the month (``Period:`` then ``March
2017`` in the next cell, or ``Period: March 2017`` in one cell); the header row is wherever its
``Provider Code`` cell is (around row 14), and may have a row of group labels over some columns
(``Number of incomplete pathways by week since referral``, merged over the week bands ``>0-1``,
``>1-2`` ...) above or below the row of names. A :class:`SheetLayout` says which sheet and which
header cell; :func:`read_workbook` returns a :class:`~common.tabular.Table` whose header is one
name per column (the lowest label of the header rows, a merged cell's value filling its range),
whose rows are numbered as the spreadsheet shows them, and whose ``title`` holds the title block.
The next published layout declares its own :class:`SheetLayout`.
"""
import re
from dataclasses import dataclass

from .errors import FileError, column_letter
from .tabular import XLSX_MAGIC, Table, normalise_header, read_table, xlsx_cell_text
from .xlsx import Book, Limits

TITLE_CELL = re.compile(r"^([^:]{1,40}):\s*(.*)$")


class SheetError(FileError):
    """A workbook of a known layout cannot be read as that layout (its sheet or its header row is
    not there); ``column`` and ``value`` say where to look."""

    def __init__(self, message, *, column="", value=""):
        super().__init__(message)
        self.column, self.value = column, value


@dataclass(frozen=True)
class SheetLayout:
    """How to find the table in one published workbook."""

    description: str  # "NHS England's RTT incomplete pathways provider workbook"
    sheet: str  # the sheet that holds the table: "Provider"
    marker: str  # a cell of the header row: "Provider Code"
    search_rows: int = 40  # how far down the marker is looked for

    def fits(self, sheets: dict) -> bool:
        """Whether a workbook (sheet name -> its first rows) is of this layout: it has the sheet,
        or some sheet has the marker cell."""
        return (self.sheet_name(sheets) is not None
                or any(marker_row(rows, self.marker) is not None for rows in sheets.values()))

    def sheet_name(self, names):
        wanted = normalise_header(self.sheet)
        return next((name for name in names if normalise_header(name) == wanted), None)


@dataclass(frozen=True)
class TitleCell:
    """A value of the title block and where it is (row as shown, column letter)."""

    row: int
    column: str
    value: str


def marker_row(rows, marker) -> int | None:
    """The index of the first row that has a cell reading ``marker`` (case and spacing aside)."""
    wanted = normalise_header(marker)
    for index, cells in enumerate(rows):
        if any(normalise_header(text) == wanted for text in cells):
            return index
    return None


def title_block(rows) -> dict:
    """``{label: TitleCell}`` of the cells above a header written ``Label:`` (the value in the
    next non-empty cell of the row) or ``Label: value`` in one cell; the first of each label."""
    found = {}
    for index, cells in enumerate(rows):
        for position, text in enumerate(cells):
            match = TITLE_CELL.match(text.strip())
            if not match:
                continue
            label, value, where = match[1].strip(), match[2].strip(), position
            if not value:
                later = next(((p, cells[p]) for p in range(position + 1, len(cells)) if cells[p].strip()), None)
                if later is not None:
                    where, value = later
            found.setdefault(normalise_header(label), TitleCell(index + 1, column_letter(where), value.strip()))
    return found


def header_rows(rows, start: int, marker_column: int) -> int:
    """How many rows the header starting at ``rows[start]`` has: two when the next row is not
    blank and has nothing (or the marker again, from a merged cell) under the marker, else one."""
    if start + 1 >= len(rows):
        return 1
    following = rows[start + 1]
    if not any(text.strip() for text in following):
        return 1
    under = following[marker_column].strip() if marker_column < len(following) else ""
    return 2 if under == "" or normalise_header(under) == normalise_header(rows[start][marker_column]) else 1


def combined_header(rows) -> list[str]:
    """One name per column of a header over several rows: the lowest non-empty label."""
    width = max(len(cells) for cells in rows)
    names = []
    for position in range(width):
        labels = [cells[position] for cells in rows if position < len(cells) and cells[position].strip()]
        names.append(labels[-1] if labels else "")
    return names


def _fill_merged(merged, rows, first, last):
    """Give every cell of a merged range that starts in rows ``first`` to ``last`` (indexes) its
    top-left cell's text, as the reader sees it (the sheet leaves the others empty). ``merged``
    holds ``(min_col, min_row, max_col, max_row)`` ranges, counted from 1."""
    for min_col, min_row, max_col, max_row in merged:
        if not first <= min_row - 1 <= last or min_row > len(rows):
            continue
        top_row = rows[min_row - 1]
        top = top_row[min_col - 1] if min_col <= len(top_row) else ""
        if not top:
            continue
        for row in range(min_row, min(max_row, last + 1, len(rows)) + 1):
            cells = rows[row - 1]
            if len(cells) < max_col:
                cells.extend([""] * (max_col - len(cells)))
            for column in range(min_col, max_col + 1):
                if not cells[column - 1]:
                    cells[column - 1] = top


def read_workbook(data: bytes, layouts, limits: Limits | None = None) -> Table | None:
    """The table of the first of ``layouts`` the XLSX workbook fits, or None (not an XLSX file,
    or of none of the layouts: the caller reads it as a plain table).

    The workbook is read as :class:`common.xlsx.Book` reads it, within ``limits`` (the
    settings' by default): past them, or when it cannot be read at all, a FileError. Raises
    :class:`SheetError` when the workbook is of a layout but its sheet is missing or has no header
    row, naming the sheet or the header cell.
    """
    if not layouts or not data.startswith(XLSX_MAGIC):
        return None
    book = Book(data, limits or Limits.from_settings())
    try:
        return _layout_table(book, layouts)
    finally:
        book.close()


def read_upload(data: bytes, layouts, limits: Limits | None = None) -> Table:
    """An uploaded file as a table: a workbook of one of ``layouts`` by its layout
    (:func:`read_workbook`), any other XLSX from its first sheet, a CSV as a CSV
    (:func:`common.tabular.read_table`); an XLSX is opened, and its shared strings read, once."""
    limits = limits or Limits.from_settings()
    if not layouts or not data.startswith(XLSX_MAGIC):
        return read_table(data, limits=limits)
    book = Book(data, limits)
    try:
        return _layout_table(book, layouts) or read_table(data, limits=limits, book=book)
    finally:
        book.close()


def _layout_table(book, layouts) -> Table | None:
    search = max(layout.search_rows for layout in layouts)
    first = {name: book.rows(name, xlsx_cell_text, max_row=search)[0] for name in book.sheets}
    layout = next((layout for layout in layouts if layout.fits(first)), None)
    if layout is None:
        return None
    name = layout.sheet_name(first)
    if name is None:
        raise SheetError(
            f"The workbook has no sheet {layout.sheet!r} (it has {', '.join(repr(n) for n in first)}): "
            f"{layout.description} is read from its sheet {layout.sheet!r}.",
            column="(sheet)", value=layout.sheet)
    start = marker_row(first[name], layout.marker)
    if start is None:
        raise SheetError(
            f"Sheet {name!r} has no {layout.marker!r} cell in its first {layout.search_rows} rows: the header "
            f"row of {layout.description} is found by it.", column=layout.marker)
    return _read_sheet(book, name, start, layout)


def _read_sheet(book, name, start, layout) -> Table:
    rows, merged = book.rows(name, xlsx_cell_text)
    rows = [[text.strip() for text in cells] for cells in rows]
    _fill_merged(merged, rows, start, min(start + 1, len(rows) - 1))
    wanted = normalise_header(layout.marker)
    marker_column = next(index for index, text in enumerate(rows[start]) if normalise_header(text) == wanted)
    depth = header_rows(rows, start, marker_column)
    while rows and not any(rows[-1]):
        rows.pop()
    return Table(header=combined_header(rows[start:start + depth]), rows=rows[start + depth:],
                 first_row_number=start + depth + 1, has_header=True, source="xlsx", sheet=name,
                 title=title_block(rows[:start]))
