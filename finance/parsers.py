"""Parsers of the plans file and the monthly finance return. Pure: no database.

- plans: ``org_code, year, stf_allocation, control_total, control_total_accepted``
- finance: ``org_code, period, plan_ytd, actual_ytd, forecast_outturn``
Money in pounds (``1234.56``, ``-1234``, ``£1,234``, ``(1,234)``); surplus positive, deficit
negative, excluding STF income.
"""
from trusts.parsing import (
    Parsed,
    RowReader,
    Table,
    as_table,
    check_duplicates,
    check_header,
    parse_money,
    parse_month,
    parse_org_code,
    parse_scheme_year,
    parse_yes_no,
)

PLAN_COLUMNS = ["org_code", "year", "stf_allocation", "control_total", "control_total_accepted"]
FINANCE_COLUMNS = ["org_code", "period", "plan_ytd", "actual_ytd", "forecast_outturn"]


def parse_plans(table: Table) -> Parsed:
    table = as_table(table)
    parsed = Parsed(kind="plans")
    positions = check_header(table.header, PLAN_COLUMNS)
    for number, cells in table.numbered():
        reader = RowReader(parsed, number, cells, positions)
        row = {
            "row": number,
            "org_code": reader.get("org_code", parse_org_code),
            "year": reader.get("year", parse_scheme_year),
            "stf_allocation": reader.get("stf_allocation", parse_money),
            "control_total": reader.get("control_total", parse_money),
            "control_total_accepted": reader.get("control_total_accepted", parse_yes_no),
        }
        if row["stf_allocation"] is not None and row["stf_allocation"] < 0:
            reader.fail("stf_allocation", reader.raw("stf_allocation"), "An STF allocation cannot be negative.")
        parsed.keep(reader, row)
    check_duplicates(parsed, ["org_code", "year"], "org_code")
    return parsed


def parse_finance(table: Table) -> Parsed:
    table = as_table(table)
    parsed = Parsed(kind="finance")
    positions = check_header(table.header, FINANCE_COLUMNS)
    for number, cells in table.numbered():
        reader = RowReader(parsed, number, cells, positions)
        row = {
            "row": number,
            "org_code": reader.get("org_code", parse_org_code),
            "month": reader.get("period", parse_month),
            "plan_ytd": reader.get("plan_ytd", parse_money),
            "actual_ytd": reader.get("actual_ytd", parse_money),
            "forecast_outturn": reader.get("forecast_outturn", parse_money),
        }
        parsed.keep(reader, row)
    check_duplicates(parsed, ["org_code", "month"], "org_code")
    return parsed
