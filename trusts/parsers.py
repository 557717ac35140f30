"""Parsers of the trusts file and NHS Digital's ODS trust list (``etr.csv``). Pure: no database.

Trusts file (header row, any column order, names case-insensitive):
``org_code, name, trust_type, region, footprint`` (footprint may be blank).

ODS ``etr.csv`` as NHS Digital publishes it has no header row. The columns used, counted from 1
as in the ODS standard file layout: 1 organisation code, 2 name, 3 national grouping (the NHS
England region, Y54-Y57; W00 is Wales), 4 high-level health geography, 5-9 address lines,
10 postcode, 11 open date, 12 close date (YYYYMMDD). The remaining columns, to 27 in all
(:data:`ETR_WIDTH`), are ignored, but every row must have all 27 cells. The same
list with a header row (``org_code, name, national_grouping_code, ..., open_date, close_date``,
as republished with snake_case names) is read by header name.
"""
import re

from common.cells import parse_date, parse_org_code
from common.errors import CellError, HeaderError
from common.tabular import (
    Column,
    Parsed,
    RowReader,
    Table,
    as_table,
    check_duplicates,
    check_header,
    normalise_header,
    parse_rows,
    shaped_rows,
)

from .models import TrustType

TRUST_TYPES = {code: code for code, _ in TrustType.choices}
TRUST_TYPES.update({label.lower(): code for code, label in TrustType.choices})
TRUST_TYPES.update({"mental health": "mental_health", "acute specialist": "specialist", "acute_specialist": "specialist"})

# NHS England regions of 2013-2018 (ODS national groupings).
NATIONAL_GROUPINGS = {
    "Y54": "North of England",
    "Y55": "Midlands and East of England",
    "Y56": "London",
    "Y57": "South of England",
}
WALES = "W00"
ETR_HEADERED_COLUMNS = ["org_code", "name", "national_grouping_code"]
ETR_OPTIONAL = ["national_grouping_name", "close_date", "open_date", "postcode", "high_level_health_geography_code"]
ETR_POSITIONS = {"org_code": 0, "name": 1, "national_grouping_code": 2, "high_level_health_geography_code": 3,
                 "postcode": 9, "open_date": 10, "close_date": 11}
ETR_GROUPING = re.compile(r"^[A-Z]\d{2}$")
ETR_WIDTH = 27  # the columns of NHS Digital's etr.csv (the ODS standard file layout), which has no header row
ETR_LAYOUT = "NHS Digital's etr.csv layout"


def parse_trust_type(text):
    value = " ".join(str(text).strip().lower().split())
    if value in TRUST_TYPES:
        return TRUST_TYPES[value]
    raise CellError(f"is not a trust type (one of {', '.join(code for code, _ in TrustType.choices)}).")


def _text(text, *, required=True, limit=200):
    value = " ".join(str(text).split())
    if required and not value:
        raise CellError("is empty: a value is required.")
    if len(value) > limit:
        raise CellError(f"is longer than {limit} characters.")
    return value


TRUST_FIELDS = [
    Column("org_code", "org_code", parse_org_code),
    Column("name", "name", _text),
    Column("trust_type", "trust_type", parse_trust_type),
    Column("region", "region", _text, {"limit": 100}),
    Column("footprint", "footprint", _text, {"required": False, "limit": 150}, optional=True),
]
TRUST_COLUMNS = [column.header for column in TRUST_FIELDS]


def parse_trusts(table: Table) -> Parsed:
    return parse_rows(table, kind="trusts", columns=TRUST_FIELDS, key=["org_code"])


def looks_like_headerless_etr(first_row) -> bool:
    cells = [str(c).strip() for c in first_row]
    return (
        len(cells) >= 12
        and bool(re.match(r"^[A-Z0-9]{3,5}$", cells[0]))
        and bool(ETR_GROUPING.match(cells[2]))
        and bool(re.match(r"^(\d{8}|\d{4}-\d{2}-\d{2})?$", cells[10]))
    )


def etr_table_positions(table: Table) -> dict:
    if table.has_header:
        return check_header(table.header, ETR_HEADERED_COLUMNS, ETR_OPTIONAL, allow_unknown=True)
    return dict(ETR_POSITIONS)


def parse_ods_etr(table: Table) -> Parsed:
    """Rows of the ODS trust list. Welsh trusts (national grouping W00) are skipped and counted."""
    if not isinstance(table, Table):
        table = as_table(table)
        if not is_etr_header(table.header):  # the published file: its first line is a trust
            table = table.without_header()
    parsed = Parsed(kind="ods_etr")
    positions = etr_table_positions(table)
    shape = {} if table.has_header else {"width": ETR_WIDTH, "layout": ETR_LAYOUT}
    for number, cells in shaped_rows(table, parsed, **shape):
        reader = RowReader(parsed, number, cells, positions)
        org_code = reader.get("org_code", parse_org_code)
        grouping = reader.raw("national_grouping_code").upper()
        if grouping == WALES:
            parsed.skipped.append({"row": number, "org_code": org_code or reader.raw("org_code"),
                                   "reason": "Welsh trust (national grouping W00): outside NHS England's STF"})
            continue
        if not ETR_GROUPING.match(grouping):
            reader.fail("national_grouping_code", grouping, "is not an ODS national grouping code (such as Y55).")
        row = {
            "row": number,
            "org_code": org_code,
            "name": reader.get("name", _text),
            "region_code": grouping,
            "region_name": NATIONAL_GROUPINGS.get(grouping) or reader.raw("national_grouping_name") or grouping,
            "open_date": reader.get("open_date", parse_date),
            "close_date": reader.get("close_date", parse_date),
        }
        parsed.keep(reader, row)
    check_duplicates(parsed, ["org_code"], "org_code")
    return parsed


def is_etr_header(header) -> bool:
    names = {normalise_header(name) for name in header}
    return {"org_code", "name", "national_grouping_code"} <= names


__all__ = ["parse_trusts", "parse_ods_etr", "looks_like_headerless_etr", "is_etr_header", "HeaderError",
           "NATIONAL_GROUPINGS", "TRUST_COLUMNS", "ETR_WIDTH"]
