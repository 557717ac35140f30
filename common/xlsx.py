"""An XLSX workbook read within limits: its cells as the text a user sees, and its merged ranges.
Pure: no database.

A workbook is a zip of XML parts, and a small file can stand for a huge one: a 1 MB zip may
inflate to gigabytes, a sheet may declare a dimension of 16,384 columns by a million rows, and an
XML part may declare entities. :class:`Book` reads one defensively:

- the zip directory is checked before anything is decompressed (the sum of the parts' sizes
  within :attr:`Limits.xlsx_bytes`, the shared strings part within
  :attr:`Limits.shared_strings_bytes`), and the bytes actually decompressed from each part are
  counted while reading it: a part that unpacks to more than the directory says is refused (as
  is one whose checksum fails), so the directory's sizes bound what is decompressed;
- every part is parsed by expat as a stream, and a part with a DOCTYPE (and so any entity) is
  refused, as is anything the XML parser cannot read: a :class:`~common.errors.FileError`;
- a sheet's declared dimension is never used: rows are as wide as their last cell, and reading
  stops with a FileError at the first row past :attr:`Limits.rows`, the first cell past
  :attr:`Limits.columns`, or the cell past :attr:`Limits.cells`; before that, counting the
  sheet's row and value tags (in C, a fraction of the time reading takes) refuses at once a sheet
  that could only end so.

Values are read as openpyxl reads them with ``data_only=True`` (the cached value of a formula;
a number whose format is a date as a date), then written as text by ``text_of`` (the caller's
:func:`common.tabular.xlsx_cell_text`).
"""
import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .errors import FileError, column_letter

CHUNK = 256 * 1024
# What unpacking a corrupt or unsupported zip member raises (zipfile, zlib and the other codecs).
UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL, VALUE, INLINE, ROW, MERGE = (MAIN + name for name in ("c", "v", "is", "row", "mergeCell"))
STRING, TEXT, PHONETIC = (MAIN + name for name in ("si", "t", "rPh"))
# Tags counted before a sheet is read (Book._count); "<" never appears in a sheet's text unescaped.
COUNTED = (b"<row ", b"<row>", b"<v>", b"<is>")
LONGEST_COUNTED = max(len(pattern) for pattern in COUNTED)
DIGITS = "0123456789"
OFFICE_DOCUMENT = "/officeDocument"
RELATIONSHIP_TYPES = {"worksheet": "/worksheet", "sharedStrings": "/sharedStrings", "styles": "/styles"}


@dataclass(frozen=True)
class Limits:
    """How much of an uploaded file is read (the settings ``UPLOAD_MAX_*`` of the intake)."""

    rows: int = 50_000
    columns: int = 500
    cells: int = 1_000_000
    xlsx_bytes: int = 100 * 1024 * 1024  # the parts of an XLSX, uncompressed, added up
    shared_strings_bytes: int = 10 * 1024 * 1024
    errors: int = 200  # errors kept in full; the rest are counted

    @classmethod
    def from_settings(cls):
        """The limits the settings give (the defaults above for any not set)."""
        from django.conf import settings

        names = {"rows": "UPLOAD_MAX_ROWS", "columns": "UPLOAD_MAX_COLUMNS", "cells": "UPLOAD_MAX_CELLS",
                 "xlsx_bytes": "UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES",
                 "shared_strings_bytes": "UPLOAD_XLSX_MAX_SHARED_STRINGS_BYTES", "errors": "UPLOAD_MAX_ERRORS"}
        if not settings.configured:
            return cls()
        return cls(**{field: getattr(settings, name) for field, name in names.items() if hasattr(settings, name)})


def too_many_rows(number: int, limits: Limits) -> FileError:
    return FileError(f"The file has more than {limits.rows:,} rows (reading stopped at row {number:,}): split it "
                     f"into smaller files.")


def too_many_columns(number: int, limits: Limits, column: str = "") -> FileError:
    where = f" (column {column})" if column else ""
    return FileError(f"Row {number:,} has more than {limits.columns:,} columns{where}: a file may have at most "
                     f"{limits.columns:,}.")


def too_many_cells(number: int, limits: Limits) -> FileError:
    return FileError(f"The file has more than {limits.cells:,} non-empty cells (reading stopped at row {number:,}): "
                     f"split it into smaller files.")


