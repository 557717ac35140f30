"""Parsers of the plans file and the monthly finance return. Pure: no database.

- plans: ``org_code, year, stf_allocation, control_total, control_total_accepted``
- finance: ``org_code, period, plan_ytd, actual_ytd, forecast_outturn``
Money in pounds (``1234.56``, ``-1234``, ``£1,234``, ``(1,234)``); surplus positive, deficit
negative, excluding STF income.
"""
from common.cells import parse_money, parse_month, parse_org_code, parse_scheme_year, parse_yes_no
from common.tabular import Column, Parsed, Table, parse_rows

PLAN_FIELDS = [
    Column("org_code", "org_code", parse_org_code),
    Column("year", "year", parse_scheme_year),
    Column("stf_allocation", "stf_allocation", parse_money),
    Column("control_total", "control_total", parse_money),
    Column("control_total_accepted", "control_total_accepted", parse_yes_no),
]
FINANCE_FIELDS = [
    Column("org_code", "org_code", parse_org_code),
    Column("month", "period", parse_month),
    Column("plan_ytd", "plan_ytd", parse_money),
    Column("actual_ytd", "actual_ytd", parse_money),
    Column("forecast_outturn", "forecast_outturn", parse_money),
]
PLAN_COLUMNS = [column.header for column in PLAN_FIELDS]
FINANCE_COLUMNS = [column.header for column in FINANCE_FIELDS]


def _allocation_not_negative(reader, row):
    if row["stf_allocation"] is not None and row["stf_allocation"] < 0:
        reader.fail("stf_allocation", reader.raw("stf_allocation"), "An STF allocation cannot be negative.")


def parse_plans(table: Table) -> Parsed:
    return parse_rows(table, kind="plans", columns=PLAN_FIELDS, key=["org_code", "year"], check=_allocation_not_negative)


def parse_finance(table: Table) -> Parsed:
    return parse_rows(table, kind="finance", columns=FINANCE_FIELDS, key=["org_code", "month"])
