"""Parsers of performance returns, trajectories and NHS England's published A&E statistics. Pure.

Canonical files (header row, any order, names case-insensitive):
- performance: ``org_code, period, metric, numerator, denominator``
- trajectories: ``org_code, period, metric, trajectory_pct``

Published A&E layouts, accepted as they come (metric ``ae``; numerator = attendances seen within
four hours = attendances - attendances over four hours, summed over department types;
denominator = attendances summed over types):

- NHS England's monthly provider CSV (the layout published up to 2019), one row per
  organisation and month. Columns read (names case-insensitive; either wording accepted):
  ``Period`` (``MSitAE-APRIL-2016``), ``Org Code``, and for each of Type 1, Type 2 and
  Other A&E Department the attendances (``A&E attendances Type 1`` or ``Number of A&E
  attendances Type 1``; ``... Other A&E Department``) and the attendances over four hours
  (``Attendances over 4hrs Type 1``, ``Number of attendances over 4hrs Type 1`` or ``A&E
  attendances > 4 hours from arrival to admission, transfer or discharge Type 1``; ``... Other
  Department`` / ``Other A&E Department``). Booked-appointment columns, when present, are added
  to the totals as NHS England's "all types" measure does. Other columns (``Parent Org``,
  ``Org name``, admissions, percentages) are ignored. A blank or ``-`` count is zero; the
  England total row is skipped.
- NHS-R tidy layout: ``period, org_code, type, attendances, breaches[, admissions]`` with
  ``type`` one of ``1``, ``2``, ``other`` and ``period`` a first-of-month date.
"""
from common.cells import parse_count, parse_month, parse_nhse_period, parse_org_code, parse_percent
from common.errors import CellError, HeaderError
from common.tabular import (
    Column,
    Parsed,
    RowReader,
    Table,
    as_table,
    check_header,
    normalise_header,
    parse_rows,
    repeated_columns,
    shaped_rows,
)

from .models import METRIC_CODES

TIDY_COLUMNS = ["period", "org_code", "type", "attendances", "breaches"]
TIDY_TYPES = {"1": "1", "2": "2", "other": "other", "3": "other", "4": "other"}

_TYPES = {"type1": "type 1", "type2": "type 2"}
NHSE_ALIASES = {}
for _key, _suffix in (("type1", "type 1"), ("type2", "type 2")):
    NHSE_ALIASES[f"att_{_key}"] = [f"a&e attendances {_suffix}", f"number of a&e attendances {_suffix}"]
    NHSE_ALIASES[f"over_{_key}"] = [
        f"attendances over 4hrs {_suffix}",
        f"number of attendances over 4hrs {_suffix}",
        f"a&e attendances > 4 hours from arrival to admission, transfer or discharge {_suffix}",
    ]
    NHSE_ALIASES[f"booked_att_{_key}"] = [f"a&e attendances booked appointments {_suffix}"]
    NHSE_ALIASES[f"booked_over_{_key}"] = [f"attendances over 4hrs booked appointments {_suffix}"]
NHSE_ALIASES["att_other"] = ["a&e attendances other a&e department", "number of a&e attendances other a&e department"]
NHSE_ALIASES["over_other"] = [
    "attendances over 4hrs other department",
    "attendances over 4hrs other a&e department",
    "number of attendances over 4hrs other a&e department",
    "number of attendances over 4hrs other department",
    "a&e attendances > 4 hours from arrival to admission, transfer or discharge other a&e department",
    "a&e attendances > 4 hours from arrival to admission, transfer or discharge other department",
]
NHSE_ALIASES["booked_att_other"] = ["a&e attendances booked appointments other department"]
NHSE_ALIASES["booked_over_other"] = ["attendances over 4hrs booked appointments other department"]
NHSE_ALIASES["period"] = ["period"]
NHSE_ALIASES["org_code"] = ["org code"]
NHSE_ALIASES["org_name"] = ["org name"]
NHSE_REQUIRED = ["period", "org_code", "att_type1", "att_type2", "att_other", "over_type1", "over_type2", "over_other"]
NHSE_LABELS = {key: aliases[0] for key, aliases in NHSE_ALIASES.items()}
NHSE_LABELS.update({"period": "Period", "org_code": "Org Code", "org_name": "Org name"})


def parse_metric(text):
    value = str(text).strip().lower()
    if value in METRIC_CODES:
        return value
    raise CellError(f"is not a metric (one of {', '.join(METRIC_CODES)}).")


PERFORMANCE_FIELDS = [
    Column("org_code", "org_code", parse_org_code),
    Column("month", "period", parse_month),
    Column("metric", "metric", parse_metric),
    Column("numerator", "numerator", parse_count),
    Column("denominator", "denominator", parse_count),
]
TRAJECTORY_FIELDS = [
    Column("org_code", "org_code", parse_org_code),
    Column("month", "period", parse_month),
    Column("metric", "metric", parse_metric),
    Column("percent", "trajectory_pct", parse_percent),
]
PERFORMANCE_COLUMNS = [column.header for column in PERFORMANCE_FIELDS]
TRAJECTORY_COLUMNS = [column.header for column in TRAJECTORY_FIELDS]


