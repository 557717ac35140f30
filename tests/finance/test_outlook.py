"""The outlook of a quarter in progress (finance.engine.outlook), on inputs built by hand.

Every expected figure is worked out in the comments: with k months in, numerator N and
denominator D so far, the remaining months at the average denominator D / k must reach
needed = (3·T·D − 100·k·N) / ((3 − k)·D) percent for the quarter to reach the threshold T.
The default trust is allocated £1,000,000.00 for 2016-17: £250,000.00 a quarter, A&E and RTT
£31,250.00 each (12.5%), cancer £12,500.00 (5%), finance the remaining £175,000.00.
"""
import dataclasses
import datetime
from decimal import Decimal as D
from fractions import Fraction

import pytest

from finance.engine import compute_entitlements
from finance.engine.outlook import needed_percent, quarter_outlook
from tests.finance.engine.country import Country, month, rules_2016_17, rules_2017_18, rules_2018_19


def outlook(country, quarter=2, trust_id=1, **kwargs):
    return quarter_outlook(country.rules, country.inputs(), trust_id, quarter, **kwargs)


def metric(result, code):
    return next(m for m in result.record()["metrics"] if m["metric"] == code)


def test_one_month_in_against_the_standard():
    c = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 900, 1000, months=(0,))
    ae = metric(outlook(c), "ae")
    # (3·95·1000 − 100·1·900) / (2·1000) = (285000 − 90000) / 2000 = 97.5
    assert ae["needed_percent"] == "97.50"
    assert ae["threshold"] == "95.00" and ae["basis"] == "standard" and ae["strict"] is False
    assert ae["so_far"] == {"numerator": 900, "denominator": 1000, "percent": "90.00"}
    assert ae["months_in"] == ["2016-07"]
    assert ae["achievable"] is True and ae["secured"] is False and ae["met"] is None
    assert ae["at_stake"] == "31250.00"  # £250,000.00 × 12.5%


def test_two_months_in_computed_exactly_and_rounded_half_up_at_the_end():
    c = Country(rules_2016_17()).trust(1)
    c.perf(1, 2, "ae", 1400, 1500, months=(0,)).perf(1, 2, "ae", 1401, 1500, months=(1,))
    result = outlook(c)
    ae = next(m for m in result.metrics if m.metric == "ae")
    # N = 2801, D = 3000, k = 2: (3·95·3000 − 100·2·2801) / (1·3000) = (855000 − 560200) / 3000
    # = 294800 / 3000 = 98.2666…, shown 98.27
    assert ae.needed == Fraction(294800, 3000)
    assert metric(result, "ae")["needed_percent"] == "98.27"
    assert metric(result, "ae")["months_in"] == ["2016-07", "2016-08"]
    # what the remaining month must bring at the average 1,500 cases: 98.2666…% of 1,500 = 1,474 cases,
    # and (2801 + 1474) / 4500 = 95.0% exactly: the threshold is met
    assert Fraction(2801 + 1474, 4500) * 100 == 95


def test_no_month_in_needs_the_threshold_over_the_whole_quarter():
    c = Country(rules_2016_17()).trust(1)
    cancer = metric(outlook(c), "cancer62")
    assert cancer["needed_percent"] == "85.00" and cancer["months_in"] == []
    assert cancer["so_far"] == {"numerator": 0, "denominator": 0, "percent": None}
    assert needed_percent(Fraction(85), 0, 0, 0) == 85
    assert needed_percent(Fraction(85), 0, 0, 2) == 85  # months in with no case: no average either


def test_a_trajectory_below_the_standard_is_the_threshold():
    c = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 850, 1000, months=(0,))
    c.trajectory(1, 2, "ae", "89", months=(0,)).trajectory(1, 2, "ae", "90", months=(1,))
    c.trajectory(1, 2, "ae", "91", months=(2,))
    ae = metric(outlook(c), "ae")
    # trajectory = (89 + 90 + 91) / 3 = 90 < 95: basis trajectory
    # (3·90·1000 − 100·850) / 2000 = (270000 − 85000) / 2000 = 92.5
    assert (ae["threshold"], ae["basis"], ae["needed_percent"]) == ("90.00", "trajectory", "92.50")


def test_a_trajectory_above_the_standard_leaves_the_standard():
    c = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 850, 1000, months=(0,)).trajectory(1, 2, "ae", "97")
    ae = metric(outlook(c), "ae")
    # (3·95·1000 − 85000) / 2000 = 200000 / 2000 = 100: still achievable (every case in 4 hours)
    assert (ae["threshold"], ae["basis"], ae["needed_percent"], ae["achievable"]) == ("95.00", "standard", "100.00", True)


