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
    # limits 9.2308 ± 4.655 = 4.576 .. 13.886; two sigma 9.2308 ± 3.103 = 6.127 .. 12.334.
    # The first seven points sit above the mean (a shift of 7); the value 4 is below the lower
    # limit; the last six sit below the mean (a run of 6 only, no shift), but of them 6, 5, 6, 5
    # are below two sigma, each with another such point in a window of three all below the mean
    # (two in three); the 7 between them is not.
    limits = spc.spc_limits(values)
    assert limits["lower"].quantize(D("0.001")) == D("4.576")
    assert limits["upper"].quantize(D("0.001")) == D("13.886")
    assert limits["near_lower"].quantize(D("0.001")) == D("6.127")
    flags = spc.special_causes(values, limits)
    assert flags == [True] * 7 + [True] + [True, True, False, True, True]
    kinds = [cause and cause[0] for cause in spc.special_cause_types(values, limits)]
    assert kinds[7] == "limit" and kinds[8:] == ["two_in_three", "two_in_three", None, "two_in_three", "two_in_three"]


def test_a_point_on_the_mean_breaks_a_run():
    values = [D(v) for v in (10, 10, 10, 10, 11, 12, 12, 12, 12)]  # mean 99/9 = 11 exactly
    limits = {"mean": D("11"), "upper": D("100"), "lower": D("0")}
    assert spc.special_causes(values, limits) == [False] * 9
    values = [D(v) for v in (10, 10, 10, 10, 10, 10, 10, 12, 12)]
    assert spc.special_causes(values, {"mean": D("11"), "upper": D("100"), "lower": D("0")}) == [True] * 7 + [False] * 2


# The rules one at a time, on the example series of NHSRplotthedots' own tests (wide limits unless
# a rule needs them, so that only the rule under test can fire).
WIDE = {"mean": D("4"), "upper": D("1000"), "lower": D("-1000")}


def kinds(values, limits):
    return [cause and cause[0] for cause in spc.special_cause_types([D(v) for v in values], limits)]


def test_a_trend_is_seven_points_each_higher_or_each_lower_than_the_one_before():
    assert kinds(range(1, 8), WIDE) == ["trend"] * 7
    assert [c[1] for c in spc.special_cause_types([D(v) for v in range(7, 0, -1)], WIDE)] == [-1] * 7
    # c(2, 1:7, 3): the 1..7 is a trend, the points either side are not
    assert kinds([2, *range(1, 8), 3], WIDE) == [None] + ["trend"] * 7 + [None]
    # six points rising is not; an equal step breaks a trend (1, 2, 3, 3, 4, 5, 6)
    assert kinds(range(1, 7), WIDE) == [None] * 6
    assert kinds([1, 2, 3, 3, 4, 5, 6], WIDE) == [None] * 7


def test_a_peak_between_two_trends_belongs_to_the_falling_one():
    values = [*range(1, 8), *range(6, 0, -1)]  # 1..7 then 6..1: the 7 ends one trend and starts the next
    causes = spc.special_cause_types([D(v) for v in values], {"mean": D("100"), "upper": D("1000"),
                                                                "lower": D("-1000")})
    assert [c[1] for c in causes] == [1] * 6 + [-1] * 7


def test_a_shift_is_seven_points_on_one_side_of_the_mean():
    limits = {"mean": D("0"), "upper": D("1000"), "lower": D("-1000")}
    assert kinds([1, -1, 1, 1, 1, 1, 1, 1, -1], limits) == [None] * 2 + [None] * 7  # six above only
    assert kinds([1, -1, 1, 1, 1, 1, 1, 1, 1, -1], limits) == [None, None] + ["shift"] * 7 + [None]
    assert kinds([-1] * 8 + [1], limits) == ["shift"] * 8 + [None]


