"""Parsers of NHS England's published RTT and cancer statistics, read as they are published.
Pure: no database (the register is consulted by the importer).

Each returns a :class:`~common.tabular.Parsed` of one row per provider and month (metric,
numerator, denominator, the file's ``row`` and how many ``source_rows`` it sums). A figure a
provider needs that the file suppresses (``-``) is never taken as zero: it is an error naming
the provider, row and column, held in ``notes["held_errors"]`` until the importer knows whether
the provider is in the trust register (an organisation outside it, such as an independent-sector
provider, is skipped and counted, suppressed figures and all).

- RTT incomplete pathways provider workbook (``Incomplete-Provider-MmmYY.xlsx``), metric
  ``rtt``: sheet ``Provider`` (see :data:`RTT_WORKBOOK`), the month from the title block's
  ``Period:``, numerator = ``Total within 18 weeks``, denominator = ``Total number of incomplete
  pathways`` of the provider's ``Total`` treatment-function row (code ``C_999`` or function
  ``Total``), or the sum of its other rows when it has none.
- RTT full CSV extract, metric ``rtt``: rows of ``RTT Part Type`` ``Part_2`` (incomplete
  pathways; other part types are ignored), summed per ``Provider Org Code`` and ``Period``
  (``RTT-March-2017``) over commissioners and treatment functions; numerator = the week bands
  up to 18 weeks (``Gt 00 To 01 Weeks SUM 1`` ... ``Gt 17 To 18 Weeks SUM 1``), denominator =
  ``Total``. Other columns are ignored.
- Cancer Waiting Times provider extract, metric ``cancer62``: rows of the 62-day urgent GP
  referral standard (:func:`is_urgent_gp_62_day`) summed per ``ORG CODE`` and ``PERIOD`` (or
  ``MONTH``) over cancer types; numerator = ``WITHIN STANDARD``, denominator = ``TOTAL TREATED``
  (or ``TOTAL``); ``BREACHES``, where given, must be the total less those within the standard.

Periods are read by :func:`common.cells.parse_published_month` (``March 2017``, ``MAR-2017``,
``2017-03``, ``RTT-March-2017``).
"""
import re

from common.cells import parse_count, parse_org_code, parse_published_month
from common.errors import CellError, RowError
from common.tabular import (
    Parsed,
    RowReader,
    Table,
    aliased_positions,
    as_table,
    normalise_header,
    shaped_rows,
)
from common.workbooks import SheetLayout

RTT_WORKBOOK = SheetLayout(description="NHS England's RTT incomplete pathways provider workbook",
                           sheet="Provider", marker="Provider Code")
RTT_WITHIN_WEEKS = 18  # the RTT standard: incomplete pathways waiting up to 18 weeks
SUPPRESSED = "-"
TOTAL_FUNCTION_CODES = {"C_999", "999"}
NO_ORGANISATION = {"", "-", "TOTAL", "ENGLAND"}
SKIPPED_TOTAL = "England total row (no organisation code)"
DEFAULT_CANCER62_EXCLUDES = ("screening", "upgrade")


class _Suppressed:
    """A value the file suppresses (``-``)."""


SUPPRESSED_VALUE = _Suppressed()


def _aliases(names):
    return {key: [normalise_header(name) for name in written] for key, written in names.items()}


def _written(names):
    """Each column's name as the layout writes it (for a missing column's error)."""
    return {key: written[0] for key, written in names.items()}


def _labels(table, positions, written):
    """The columns' names as the file writes them (for the errors), else as the layout does."""
    return {key: (table.header[positions[key]] if key in positions else written[key][0]) for key in written}


def _figure(reader, key):
    """A count, :data:`SUPPRESSED_VALUE` for ``-``, or None (an error is recorded)."""
    if reader.raw(key).strip() == SUPPRESSED:
        return SUPPRESSED_VALUE
    return reader.get(key, parse_count)


def _hold(parsed, org_code, row, rows, error):
    held = parsed.notes.setdefault("held_errors", {})
    entry = held.setdefault(org_code, {"row": row, "rows": rows, "errors": []})
    entry["errors"].append(error)


def _no_organisation(parsed, reader, key, number):
    raw = reader.raw(key)
    if raw.strip().upper() in NO_ORGANISATION:
        parsed.skipped.append({"row": number, "org_code": raw or "-", "reason": SKIPPED_TOTAL})
        return True
    return False