def test_prior_year_basis_under_the_2018_19_rule():
    rules = rules_2018_19()
    c = Country(rules).trust(1).perf(1, 2, "ae", 800, 1000, months=(0,))
    for k in range(3):
        c.performance.append([1, datetime.date(2017, 7 + k, 1), "ae", 850, 1000])
    ae = metric(outlook(c), "ae")
    # Q2 2017-18 was 2550 / 3000 = 85% < 90%: beating it is the lower bar, strictly
    # (3·85·1000 − 100·800) / 2000 = (255000 − 80000) / 2000 = 87.5
    assert (ae["threshold"], ae["basis"], ae["strict"], ae["needed_percent"]) == ("85.00", "prior_year", True, "87.50")
    # Q2 2018-19 is £1,000,000.00 × 20% = £200,000.00; A&E 30% of it = £60,000.00
    assert ae["at_stake"] == "60000.00"


def test_a_prior_year_above_the_threshold_leaves_the_threshold():
    rules = rules_2018_19()
    c = Country(rules).trust(1).perf(1, 2, "ae", 800, 1000, months=(0,))
    for k in range(3):
        c.performance.append([1, datetime.date(2017, 7 + k, 1), "ae", 920, 1000])
    ae = metric(outlook(c), "ae")
    # 92% last year beats 90%: the 90% threshold is the lower: (3·90·1000 − 80000) / 2000 = 95
    assert (ae["threshold"], ae["basis"], ae["strict"], ae["needed_percent"]) == ("90.00", "standard", False, "95.00")


def test_a_strict_threshold_needing_exactly_100_is_not_achievable():
    rules = rules_2018_19()
    c = Country(rules).trust(1).perf(1, 2, "ae", 775, 1000, months=(0, 1))
    for k in range(3):
        c.performance.append([1, datetime.date(2017, 7 + k, 1), "ae", 850, 1000])
    ae = metric(outlook(c), "ae")
    # (3·85·2000 − 100·2·1550) / (1·2000) = (510000 − 310000) / 2000 = 100: 100% only equals 85%
    # for the quarter ((1550 + 1000) / 3000 = 85%), and the rule needs it beaten
    assert ae["needed_percent"] == "100.00" and ae["achievable"] is False


def test_no_longer_achievable_still_gives_the_figure():
    c = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 500, 1000, months=(0, 1))
    ae = metric(outlook(c), "ae")
    # (3·95·2000 − 100·2·1000) / 2000 = (570000 − 200000) / 2000 = 185
    assert ae["needed_percent"] == "185.00" and ae["achievable"] is False and ae["secured"] is False


def test_already_secured_needs_nothing():
    c = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 1000, 1000, months=(0, 1)).trajectory(1, 2, "ae", "60")
    ae = metric(outlook(c), "ae")
    # (3·60·2000 − 100·2·2000) / 2000 = (360000 − 400000) / 2000 = −20 ≤ 0: met whatever comes
    assert ae["needed_percent"] == "0.00" and ae["secured"] is True and ae["achievable"] is True
    assert needed_percent(Fraction(60), 2000, 2000, 2) == -20


def test_q1_2016_17_with_a_trajectory_is_secured_by_the_agreement():
    c = Country(rules_2016_17()).trust(1).perf(1, 1, "ae", 100, 1000, months=(0,)).trajectory(1, 1, "ae", "93")
    ae = metric(outlook(c, quarter=1), "ae")
    assert (ae["basis"], ae["needed_percent"], ae["secured"], ae["met"]) == ("trajectory", "0.00", True, True)
    rtt = metric(outlook(c, quarter=1), "rtt")  # no trajectory: the standard as usual
    assert (rtt["basis"], rtt["needed_percent"], rtt["secured"]) == ("standard", "92.00", False)


def test_finance_plan_to_meet_and_the_latest_actual():
    rules = rules_2016_17()
    c = Country(rules).trust(1)
    c.finance.append([1, month(rules, 2, 0), D("-300000.00"), D("-250000.00")])
    c.finance.append([1, month(rules, 2, 1), D("-350000.00"), D("-360000.01")])
    c.finance.append([1, month(rules, 3, 0), D("-900000.00"), D("0.00")])  # a later quarter's: not read
    finance = outlook(c).record()["finance"]
    assert finance == {
        "ytd_plan_to_meet": "-350000.00", "plan_month": "2016-08", "plan_final": False,
        "latest_ytd_actual": "-360000.01", "actual_month": "2016-08",
        "on_track": False,  # −£360,000.01 is £10,000.01 behind the plan of −£350,000.00
        "met": None, "at_stake": "175000.00", "withheld_if_missed": "250000.00",
    }
    c.finance_at(1, 2, plan="-400000.00", actual="-400000.00")
    finance = outlook(c).record()["finance"]
    assert (finance["ytd_plan_to_meet"], finance["plan_month"], finance["plan_final"], finance["met"]) == (
        "-400000.00", "2016-09", True, True)  # on the plan exactly: met


