"""Money in millions for headlines: one decimal, half-up from the exact pennies, a true minus sign."""
from decimal import Decimal

from common.money import millions, millions_display


def test_millions_round_half_up_at_the_fifty_thousand():
    # 12,349,999.99 / 1,000,000 = 12.34999999: below the half, 12.3
    assert millions_display(Decimal("12349999.99")) == "£12.3m"
    # 12,350,000.00 / 1,000,000 = 12.35: exactly half, half-up gives 12.4
    assert millions_display(Decimal("12350000.00")) == "£12.4m"
    assert millions(Decimal("12350000.00")) == Decimal("12.4")


def test_negative_millions_carry_a_true_minus_and_round_away_from_zero_on_the_half():
    # −1,250,000.00 is −1.25 million: the half rounds away from zero, −1.3
    assert millions_display(Decimal("-1250000.00")) == "−£1.3m"
    # −1,249,999.99 is −1.24999999 million: −1.2
    assert millions_display("-1249999.99") == "−£1.2m"
    # −40,000.00 is −0.04 million, which rounds to nothing: no minus sign on £0.0m
    assert millions_display(Decimal("-40000.00")) == "£0.0m"


def test_thousands_of_millions_are_grouped_and_nothing_is_a_dash():
    # 1,234,567,890.12 is 1,234.56789012 million: 1,234.6
    assert millions_display(Decimal("1234567890.12")) == "£1,234.6m"
    # 49,999.99 is 0.04999999 million: 0.0; 50,000.00 is 0.05: 0.1
    assert millions_display("49999.99") == "£0.0m" and millions_display("50000.00") == "£0.1m"
    assert millions_display(None) == millions_display("") == "—"
