"""Statuses mean what they say (RULES.md, "Trusts with nothing at stake"): ``finance.met`` is null
whenever the finance test was not applied, a £0.00 allocation is not in the scheme, and a reason
whose rounded figures tie writes the exact figure with its counts.

Expected money and percentages are worked out by hand in the comments, never taken from the engine.
"""
import datetime
from decimal import Decimal as D

import pandas as pd
import pytest

from finance.engine import compute_year_end
from tests.finance.engine.country import Country, metric, money, rules_2016_17, rules_2017_18, rules_2018_19

# --- finance.met -------------------------------------------------------------------------------


def test_no_control_total_leaves_finance_unjudged_even_when_ahead_of_plan():
    # YTD actual -£400,000.00 is £100,000.00 ahead of the plan -£500,000.00, but with no control
    # total the test is not applied: met is None, not False, and the whole £250,000.00 is withheld.
    c = Country(rules_2016_17()).trust(1, accepted=False).finance_all(1).perf_all(1, 2)
    r = c.results()[(1, 2)]
    assert r.status == "no_control_total"
    assert r.finance_met is None and r.finance["met"] is None
    assert (r.finance["ytd_plan"], r.finance["ytd_actual"]) == ("-500000.00", "-400000.00")
    assert money(r) == (D("250000.00"), D("0.00"), D("250000.00"), D("0.00"))
    assert r.reasons == ["The control total for 2016-17 has not been accepted: the quarter's £250,000.00 is withheld"]


def test_no_control_total_and_no_return_is_still_unjudged():
    c = Country(rules_2016_17()).trust(1, accepted=False)
    for quarter in range(1, 5):
        r = c.results()[(1, quarter)]
        assert r.status == "no_control_total" and r.finance["met"] is None
        assert r.finance["ytd_plan"] is None and r.finance["ytd_actual"] is None


def test_a_missing_return_leaves_finance_unjudged_and_the_quarter_pending():
    # Q2's return (September) never arrived: nothing is judged, £250,000.00 pending.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 1).perf_all(1, 2)
    r = c.results()[(1, 2)]
    assert r.status == "pending" and r.finance_met is None and r.finance["met"] is None
    assert money(r) == (D("250000.00"), D("0.00"), D("0.00"), D("250000.00"))


def test_only_an_applied_test_fails():
    # One penny behind plan at September: the test was applied and failed.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2, plan="-500000.00", actual="-500000.01").perf_all(1, 2)
    r = c.results()[(1, 2)]
    assert r.status == "finance_failed" and r.finance_met is False and r.finance["met"] is False


# --- A £0.00 allocation is not in the scheme ------------------------------------------------


def test_a_nil_allocation_gets_no_quarter_at_all():
    # Trust 2 has £0.00 for the year, accepts its control total and returns everything: it is not in
    # the scheme, so it has no result (no "full" status); trust 3 refuses with £0.00: no result either.
    c = Country(rules_2017_18()).trust(1).trust(2, allocation="0.00").trust(3, allocation="0.00", accepted=False)
    for trust_id in (1, 2):
        c.finance_all(trust_id)
        for quarter in range(1, 5):
            c.perf(trust_id, quarter, "ae", 96, 100)
    results = c.results()
    assert sorted(results) == [(1, 1), (1, 2), (1, 3), (1, 4)]
    # Trust 1's £1,000,000.00 phased 15/20/30/35%: £150,000, £200,000, £300,000, £350,000, all earned.
    assert [results[(1, q)].earned for q in range(1, 5)] == [
        D("150000.00"), D("200000.00"), D("300000.00"), D("350000.00")]


def test_a_nil_allocation_has_no_year_end_line_and_does_not_hold_it_up():
    # RAA £300.00 allocated, beat its control total 0 by £50.00; RZZ £0.00 allocated with no quarters
    # stored (not in the scheme) beat its control total by £1,000.00: it must neither claim an
    # incentive nor keep the year undecided. Pool = 1000 - 300 - 0 + 0 withheld = 700.00;
    # RAA: incentive 50.00, bonus the rest 650.00.
    columns = ["trust_id", "org_code", "stf_allocation", "control_total", "control_total_accepted", "actual_m12",
               "quarters", "earned", "withheld", "pending"]
    frame = pd.DataFrame([
        [1, "RAA", D("300.00"), D("0"), True, D("50"), 4, D("300.00"), D("0"), D("0")],
        [2, "RZZ", D("0.00"), D("0"), True, D("1000"), 0, D("0"), D("0"), D("0")],
    ], columns=columns)
    outcome = compute_year_end(rules_2016_17(pot=D("1000.00")), frame)
    assert outcome.decided and outcome.pool == D("700.00")
    assert [(line.org_code, line.incentive, line.bonus) for line in outcome.lines] == [
        ("RAA", D("50.00"), D("650.00"))]


