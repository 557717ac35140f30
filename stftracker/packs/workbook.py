"""The quarterly review pack as an Excel workbook (openpyxl). Pure: a ``content.Pack`` in, a
``Workbook`` out, no database.

Sheets: **Summary** (the national figures, withheld by reason, trusts by status, data as at and
whether the figures are current), **Regions** and **Footprints** (the same per area),
**Trusts** (every trust in the scheme with each test and its reasons) and, once the year end is
decided, **Year end**. Every sheet is one table: a bold header row that stays in view (frozen
panes), an auto filter over the table, and columns sized to their contents.

Money is written as numbers in the format ``£#,##0.00`` (from the Decimal figures, never a
float sum), percentages as fractions in the format ``0.00%``, counts as whole numbers. Text that
a spreadsheet would run as a formula (``common.exports.formula_like``: it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written as a string cell with Excel's quote
prefix, so it is shown as typed and never evaluated; characters a workbook cannot hold are
dropped (``common.exports.xlsx_text``).
"""
from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.exports import formula_like, xlsx_text
from performance.metrics import PAGE_NAMES
from stftracker.dashboards.charts import REASON_LABELS, STATUS_ORDER, STATUS_STYLE

MONEY_FORMAT = "£#,##0.00"
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
DATETIME_FORMAT = "d mmm yyyy hh:mm"
NUMBER_FORMATS = {"money": MONEY_FORMAT, "percent": PERCENT_FORMAT, "count": COUNT_FORMAT,
                  "datetime": DATETIME_FORMAT}
SHEETS = ("Summary", "Regions", "Footprints", "Trusts", "Year end")
NARROWEST, WIDEST = 8, 60  # characters
WRAPPED_WIDTH = 90  # the reasons columns
PROGRESS_EVERY = 250  # rows between progress reports
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
WRAP = Alignment(wrap_text=True, vertical="top")


def _area_columns(reasons, first):
    return [
        *first,
        ("Trusts", "trusts", "count"),
        ("Allocation", "allocation", "money"),
        ("Earned", "earned", "money"),
        ("Withheld", "withheld", "money"),
        ("Pending", "pending", "money"),
        ("Earned, share of allocation", "earned_share", "percent"),
        *[(f"Withheld: {REASON_LABELS[reason]}", f"withheld_{reason}", "money") for reason in reasons],
        *[(f"Trusts {STATUS_STYLE[status]['label'].lower()}", f"n_{status}", "count") for status in STATUS_ORDER],
    ]


def region_columns(reasons):
    return _area_columns(reasons, [("Region code", "code", "text"), ("Region", "name", "text")])


def footprint_columns(reasons):
    return _area_columns(reasons, [("Footprint code", "code", "text"), ("Footprint", "name", "text"),
                                   ("Region", "region_name", "text")])


def trust_columns(metrics):
    columns = [
        ("Org code", "org_code", "text"), ("Trust", "trust_name", "text"), ("Trust type", "trust_type", "text"),
        ("Region", "region_name", "text"), ("Footprint", "footprint_name", "text"), ("Status", "status", "text"),
        ("Allocation", "allocation", "money"), ("Earned", "earned", "money"), ("Withheld", "withheld", "money"),
        ("Pending", "pending", "money"),
        ("Finance test", "finance_met", "text"), ("Finance element", "finance_element", "money"),
        ("YTD plan", "ytd_plan", "money"), ("YTD actual", "ytd_actual", "money"),
    ]
    for metric in metrics:
        name = PAGE_NAMES[metric]
        columns += [
            (f"{name}: test", f"{metric}_met", "text"), (f"{name}: element", f"{metric}_element", "money"),
            (f"{name}: performance", f"{metric}_performance", "percent"),
            (f"{name}: trajectory", f"{metric}_trajectory", "percent"),
            (f"{name}: standard", f"{metric}_standard", "percent"),
        ]
    return columns + [("Reasons", "reasons", "wrapped")]


YEAR_END_COLUMNS = [
    ("Org code", "org_code", "text"), ("Trust", "trust_name", "text"), ("Region", "region_name", "text"),
    ("Method", "method", "text"), ("Eligible", "eligible", "text"), ("Incentive", "incentive", "money"),
    ("Bonus", "bonus", "money"), ("General distribution", "general_distribution", "money"),
    ("Total", "total", "money"), ("Reasons", "reasons", "wrapped"),
]
SUMMARY_COLUMNS = [("Section", "section", "text"), ("Measure", "measure", "text"), ("Value", "value", "mixed"),
                   ("Note", "note", "text")]