def _group_rows(parsed, groups, metric):
    """One canonical row per (provider, month) whose source rows all passed; a provider held back by
    an error has its row count recorded beside that error instead."""
    for (org_code, month), group in groups.items():
        if group["ok"]:
            parsed.rows.append(_row(org_code, month, metric, group["within"], group["total"], group["row"],
                                    group["rows"]))
        elif org_code in parsed.notes.get("held_errors", {}):
            parsed.notes["held_errors"][org_code]["rows"] = group["rows"]


def _row(org_code, month, metric, numerator, denominator, row, source_rows):
    return {"row": row, "org_code": org_code, "month": month, "metric": metric, "numerator": numerator,
            "denominator": denominator, "source_rows": source_rows}


def _within_total(parsed, row, label, org_code, within, total):
    if within > total:
        parsed.error(row, label, str(within), f"{org_code}: {within} within the standard is more than the "
                                             f"total of {total}.")
        return False
    return True


# --- RTT provider workbook -------------------------------------------------------------------

RTT_WORKBOOK_COLUMNS = {
    "provider_code": ["Provider Code"],
    "function_code": ["Treatment Function Code"],
    "function": ["Treatment Function"],
    "total": ["Total number of incomplete pathways"],
    "within": ["Total within 18 weeks"],
}
RTT_WORKBOOK_REQUIRED = ["provider_code", "function_code", "total", "within"]


def is_rtt_workbook_header(header) -> bool:
    names = {normalise_header(name) for name in header}
    return "provider code" in names and "total number of incomplete pathways" in names


def _workbook_month(table, parsed):
    cell = table.title.get("period")
    if cell is None:
        parsed.error(None, "Period", "", "The title block above the header has no 'Period:' cell giving the month "
                                         "(such as 'Period:' then 'March 2017').")
        return None
    try:
        return parse_published_month(cell.value)
    except CellError as exc:
        parsed.error(cell.row, "Period", cell.value, f"The Period in cell {cell.column}{cell.row}, {cell.value!r}, {exc}")
        return None


def _is_total_function(reader):
    code = reader.raw("function_code").strip().upper()
    return code in TOTAL_FUNCTION_CODES or normalise_header(reader.raw("function")) == "total"


def parse_rtt_workbook(table: Table) -> Parsed:
    table = as_table(table)
    parsed = Parsed(kind="rtt_provider")
    positions = aliased_positions(table.header, _aliases(RTT_WORKBOOK_COLUMNS), RTT_WORKBOOK_REQUIRED,
                                  labels=_written(RTT_WORKBOOK_COLUMNS), row=table.first_row_number - 1)
    labels = _labels(table, positions, RTT_WORKBOOK_COLUMNS)
    month = _workbook_month(table, parsed)
    providers = {}
    for number, cells in shaped_rows(table, parsed):
        reader = RowReader(parsed, number, cells, positions, labels=labels)
        if _no_organisation(parsed, reader, "provider_code", number):
            continue
        org_code = reader.get("provider_code", parse_org_code)
        values = {key: _figure(reader, key) for key in ("within", "total")}
        group = providers.setdefault(org_code, {"row": number, "rows": 0, "total": None, "parts": [], "ok": True})
        group["rows"] += 1
        if not reader.ok:
            group["ok"] = False
            continue
        entry = (number, reader.raw("function_code") or reader.raw("function"), values)
        if _is_total_function(reader):
            if group["total"] is not None:
                parsed.error(number, labels["function_code"], reader.raw("function_code"),
                             f"{org_code} has a second Total row (the first is row {group['total'][0]}).")
                group["ok"] = False
                continue
            group["total"] = entry
        else:
            group["parts"].append(entry)
    if month is None:
        return parsed
    for org_code, group in providers.items():
        if org_code is None or not group["ok"]:
            continue
        entries = [group["total"]] if group["total"] else group["parts"]
        held = False
        for number, function, values in entries:
            for key, value in values.items():
                if value is SUPPRESSED_VALUE:
                    held = True
                    where = ("its Total row" if group["total"] else
                             f"treatment function {function} (it has no Total row, so its rows are summed)")
                    _hold(parsed, org_code, group["row"], group["rows"], RowError(
                        number, labels[key], SUPPRESSED,
                        f"{org_code}: {labels[key]} is suppressed ('-') in {where}; a suppressed figure is never "
                        f"taken as zero, so the provider's RTT performance cannot be read."))
        if held:
            continue
        within = sum(values["within"] for _, _, values in entries)
        total = sum(values["total"] for _, _, values in entries)
        row = entries[0][0] if entries else group["row"]
        if _within_total(parsed, row, labels["within"], org_code, within, total):
            parsed.rows.append(_row(org_code, month, "rtt", within, total, row, group["rows"]))
    return parsed