# --- Tied figures -------------------------------------------------------------------------------


def ae_quarter_3(numerators, denominators):
    """Q3 2016-17 with finance met, RTT and cancer met, and A&E month by month (no trajectory)."""
    c = Country(rules_2016_17()).trust(1).finance_at(1, 3).perf(1, 3, "rtt", 99, 100).perf(1, 3, "cancer62", 99, 100)
    for k, (numerator, denominator) in enumerate(zip(numerators, denominators)):
        c.perf(1, 3, "ae", numerator, denominator, months=(k,))
    return c.results()[(1, 3)]


def test_a_tie_with_the_standard_shows_the_exact_figure_and_counts():
    # A&E 6,333 × 3 = 18,999 of 6,667 + 6,667 + 6,666 = 20,000: 94.995% exactly, which rounds
    # half-up to 95.00% like the standard, yet is below it. At 3 places 94.995% against 95.000%;
    # the standard is exact at 2 places, so it stays "95.00%".
    r = ae_quarter_3([6333, 6333, 6333], [6667, 6667, 6666])
    assert metric(r, "ae")["performance"] == "95.00" and metric(r, "ae")["met"] is False
    # A&E element 12.5% of the quarter's £250,000.00 = £31,250.00 withheld.
    assert ("A&E 94.995% (18,999 of 20,000) is below the standard 95.00% (no agreed trajectory): "
            "£31,250.00 withheld") in r.reasons
    assert not any("95.00% is below the standard 95.00%" in reason for reason in r.reasons)


def test_a_tie_at_three_places_takes_four():
    # 1,899,991 of 2,000,000 a month: 5,699,973 of 6,000,000 = 94.99955%. At 3 places that is
    # 95.000% (a tie again); at 4 places half-up 94.9996% against 95.0000%.
    r = ae_quarter_3([1899991] * 3, [2000000] * 3)
    assert ("A&E 94.9996% (5,699,973 of 6,000,000) is below the standard 95.00% (no agreed trajectory): "
            "£31,250.00 withheld") in r.reasons


def test_no_tie_no_extra_places():
    # 9,499 of 10,000 a month = 94.99% exactly: no tie with 95.00%, written at 2 places as before.
    r = ae_quarter_3([9499] * 3, [10000] * 3)
    assert "A&E 94.99% is below the standard 95.00% (no agreed trajectory): £31,250.00 withheld" in r.reasons


def test_a_trajectory_that_is_not_exact_at_two_places_is_written_with_the_same_places():
    # Trajectory 92.00, 92.00, 92.01: mean 92.00333..% (shown 92.00). A&E 2,760 of 3,000 = 92.00%
    # exactly, below the mean: at 3 places 92.000% against 92.003%. Standard 95: not met either.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 3).perf(1, 3, "rtt", 99, 100).perf(1, 3, "cancer62", 99, 100)
    c.perf(1, 3, "ae", 920, 1000).trajectory(1, 3, "ae", "92.00", months=(0, 1)).trajectory(1, 3, "ae", "92.01",
                                                                                            months=(2,))
    r = c.results()[(1, 3)]
    assert ("A&E 92.000% (2,760 of 3,000) is below both its trajectory 92.003% and the standard 95.00%: "
            "£31,250.00 withheld") in r.reasons


@pytest.mark.parametrize("last_month, expected", [
    # 8,800 + 8,800 + 8,799 = 26,399 of 30,000 = 87.99666..% (88.00%): 87.997% at 3 places, and
    # does not beat Q2 2017-18's 2,640 of 3,000 = 88.00% exactly (cross-multiplied: 26,399 × 3,000
    # = 79,197,000 < 2,640 × 30,000 = 79,200,000). Element: 30% of Q2's 20% of £1,000,000.00 = £60,000.00.
    (8799, "A&E 87.997% (26,399 of 30,000) is below the threshold 90.00% and does not beat "
           "88.00% (2,640 of 3,000) in Q2 2017-18: £60,000.00 withheld"),
    # 26,401 of 30,000 = 88.00333..%: beats 88.00% by a hair (79,203,000 > 79,200,000).
    (8801, "A&E 88.003% (26,401 of 30,000) beats 88.00% (2,640 of 3,000) in Q2 2017-18: £60,000.00 earned"),
])
def test_a_tie_with_the_prior_year_names_both_counts(last_month, expected):
    c = Country(rules_2018_19()).trust(1).finance_at(1, 2)
    c.perf(1, 2, "ae", 8800, 10000, months=(0, 1)).perf(1, 2, "ae", last_month, 10000, months=(2,))
    for k in range(3):
        c.performance.append([1, datetime.date(2017, 7 + k, 1), "ae", 880, 1000])
    assert expected in c.results()[(1, 2)].reasons