def local_time(moment, tz):
    """An aware time as the naive local time a worksheet holds (Excel has no time zones)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def summary_rows(pack):
    return [{"section": section, "measure": measure, "note": note, "kind": kind,
             "value": local_time(value, pack.tz) if kind == "datetime" else value}
            for section, measure, value, kind, note in pack.summary["lines"]]


# --- Cells -----------------------------------------------------------------------------------

def _number(value, kind):
    """A figure as the number openpyxl writes: Decimal stays Decimal (written exactly to 15 digits)."""
    if kind == "count":
        return int(value)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def make_cell(sheet, value, kind):
    """One cell of ``kind`` (text, wrapped, money, percent, count, datetime)."""
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if kind == "datetime" and isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=local_time(value, datetime.timezone.utc))
        cell.number_format = DATETIME_FORMAT
        return cell
    if kind in ("money", "percent", "count") and not isinstance(value, (str, bool)):
        cell = WriteOnlyCell(sheet, value=_number(value, kind))
        cell.number_format = NUMBER_FORMATS[kind]
        return cell
    text = xlsx_text(value)
    cell = WriteOnlyCell(sheet, value=text)
    if formula_like(text):
        # Shown as typed, never run: a string cell (not a formula), kept as text if edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    if kind == "wrapped" or "\n" in text:
        cell.alignment = WRAP
    return cell


def _shown_length(value, kind):
    """About how many characters a cell shows, to size its column."""
    if value is None or value == "":
        return 0
    if kind == "money":
        return len(f"£{Decimal(str(value)):,.2f}")
    if kind == "percent":
        return 8
    if kind == "count":
        return len(f"{int(value):,}")
    if kind == "datetime":
        return 17
    return max(len(part) for part in str(value).split("\n"))


def column_widths(columns, rows):
    widths = []
    for _, key, kind in columns:
        if kind == "wrapped":
            widths.append(WRAPPED_WIDTH)
            continue
        longest = max([len(_header(columns, key))] + [
            _shown_length(row.get(key), row.get("kind", "text") if kind == "mixed" else kind) for row in rows])
        widths.append(max(NARROWEST, min(WIDEST, longest + 2)))
    return widths


def _header(columns, key):
    return next(label for label, k, _ in columns if k == key)


# --- Sheets ----------------------------------------------------------------------------------

class Progress:
    """Counts the rows written and tells ``report(done, total)`` every PROGRESS_EVERY rows and at the end."""

    def __init__(self, total, report=None):
        self.total, self.done, self.report, self._last = total, 0, report, 0

    def row(self):
        self.done += 1
        if self.report and self.done - self._last >= PROGRESS_EVERY:
            self._last = self.done
            self.report(self.done, self.total)

    def finish(self):
        if self.report:
            self.report(self.total, self.total)


def write_table(workbook, title, columns, rows, *, progress, freeze="A2"):
    """One sheet holding one table: the header row frozen and filtered, columns sized."""
    sheet = workbook.create_sheet(title=title)
    for index, width in enumerate(column_widths(columns, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    last_column = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last_column}{len(rows) + 1}"
    header = []
    for label, _, _ in columns:
        cell = make_cell(sheet, label, "text")
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([make_cell(sheet, row.get(key), row.get("kind", "text") if kind == "mixed" else kind)
                      for _, key, kind in columns])
        progress.row()
    return sheet


def build_workbook(pack, *, on_progress=None, created=None) -> Workbook:
    """The pack's workbook. ``on_progress(done, total)`` hears how many of the pack's rows are written."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = pack.title
    workbook.properties.subject = f"{pack.scheme_name}: {pack.scheme} Q{pack.quarter}"
    workbook.properties.creator = "STF Tracker"
    workbook.properties.description = pack.figures.text
    # Document properties are in UTC (W3CDTF).
    workbook.properties.created = workbook.properties.modified = local_time(created or pack.built_at,
                                                                            datetime.timezone.utc)
    progress = Progress(pack.row_count, on_progress)
    write_table(workbook, "Summary", SUMMARY_COLUMNS, summary_rows(pack), progress=progress)
    write_table(workbook, "Regions", region_columns(pack.reasons), pack.regions, progress=progress)
    write_table(workbook, "Footprints", footprint_columns(pack.reasons), pack.footprints, progress=progress)
    write_table(workbook, "Trusts", trust_columns(pack.metrics), pack.trusts, progress=progress, freeze="C2")
    if pack.year_end is not None:
        write_table(workbook, "Year end", YEAR_END_COLUMNS, pack.year_end, progress=progress, freeze="C2")
    progress.finish()
    return workbook


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