def _numerator_within_denominator(reader, row):
    if row["numerator"] is not None and row["denominator"] is not None and row["numerator"] > row["denominator"]:
        reader.fail("numerator", row["numerator"],
                    f"Numerator {row['numerator']} is above the denominator {row['denominator']}.")


def parse_performance(table: Table) -> Parsed:
    return parse_rows(table, kind="performance", columns=PERFORMANCE_FIELDS, key=["org_code", "month", "metric"],
                      check=_numerator_within_denominator)


def parse_trajectories(table: Table) -> Parsed:
    return parse_rows(table, kind="trajectories", columns=TRAJECTORY_FIELDS, key=["org_code", "month", "metric"])


def nhse_positions(header) -> dict:
    """Column positions of NHS England's A&E CSV; HeaderError lists the columns not found and the
    columns given more than once (the same name twice, or two wordings of one column)."""
    names = [normalise_header(name) for name in header]
    where = {}
    for index, name in enumerate(names):
        where.setdefault(name, index)
    positions, repeated = {}, repeated_columns(names)
    for key, aliases in NHSE_ALIASES.items():
        found = sorted(where[alias] for alias in aliases if alias in where)
        if found:
            positions[key] = found[0]
        if len(found) > 1:
            repeated.append((NHSE_LABELS[key], found))
    missing = [NHSE_LABELS[key] for key in NHSE_REQUIRED if key not in positions]
    if missing or repeated:
        raise HeaderError(missing=missing, repeated=repeated)
    return positions


def is_nhse_header(header) -> bool:
    names = {normalise_header(name) for name in header}
    return "org code" in names and "period" in names and any("attendances" in name for name in names)


def _aggregate(parsed, groups):
    for (org_code, month), group in groups.items():
        parsed.rows.append({
            "row": group["row"], "org_code": org_code, "month": month, "metric": "ae",
            "numerator": group["attendances"] - group["breaches"], "denominator": group["attendances"],
            "source_rows": group["source_rows"],
        })


def parse_ae_nhse(table: Table) -> Parsed:
    table = as_table(table)
    parsed = Parsed(kind="ae_nhse")
    positions = nhse_positions(table.header)
    groups = {}
    for number, cells in shaped_rows(table, parsed):
        reader = RowReader(parsed, number, cells, positions, labels=NHSE_LABELS)
        raw_code = reader.raw("org_code")
        if raw_code in {"", "-"} or raw_code.upper() == "TOTAL":
            parsed.skipped.append({"row": number, "org_code": raw_code or "-",
                                   "reason": "England total row (no organisation code)"})
            continue
        org_code = reader.get("org_code", parse_org_code)
        month = reader.get("period", parse_nhse_period)
        attendances = breaches = 0
        for part in ("type1", "type2", "other"):
            for prefix in ("", "booked_"):
                att_key, over_key = f"{prefix}att_{part}", f"{prefix}over_{part}"
                if att_key not in positions:
                    continue
                att = reader.get(att_key, parse_count, blank_is_zero=True)
                over = reader.get(over_key, parse_count, blank_is_zero=True) if over_key in positions else 0
                if att is None or over is None:
                    continue
                if over > att:
                    reader.fail(over_key, over, f"Attendances over 4 hours ({over}) are above the attendances ({att}).")
                attendances, breaches = attendances + att, breaches + over
        if not reader.ok:
            continue
        if (org_code, month) in groups:
            parsed.error(number, "Org Code", org_code,
                         f"Duplicate: {org_code} {month:%Y-%m} already appears in row {groups[(org_code, month)]['row']}.")
            continue
        groups[(org_code, month)] = {"row": number, "attendances": attendances, "breaches": breaches, "source_rows": 1}
    _aggregate(parsed, groups)
    return parsed


def parse_tidy_type(text):
    value = str(text).strip().lower()
    if value in TIDY_TYPES:
        return TIDY_TYPES[value]
    raise CellError("is not an A&E department type (1, 2 or other).")


def parse_ae_tidy(table: Table) -> Parsed:
    table = as_table(table)
    parsed = Parsed(kind="ae_tidy")
    positions = check_header(table.header, TIDY_COLUMNS, ["admissions"])
    groups, seen = {}, {}
    for number, cells in shaped_rows(table, parsed):
        reader = RowReader(parsed, number, cells, positions)
        org_code = reader.get("org_code", parse_org_code)
        month = reader.get("period", parse_month)
        kind = reader.get("type", parse_tidy_type)
        attendances = reader.get("attendances", parse_count)
        breaches = reader.get("breaches", parse_count)
        if "admissions" in positions:
            reader.get("admissions", parse_count)
        if attendances is not None and breaches is not None and breaches > attendances:
            reader.fail("breaches", breaches, f"Breaches {breaches} are above the attendances {attendances}.")
        if not reader.ok:
            continue
        key = (org_code, month, kind)
        if key in seen:
            shown = f"{org_code} {month:%Y-%m} type {kind}"
            parsed.error(number, "org_code", org_code, f"Duplicate: {shown} already appears in row {seen[key]}.")
            continue
        seen[key] = number
        group = groups.setdefault((org_code, month), {"row": number, "attendances": 0, "breaches": 0, "source_rows": 0})
        group["attendances"] += attendances
        group["breaches"] += breaches
        group["source_rows"] += 1
    _aggregate(parsed, groups)
    return parsed