# --- RTT full CSV extract --------------------------------------------------------------------

RTT_BAND = re.compile(r"^gt (\d+) to (\d+) weeks sum 1$")
RTT_CSV_COLUMNS = {
    "period": ["Period"],
    "provider_code": ["Provider Org Code"],
    "part_type": ["RTT Part Type"],
    "total": ["Total"],
}
RTT_INCOMPLETE_PART = "part2"


def within_bands(weeks=RTT_WITHIN_WEEKS) -> dict:
    """The week bands up to ``weeks`` as the extract names them: key -> [name]."""
    return {f"band_{start}": [f"Gt {start:02d} To {start + 1:02d} Weeks SUM 1"] for start in range(weeks)}


def is_rtt_csv_header(header) -> bool:
    names = {normalise_header(name) for name in header}
    return "provider org code" in names and "rtt part type" in names


def parse_rtt_csv(table: Table) -> Parsed:
    table = as_table(table)
    parsed = Parsed(kind="rtt_csv")
    written = {**RTT_CSV_COLUMNS, **within_bands()}
    positions = aliased_positions(table.header, _aliases(written), list(written), labels=_written(written))
    labels = _labels(table, positions, written)
    bands = list(within_bands())
    groups, ignored = {}, {}
    for number, cells in shaped_rows(table, parsed):
        reader = RowReader(parsed, number, cells, positions, labels=labels)
        part = reader.raw("part_type")
        if re.sub(r"[\s_]+", "", part.lower()) != RTT_INCOMPLETE_PART:
            ignored[part or "(blank)"] = ignored.get(part or "(blank)", 0) + 1
            continue
        if _no_organisation(parsed, reader, "provider_code", number):
            continue
        org_code = reader.get("provider_code", parse_org_code)
        month = reader.get("period", parse_published_month)
        values = {key: _figure(reader, key) for key in bands + ["total"]}
        if org_code is None:
            continue
        group = groups.setdefault((org_code, month), {"row": number, "rows": 0, "within": 0, "total": 0, "ok": True})
        group["rows"] += 1
        if not reader.ok or month is None:
            group["ok"] = False
            continue
        suppressed = [key for key, value in values.items() if value is SUPPRESSED_VALUE]
        for key in suppressed:
            _hold(parsed, org_code, group["row"], group["rows"], RowError(
                number, labels[key], SUPPRESSED,
                f"{org_code}: {labels[key]} is suppressed ('-'); a suppressed figure is never taken as zero, so "
                f"the provider's RTT performance cannot be summed."))
        if suppressed:
            group["ok"] = False
            continue
        within = sum(values[key] for key in bands)
        if not _within_total(parsed, number, labels["total"], org_code, within, values["total"]):
            group["ok"] = False
            continue
        group["within"] += within
        group["total"] += values["total"]
    _group_rows(parsed, groups, "rtt")
    if ignored:
        parsed.notes["ignored_part_types"] = ignored
    return parsed


# --- Cancer Waiting Times provider extract ---------------------------------------------------

CANCER_COLUMNS = {
    "period": ["PERIOD", "MONTH"],
    "org_code": ["ORG CODE"],
    "standard": ["STANDARD"],
    "cancer_type": ["CANCER TYPE"],
    "total": ["TOTAL TREATED", "TOTAL"],
    "within": ["WITHIN STANDARD"],
    "breaches": ["BREACHES"],
}
CANCER_REQUIRED = ["period", "org_code", "standard", "total", "within"]
SIXTY_TWO_DAYS = re.compile(r"\b62 ?days?\b")