class _Stop(Exception):
    """Ends a parse early (enough rows read)."""


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace (expat writes ``namespace}name``)."""
    return name.rpartition("}")[2]


def _refuse_doctype(*_args):
    raise FileError("The XLSX file has a DOCTYPE declaration in one of its parts, which a workbook never needs: "
                    "it is not read. Save the sheet again from Excel, or as CSV.")


class Book:
    """One XLSX workbook, checked and opened; :meth:`rows` reads a sheet."""

    def __init__(self, data: bytes, limits: Limits | None = None):
        self.limits = limits or Limits()
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            members = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise FileError(f"The XLSX file cannot be read (it is not a valid zip: {exc}).") from exc
        self.sizes = {member.filename: member.file_size for member in members}
        declared = sum(self.sizes.values())
        if declared > self.limits.xlsx_bytes:
            raise FileError(f"The XLSX file unpacks to {declared:,} bytes, over the limit of "
                            f"{self.limits.xlsx_bytes:,} bytes: save it as CSV, or split it.")
        self.workbook_path = self._office_document()
        self.sheets, related = self._workbook()
        shared = related.get("sharedStrings")
        if shared and self.sizes.get(shared, 0) > self.limits.shared_strings_bytes:
            raise FileError(f"The XLSX file's shared strings part is {self.sizes[shared]:,} bytes, over the limit of "
                            f"{self.limits.shared_strings_bytes:,} bytes: save it as CSV, or split it.")
        self.strings = self._shared_strings(shared) if shared in self.sizes else []
        self.formats, self.dates, self.durations = self._styles(related.get("styles"))

    # --- Parts ---------------------------------------------------------------------------------

    def _parse(self, name, start=None, end=None, text=None):
        """Stream the part ``name`` through expat with the handlers given, counting every byte
        decompressed against the budget; a DOCTYPE or broken XML is a FileError."""
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        if start:
            parser.StartElementHandler = start
        if end:
            parser.EndElementHandler = end
        if text:
            parser.CharacterDataHandler = text
        try:
            for chunk in self._chunks(name):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Stop:
            return
        except expat.ExpatError as exc:
            raise FileError(f"The XLSX file cannot be read: its part {name} is not well-formed XML ({exc}).") from exc

    def _chunks(self, name):
        """The part ``name`` as it unpacks, chunk by chunk, never past the size its zip directory
        declares; a missing part, one that unpacks to more, or one that cannot be unpacked (a
        corrupt or unsupported stream: zipfile, zlib and the other decompressors raise these) is a
        FileError."""
        try:
            with self.archive.open(name) as part:
                budget = self.sizes[name]
                while chunk := part.read(CHUNK):
                    budget -= len(chunk)
                    if budget < 0:
                        raise FileError(f"The XLSX file's part {name} unpacks to more than the "
                                        f"{self.sizes[name]:,} bytes its zip directory says: it is not read.")
                    yield chunk
        except KeyError as exc:
            raise FileError(f"The XLSX file cannot be read: it has no part {name}.") from exc
        except UNPACK_ERRORS as exc:
            raise FileError(f"The XLSX file cannot be read: its part {name} cannot be unpacked ({exc}).") from exc

    def _relationships(self, base):
        """``{id: (type, target path)}`` of the part ``base`` (``""`` for the package)."""
        folder, file_name = posixpath.split(base)
        name = posixpath.join(folder, "_rels", f"{file_name}.rels")
        found = {}

        def start(tag, attrs):
            if _local(tag) == "Relationship" and "Target" in attrs:
                target = attrs["Target"]
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

        if name in self.sizes:
            self._parse(name, start=start)
        return found

    def _office_document(self):
        for kind, path in self._relationships("").values():
            if kind.endswith(OFFICE_DOCUMENT):
                return path
        return "xl/workbook.xml"

    def _workbook(self):
        """``({sheet name: part}, {relationship kind: part})`` of the workbook, its sheets in order."""
        relations = self._relationships(self.workbook_path)
        sheets, self.epoch = {}, WINDOWS_EPOCH

        def start(tag, attrs):
            tag = _local(tag)
            if tag == "sheet":
                target = next((value for key, value in attrs.items() if _local(key) == "id"), None)
                if target in relations:
                    sheets[attrs.get("name", "")] = relations[target][1]
            elif tag == "workbookPr" and attrs.get("date1904") in {"1", "true"}:
                self.epoch = MAC_EPOCH

        self._parse(self.workbook_path, start=start)
        related = {}
        for kind, path in relations.values():
            for name, suffix in RELATIONSHIP_TYPES.items():
                if kind.endswith(suffix) and name != "worksheet":
                    related.setdefault(name, path)
        return sheets, related

    def _shared_strings(self, name):
        """The shared strings: each ``si``'s text runs joined, phonetic runs left out."""
        strings, parts = [], []
        collect, forget = parts.append, parts.clear
        phonetic, in_text = 0, False

        def start(tag, attrs):
            nonlocal phonetic, in_text
            if tag == TEXT:
                in_text = not phonetic
            elif tag == STRING:
                forget()
            elif tag == PHONETIC:
                phonetic += 1

        def end(tag):
            nonlocal phonetic, in_text
            if tag == TEXT:
                in_text = False
            elif tag == STRING:
                strings.append("".join(parts).replace("x005F_", ""))
            elif tag == PHONETIC:
                phonetic -= 1

        def text(data):
            if in_text:
                collect(data)

        self._parse(name, start=start, end=end, text=text)
        return strings

    def _styles(self, name):
        """Per cell style index: its number format, and the sets of indexes shown as dates and as
        durations."""
        custom, styles, state = {}, [], {"cell_xfs": False}

        def start(tag, attrs):
            tag = _local(tag)
            if tag == "numFmt":
                custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                state["cell_xfs"] = True
            elif tag == "xf" and state["cell_xfs"]:
                styles.append(attrs.get("numFmtId", "0"))

        def end(tag):
            if _local(tag) == "cellXfs":
                state["cell_xfs"] = False

        if name in self.sizes:
            self._parse(name, start=start, end=end)
        formats = []
        for number in styles:
            code = custom.get(number)
            if code is None and number.isdigit():
                code = BUILTIN_FORMATS.get(int(number))
            formats.append(code or "General")
        dates = {index for index, code in enumerate(formats) if is_date_format(code)}
        durations = {index for index, code in enumerate(formats) if is_timedelta_format(code)}
        return formats, dates, durations

    # --- Sheets --------------------------------------------------------------------------------

    def rows(self, sheet, text_of, *, max_row=None):
        """``(rows, merged)`` of the sheet named ``sheet``: each row (from row 1) a list of the
        text of its cells (``text_of(value, number_format)``) up to its last cell, a row the sheet
        lacks an empty list; ``merged`` the merged ranges as ``(min_col, min_row, max_col,
        max_row)``, counted from 1. ``max_row`` stops at that row (no limit is then reached past it).
        """
        limits, strings, formats, dates, durations = self.limits, self.strings, self.formats, self.dates, self.durations
        epoch, max_columns, max_rows, max_cells = self.epoch, self.limits.columns, self.limits.rows, self.limits.cells
        plain = {index for index, code in enumerate(formats) if code == "General"} | {0}
        shared = len(strings)
        rows, merged, columns = [], [], {}
        # The text of the cell being read: every piece of character data since the cell, its
        # value or its inline string began (a formula's text comes before its value and is dropped).
        value = []
        collect, forget = value.append, value.clear
        row_number, cells, column, kind, style, count = 0, [], 0, "n", 0, 0

        def start(tag, attrs):
            nonlocal row_number, cells, column, kind, style
            if tag == CELL:
                reference = attrs.get("r")
                if reference:
                    letters = reference.rstrip(DIGITS)
                    column = columns.get(letters) or columns.setdefault(letters, _column_number(letters))
                else:
                    column += 1
                if column > max_columns:
                    raise too_many_columns(row_number, limits, column_letter(column - 1))
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                style = int(style) if style else 0
                forget()
            elif tag == VALUE or tag == INLINE:
                forget()
            elif tag == ROW:
                number = attrs.get("r")
                number = int(number) if number else row_number + 1
                if max_row is not None and number > max_row:
                    raise _Stop
                if number > max_rows or len(rows) >= max_rows:  # numbered past the limit, or repeating numbers
                    raise too_many_rows(max(number, len(rows) + 1), limits)
                while len(rows) < number - 1:
                    rows.append([])
                row_number, cells, column = number, [], 0
            elif tag == MERGE:
                merged.append(_range(attrs.get("ref", "")))

        def end(tag):
            nonlocal count
            if tag == CELL:
                raw = "".join(value)
                if kind == "n" and style in plain and raw and raw.lstrip("-").isdigit():
                    shown = str(int(raw))  # a whole number in the General format, as text_of writes it
                elif kind == "s" and raw.isdigit() and int(raw) < shared:
                    shown = strings[int(raw)]
                elif kind == "inlineStr" or kind == "str":
                    shown = raw
                else:
                    cell = _value(raw, kind, style, strings, dates, durations, epoch)
                    if cell is None:
                        return
                    shown = text_of(cell, formats[style] if style < len(formats) else None)
                if shown == "":
                    return
                count += 1
                if count > max_cells:
                    raise too_many_cells(row_number, limits)
                if len(cells) < column:
                    cells.extend([""] * (column - len(cells)))
                cells[column - 1] = shown
            elif tag == ROW:
                rows.append(cells)

        if sheet not in self.sheets:
            raise FileError(f"The workbook has no sheet {sheet!r}.")
        if max_row is None:
            self._count(self.sheets[sheet])
        self._parse(self.sheets[sheet], start=start, end=end, text=collect)
        return rows, [area for area in merged if area]

    def _count(self, name):
        """Refuse a sheet at once when counting its tags (fast, in C) shows that reading it would
        pass a limit: more ``<row`` elements than rows may be read (each is a row read), or more
        values (``<v>``, ``<is>``) than cells. Reading enforces the limits in any case."""
        counted = dict.fromkeys(COUNTED, 0)
        tail = b""
        try:
            for chunk in self._chunks(name):
                for pattern in COUNTED:
                    edge = len(pattern) - 1  # a match across chunks lies in the last and first bytes
                    counted[pattern] += chunk.count(pattern) + (tail[-edge:] + chunk[:edge]).count(pattern)
                tail = chunk[-(LONGEST_COUNTED - 1):]
        except FileError:
            return  # a part that cannot be read: reading it says why
        rows = counted[b"<row "] + counted[b"<row>"]
        if rows > self.limits.rows:
            raise FileError(f"The file has more than {self.limits.rows:,} rows (its sheet has {rows:,}): split it "
                            f"into smaller files.")
        values = counted[b"<v>"] + counted[b"<is>"]
        if values > self.limits.cells:
            raise FileError(f"The file has more than {self.limits.cells:,} non-empty cells (its sheet has {values:,} "
                            f"values): split it into smaller files.")

    def close(self):
        self.archive.close()