def test_at_stake_is_the_element_the_result_carries_to_the_penny():
    c = Country(rules_2016_17()).trust(1, allocation="123456.78").perf(1, 2, "ae", 9, 10, months=(0,))
    result = outlook(c).record()
    # Q2 = 123,456.78 × 25% = 30,864.195 → £30,864.20; A&E and RTT 12.5% = 3,858.025 → £3,858.03;
    # cancer 5% = 1,543.21; finance = 30,864.20 − 2 × 3,858.03 − 1,543.21 = £21,604.93
    assert result["allocation"] == "30864.20"
    assert [m["at_stake"] for m in result["metrics"]] == ["3858.03", "3858.03", "1543.21"]
    assert result["finance"]["at_stake"] == "21604.93"
    stored = next(r for r in compute_entitlements(c.rules, c.inputs()) if r.quarter == 2)
    assert [m["element"] for m in stored.metrics] == ["3858.03", "3858.03", "1543.21"]
    assert stored.finance["element"] == "21604.93"


def test_a_complete_quarter_has_no_needed_figure():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf(1, 2, "ae", 900, 1000).perf(1, 2, "rtt", 93, 100)
    c.perf(1, 2, "cancer62", 90, 100)
    result = outlook(c).record()
    assert result["complete"] is True and result["months_in"] == ["2016-07", "2016-08", "2016-09"]
    ae = metric(outlook(c), "ae")
    assert ae["needed_percent"] is None and ae["met"] is False and ae["achievable"] is False  # 90% < 95%
    assert metric(outlook(c), "rtt")["met"] is True  # 93% ≥ 92%


def test_months_in_are_those_every_metric_has():
    c = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 9, 10, months=(0, 1)).perf(1, 2, "rtt", 9, 10, months=(0,))
    c.perf(1, 2, "cancer62", 9, 10, months=(0, 2))
    result = outlook(c).record()
    assert result["months_in"] == ["2016-07"] and result["complete"] is False


def test_a_trust_judged_on_no_metric_counts_its_finance_months():
    rules = rules_2016_17()
    c = Country(rules).trust(1, trust_type="mental_health")
    c.finance.append([1, month(rules, 2, 0), D("-1.00"), D("0.00")])
    result = outlook(c).record()
    assert result["metrics"] == [] and result["months_in"] == ["2016-07"]
    assert result["finance"]["at_stake"] == "250000.00"  # every weight moves to finance


def test_not_in_the_scheme_has_no_outlook():
    c = Country(rules_2016_17()).trust(1, allocation="0.00")
    assert outlook(c) is None
    assert outlook(Country(rules_2016_17()).trust(2), trust_id=1) is None


def test_year_end_estimate_incentive_before_scaling():
    c = Country(rules_2016_17()).trust(1)  # control total −£500,000.00
    estimate = outlook(c, forecast=(datetime.date(2016, 8, 1), D("-400000.00"))).record()["year_end_estimate"]
    # −400,000.00 − (−500,000.00) = £100,000.00 beyond the control total, £1 for £1
    assert estimate["incentive"] == "100000.00" and estimate["eligible"] is True
    assert estimate["bonus_depends_on_other_trusts"] is True and estimate["forecast_month"] == "2016-08"
    behind = outlook(c, forecast=(datetime.date(2016, 8, 1), D("-500000.01"))).record()["year_end_estimate"]
    assert behind["incentive"] == "0.00" and behind["eligible"] is False  # a penny behind
    assert outlook(c).record()["year_end_estimate"] is None  # no forecast known


def test_year_end_estimate_general_distribution_band():
    bands = ((D("0"), D("1.0")), (D("25"), D("0.75")), (D("50"), D("0.5")), (D("100"), D("0.25")))
    rules = dataclasses.replace(rules_2017_18(), year_end_method="general_distribution", year_end_bands=bands)
    c = Country(rules).trust(1)
    estimate = outlook(c, forecast=(datetime.date(2017, 8, 1), D("-700000.00"))).record()["year_end_estimate"]
    # shortfall −500,000 − (−700,000) = £200,000.00, 20% of the £1,000,000.00 allocation: up to 25% → 0.75
    assert (estimate["shortfall"], estimate["shortfall_percent"], estimate["weight"]) == ("200000.00", "20.00", "0.75")
    assert outlook(Country(rules_2017_18()).trust(1), forecast=(datetime.date(2017, 8, 1), D("0"))
                   ).record()["year_end_estimate"] is None  # a scheme with no year end


def test_quarter_must_be_one_to_four():
    with pytest.raises(ValueError):
        outlook(Country(rules_2016_17()).trust(1), quarter=5)