def is_urgent_gp_62_day(standard: str, excluded=DEFAULT_CANCER62_EXCLUDES) -> bool:
    """Whether a STANDARD cell names the 62-day urgent GP referral standard: it says 62 days
    (``62 Day``, ``62-Day``, ``62 days``, any case, any text around it such as "(urgent GP
    referral)") and none of the ``excluded`` words (the screening and consultant-upgrade 62-day
    standards; setting ``CANCER62_STANDARD_EXCLUDES``)."""
    text = " ".join(re.sub(r"[-_]", " ", str(standard).lower()).split())
    return bool(SIXTY_TWO_DAYS.search(text)) and not any(word.lower() in text for word in excluded)


def is_cancer_header(header) -> bool:
    names = {normalise_header(name) for name in header}
    return "org code" in names and "standard" in names


def parse_cancer(table: Table, *, excluded=None) -> Parsed:
    """``excluded`` defaults to the setting ``CANCER62_STANDARD_EXCLUDES``."""
    if excluded is None:
        from django.conf import settings

        excluded = getattr(settings, "CANCER62_STANDARD_EXCLUDES", DEFAULT_CANCER62_EXCLUDES)
    table = as_table(table)
    parsed = Parsed(kind="cancer62")
    positions = aliased_positions(table.header, _aliases(CANCER_COLUMNS), CANCER_REQUIRED,
                                  labels=_written(CANCER_COLUMNS))
    labels = _labels(table, positions, CANCER_COLUMNS)
    groups, seen, ignored = {}, {}, {}
    for number, cells in shaped_rows(table, parsed):
        reader = RowReader(parsed, number, cells, positions, labels=labels)
        standard = reader.raw("standard")
        if not is_urgent_gp_62_day(standard, excluded):
            ignored[standard or "(blank)"] = ignored.get(standard or "(blank)", 0) + 1
            continue
        if _no_organisation(parsed, reader, "org_code", number):
            continue
        org_code = reader.get("org_code", parse_org_code)
        month = reader.get("period", parse_published_month)
        total, within = _figure(reader, "total"), _figure(reader, "within")
        if org_code is None:
            continue
        group = groups.setdefault((org_code, month), {"row": number, "rows": 0, "within": 0, "total": 0, "ok": True})
        group["rows"] += 1
        if not reader.ok or month is None:
            group["ok"] = False
            continue
        key = (org_code, month, normalise_header(reader.raw("cancer_type")), normalise_header(standard))
        if key in seen:
            parsed.error(number, labels["cancer_type"], reader.raw("cancer_type"),
                         f"Duplicate: {org_code} {month:%Y-%m} {standard} {reader.raw('cancer_type')} already "
                         f"appears in row {seen[key]}.")
            group["ok"] = False
            continue
        seen[key] = number
        suppressed = [name for name, value in (("total", total), ("within", within)) if value is SUPPRESSED_VALUE]
        for name in suppressed:
            _hold(parsed, org_code, group["row"], group["rows"], RowError(
                number, labels[name], SUPPRESSED,
                f"{org_code}: {labels[name]} is suppressed ('-'); a suppressed figure is never taken as zero, so "
                f"the provider's 62-day cancer performance cannot be summed."))
        if suppressed or not _within_total(parsed, number, labels["within"], org_code, within, total):
            group["ok"] = False
            continue
        raw_breaches = reader.raw("breaches").strip()
        if "breaches" in positions and raw_breaches not in {"", SUPPRESSED}:
            breaches = reader.get("breaches", parse_count)
            if breaches is not None and breaches != total - within:
                reader.fail("breaches", raw_breaches,
                            f"{org_code}: {labels['breaches']} {breaches} is not {labels['total']} {total} less "
                            f"{labels['within']} {within} (= {total - within}).")
            if not reader.ok:
                group["ok"] = False
                continue
        group["within"] += within
        group["total"] += total
    _group_rows(parsed, groups, "cancer62")
    if ignored:
        parsed.notes["ignored_standards"] = ignored
    return parsed


def published_kind(header) -> str | None:
    """The kind of a published RTT or cancer header, or None."""
    if is_rtt_workbook_header(header):
        return "rtt_provider"
    if is_rtt_csv_header(header):
        return "rtt_csv"
    if is_cancer_header(header):
        return "cancer62"
    return None
