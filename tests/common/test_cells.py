"""Cell parsers: money, counts, percents, yes/no, months (pure: no database)."""
import datetime
from decimal import Decimal

import pytest

from common.cells import (
    parse_count,
    parse_money,
    parse_month,
    parse_nhse_period,
    parse_percent,
    parse_yes_no,
)
from common.errors import CellError


@pytest.mark.parametrize("text, value", [
    ("1234.56", "1234.56"), ("-1234", "-1234.00"), ("£1,234", "1234.00"), ("(1,234)", "-1234.00"),
    ("(£1,234.50)", "-1234.50"), ("-£1,234", "-1234.00"), ("£-1,234", "-1234.00"), (" 0 ", "0.00"),
    ("10000000000", "10000000000.00"), ("-10000000000.00", "-10000000000.00"), (".5", "0.50"),
    ("- 1,234", "-1234.00"), ("£ 1,234.50", "1234.50"), ("( 1,234 )", "-1234.00"),
])
def test_money_accepted(text, value):
    assert parse_money(text) == Decimal(value)
    assert str(parse_money(text)) == value


@pytest.mark.parametrize("text, words", [
    ("", "is empty"), ("abc", "not a sum of money"), ("1,23", "not a sum of money"), ("1.234", "more than two decimal"),
    ("NaN", "not a finite number"), ("-inf", "not a finite number"), ("10000000000.01", "beyond £10bn"),
    ("-10000000000.01", "beyond £10bn"), ("(-5)", "not a sum of money"), ("1e6", "not a sum of money"),
    ("£", "not a sum of money"), ("12,34,567", "not a sum of money"), ("1 234", "not a sum of money"),
    ("1, 234", "not a sum of money"), ("92.5%", "not a sum of money"),
])
def test_money_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_money(text)


@pytest.mark.parametrize("text, value", [("0", 0), ("12", 12), ("1,234", 1234), ("+7", 7), ("100000000", 100000000)])
def test_counts(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text, words", [
    ("1.5", "fractional"), ("-1", "negative"), ("", "is empty"), ("x", "not a number"), ("nan", "finite"),
    ("100000001", "larger than"), ("7.0", "has a decimal point"), ("9400.00", "has a decimal point"),
    ("92%", "is a percentage"), ("1,23", "not a number"), ("1 234", "not a number"), ("1e3", "not a number"),
])
def test_counts_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_count(text)


def test_blank_count_is_zero_only_when_asked():
    assert parse_count("", blank_is_zero=True) == 0 and parse_count("-", blank_is_zero=True) == 0


@pytest.mark.parametrize("text, value", [("0", "0.00"), ("100", "100.00"), ("92.5", "92.50"), ("93%", "93.00")])
def test_percent(text, value):
    assert parse_percent(text) == Decimal(value)


@pytest.mark.parametrize("text", ["-0.01", "100.01", "101", "92.555"])
def test_percent_refused(text):
    with pytest.raises(CellError):
        parse_percent(text)


@pytest.mark.parametrize("text, value", [("yes", True), ("Y", True), ("TRUE", True), ("no", False), ("n", False), ("0", False)])
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


def test_yes_no_refused():
    with pytest.raises(CellError, match="not yes or no"):
        parse_yes_no("maybe")


@pytest.mark.parametrize("text, value", [
    ("2016-04", datetime.date(2016, 4, 1)), ("2016-4", datetime.date(2016, 4, 1)),
    ("2016-12-01", datetime.date(2016, 12, 1)), ("2017-01-01 00:00:00", datetime.date(2017, 1, 1)),
])
def test_months(text, value):
    assert parse_month(text) == value


@pytest.mark.parametrize("text, words", [
    ("2016-13", "01 to 12"), ("2016-00", "01 to 12"), ("April 2016", "not a month"), ("2016-04-15", "within a month"),
    ("1999-04", "before 2000"), ("", "is empty"),
])
def test_months_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_month(text)


def test_nhs_england_period():
    assert parse_nhse_period("MSitAE-APRIL-2016") == datetime.date(2016, 4, 1)
    assert parse_nhse_period("MSitAE-MARCH-2019") == datetime.date(2019, 3, 1)
    with pytest.raises(CellError):
        parse_nhse_period("MSitAE-SMARCH-2019")