def _value(raw, kind, style, strings, dates, durations, epoch):
    """A cell's value as openpyxl reads it with ``data_only=True``."""
    if kind == "inlineStr" or kind == "str":
        return raw
    if raw == "":
        return None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError) as exc:
            raise FileError(f"The XLSX file cannot be read: a cell refers to shared string {raw!r}, which it "
                            f"does not have.") from exc
    if kind == "b":
        return raw.strip() in {"1", "true"}
    if kind == "e":
        return raw
    if kind == "d":
        try:
            return from_ISO8601(raw)
        except ValueError:
            return raw
    try:
        number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
    except ValueError:
        return raw
    if style in dates:
        try:
            return from_excel(number, epoch, timedelta=style in durations)
        except (OverflowError, ValueError):
            return "#VALUE!"
    return number


def _column_number(letters: str) -> int:
    """``A`` 1, ``Z`` 26, ``AA`` 27 (0 for no letters)."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char.upper()) - 64)
    return number


def _range(reference):
    """``B2:D3`` as ``(2, 2, 4, 3)``; None when it cannot be read."""
    corners = []
    for corner in reference.split(":"):
        column, digits = 0, ""
        for char in corner:
            if char.isalpha():
                column = column * 26 + (ord(char.upper()) - 64)
            elif char.isdigit():
                digits += char
        if not column or not digits:
            return None
        corners.append((column, int(digits)))
    if len(corners) == 1:
        corners.append(corners[0])
    if len(corners) != 2:
        return None
    (min_col, min_row), (max_col, max_row) = corners
    return min_col, min_row, max_col, max_row
