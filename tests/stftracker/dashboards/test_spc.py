"""SPC maths: process limits and special causes checked against values computed by hand."""
from decimal import Decimal

from stftracker.dashboards import spc

D = Decimal


def test_spc_limits_of_a_small_series_match_a_hand_calculation():
    # mean = 405 / 5 = 81; moving ranges 2, 4, 7, 5 -> mean 4.5; limits 81 ± 2.66 × 4.5 = 81 ± 11.97
    limits = spc.spc_limits([D("80"), D("82"), D("78"), D("85"), D("80")])
    assert limits["mean"] == D("81")
    assert limits["mean_moving_range"] == D("4.5")
    assert limits["upper"] == D("92.97")
    assert limits["lower"] == D("69.03")


def test_spc_limits_skip_missing_months_and_need_two_points():
    assert spc.spc_limits([D("80"), None]) is None
    limits = spc.spc_limits([D("80"), None, D("90")])
    assert limits["mean"] == D("85") and limits["mean_moving_range"] == D("10")


def test_special_causes_flag_a_run_of_seven_and_a_point_below_the_lower_limit():
    values = [D(v) for v in (12, 13, 12, 13, 12, 13, 12, 4, 6, 5, 7, 6, 5)]
    # By hand: mean 120/13 = 9.2308; moving ranges sum 21 over 12 -> 1.75;
    # limits 9.2308 ± 4.655 = 4.576 .. 13.886. The first seven points sit above the mean (a run
    # of 7); the value 4 is below the lower limit; the last six sit below the mean (a run of 6 only).
    limits = spc.spc_limits(values)
    assert limits["lower"].quantize(D("0.001")) == D("4.576")
    assert limits["upper"].quantize(D("0.001")) == D("13.886")
    flags = spc.special_causes(values, limits)
    assert flags == [True] * 7 + [True] + [False] * 5


def test_a_point_on_the_mean_breaks_a_run():
    values = [D(v) for v in (10, 10, 10, 10, 11, 12, 12, 12, 12)]  # mean 99/9 = 11 exactly
    limits = {"mean": D("11"), "upper": D("100"), "lower": D("0")}
    assert spc.special_causes(values, limits) == [False] * 9
    values = [D(v) for v in (10, 10, 10, 10, 10, 10, 10, 12, 12)]
    assert spc.special_causes(values, {"mean": D("11"), "upper": D("100"), "lower": D("0")}) == [True] * 7 + [False] * 2
