"""Money: pennies for arithmetic, rounded half-up, and the three ways a sum is written."""
from decimal import Decimal

import pytest

from common.money import (
    money_display, money_text, money_words, parse_pounds, pennies_decimal, pennies_text, pennies_words, percent_display,
    to_pennies,
)


def test_pennies_round_half_up_and_come_back_as_two_place_pounds():
    assert to_pennies("1.005") == 101 and to_pennies(Decimal("-2.50")) == -250 and to_pennies(3) == 300
    assert pennies_decimal(-123450) == Decimal("-1234.50")


def test_records_reasons_and_pages_each_write_money_their_way():
    assert money_text(Decimal("1234.5")) == "1234.50" and pennies_text(-123450) == "-1234.50"
    assert money_words(Decimal("125000")) == "£125,000.00" and pennies_words(-123450) == "-£1,234.50"
    assert money_display(Decimal("-1234.555")) == "−£1,234.56"  # a true minus sign
    assert money_display(None) == money_display("") == "—"


def test_percentages_on_pages():
    assert percent_display("92.5") == "92.50%" and percent_display(None) == "—"


def test_parse_pounds_reads_back_what_each_writer_prints():
    amount = Decimal("-2328000.00")
    for printed in (money_display(amount), money_words(amount), money_text(amount)):
        assert parse_pounds(printed) == amount, printed
    assert parse_pounds("£-2,328,000") == Decimal("-2328000")
    assert parse_pounds("(2,700,000)") == parse_pounds("(£2,700,000.00)") == Decimal("-2700000")
    assert parse_pounds("− £ 5") == Decimal("-5")  # spaces beside a sign or a pound sign
    assert parse_pounds("+£5") == Decimal("5") and parse_pounds("1.005") == Decimal("1.005")  # exact, not rounded
    assert parse_pounds("") is None and parse_pounds("  ") is None and parse_pounds(None) is None


@pytest.mark.parametrize("text", ["--5", "(-5)", "(£-5)", "-(5)", "1,2,3", "12,34", "1 234", "£", "5-", "(5",
                                  "nan", "-Infinity", "£5£", "five"])
def test_parse_pounds_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_pounds(text)