def test_two_in_three_needs_two_points_beyond_two_sigma_and_all_three_on_one_side():
    # mean 0, process limits ±3, two sigma ±2: 2.5 is close to the limit, 0.5 is not
    limits = {"mean": D("0"), "upper": D("3"), "lower": D("-3")}
    assert kinds(["2.5", "0.5", "2.5"], limits) == ["two_in_three", None, "two_in_three"]
    assert kinds(["-0.5", "0.5", "2.5", "2.5", "0.5", "-0.5", "0.5"], limits) == [None, None, "two_in_three",
                                                                                   "two_in_three", None, None, None]
    # opposite sides of the mean: never (NHSRplotthedots issue #143)
    assert kinds(["2.5", "-0.5", "2.5"], limits) == [None] * 3
    assert kinds(["-2.5", "0.5", "-2.5", "0.5"], limits) == [None] * 4
    # two close points four apart are not in one window of three
    assert kinds(["2.5", "0.5", "0.5", "2.5"], limits) == [None] * 4
    # a point beyond the limit is not "close": one close point and one beyond is a limit only
    assert kinds(["2.5", "0.5", "3.5"], limits) == [None, None, "limit"]


def test_a_point_beyond_a_limit_comes_before_every_other_rule():
    values = [*range(1, 7), 20]  # a trend of seven whose last point is beyond the upper limit
    limits = {"mean": D("4"), "upper": D("15"), "lower": D("-1000")}
    assert kinds(values, limits) == ["trend"] * 6 + ["limit"]


def test_missing_months_neither_extend_nor_break_a_trend():
    values = [D(v) if v is not None else None for v in (1, 2, None, 3, 4, 5, 6, 7)]
    assert [c and c[0] for c in spc.special_cause_types(values, WIDE)] == ["trend", "trend", None] + ["trend"] * 5


def test_fewer_than_twelve_points_give_no_limits_signals_or_icons():
    values = [D(v) for v in range(1, 12)]  # eleven points rising: a trend, but too few points
    reading = spc.analyse(values, target=D("5"))
    assert reading.limits is None and reading.flags == [False] * 11
    assert reading.variation is None and reading.assurance is None
    assert reading.variation_label == "Too few points for SPC (11 of 12)"
    assert spc.analyse([*values, D("12")]).limits is not None


def test_the_variation_icon_is_the_last_points_and_higher_is_better():
    steady = [D(v) for v in (90, 92, 91, 93, 90, 92, 91, 93, 90, 92, 91, 93)]
    assert spc.analyse(steady).variation == spc.COMMON_CAUSE
    # 90, 92, 91, 93, 90, 92, 94 .. 99: mean 1127 / 12 = 93.917, mean moving range 17 / 11 = 1.545,
    # limits 89.806 .. 98.028, two sigma 91.176 .. 96.657. 90, 92, 94 .. 98 rise eight points in a
    # row (a trend), 99 is beyond the upper limit, and the 90 and 91 of the first three points are
    # below two sigma with all three below the mean (two in three).
    rising = steady[:6] + [D(v) for v in (94, 95, 96, 97, 98, 99)]
    reading = spc.analyse(rising)
    assert reading.causes == [("two_in_three", -1), None, ("two_in_three", -1), None] + [("trend", 1)] * 7 + [
        ("limit", 1)]
    assert reading.point_types[:2] == [spc.CONCERN, spc.COMMON_CAUSE]
    assert reading.variation == spc.IMPROVEMENT
    falling = steady[:6] + [D(v) for v in (89, 88, 87, 86, 85, 84)]
    assert spc.analyse(falling).variation == spc.CONCERN
    assert spc.analyse(falling, higher_is_better=False).variation == spc.IMPROVEMENT


def test_assurance_compares_the_target_with_the_process_limits():
    # mean 92.5; moving ranges 2, 1, 2, 3 repeated: 21 / 11 = 1.909;
    # limits 92.5 ± 2.66 × 1.909 = 87.422 .. 97.578
    values = [D(v) for v in (91, 93, 92, 94, 91, 93, 92, 94, 91, 93, 92, 94)]
    reading = spc.analyse(values, target=D("95"))
    assert reading.limits["upper"].quantize(D("0.001")) == D("97.578")
    assert reading.assurance == spc.HIT_AND_MISS
    assert spc.analyse(values, target=D("98")).assurance == spc.CONSISTENT_FAIL
    assert spc.analyse(values, target=D("87")).assurance == spc.CONSISTENT_PASS
    assert spc.analyse(values, target=D("87"), higher_is_better=False).assurance == spc.CONSISTENT_FAIL
    assert spc.analyse(values).assurance is None
