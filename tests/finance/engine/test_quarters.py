"""The quarter arithmetic at the boundaries of every rule of RULES.md: allocations by phase,
elements, the finance test, each metric judged, and the money earned, withheld and pending.

Expected money is worked out by hand in the comments, never taken from the engine.
"""
import datetime
from decimal import Decimal as D

import pytest

from tests.finance.engine.country import Country, metric, money, prior_year_country, rules_2016_17, rules_2017_18

# --- Rule 4: trajectory or standard ----------------------------------------------------------

def test_exactly_at_the_trajectory_is_met():
    # Q2 (no Q1 rule): A&E 9200/10000 = 92.00% exactly, trajectory 92.00, standard 95.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf_all(1, 2).perf(1, 2, "ae", 9200, 10000)
    c.performance = [row for row in c.performance if not (row[2] == "ae" and row[4] == 100)]
    c.trajectory(1, 2, "ae", "92.00")
    r = c.results()[(1, 2)]
    ae = metric(r, "ae")
    assert ae["met"] is True
    assert (ae["performance"], ae["trajectory"], ae["standard"]) == ("92.00", "92.00", "95.00")
    # £250,000.00 quarter, everything met.
    assert money(r) == (D("250000.00"), D("250000.00"), D("0.00"), D("0.00"))
    assert r.status == "full"
    assert "A&E 92.00% meets its trajectory 92.00%: £31,250.00 earned" in r.reasons


def test_just_below_the_trajectory_is_missed_though_it_displays_the_same():
    # 27599/30000 = 91.99667%: shown as 92.00 but below the trajectory 92.00 unrounded.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2)
    c.perf(1, 2, "rtt", 99, 100).perf(1, 2, "cancer62", 99, 100)
    c.perf(1, 2, "ae", 9200, 10000, months=(0, 1)).perf(1, 2, "ae", 9199, 10000, months=(2,))
    c.trajectory(1, 2, "ae", "92.00")
    r = c.results()[(1, 2)]
    ae = metric(r, "ae")
    assert ae["met"] is False and ae["performance"] == "92.00"
    # A&E element 12.5% of £250,000.00 = £31,250.00 withheld.
    assert money(r) == (D("250000.00"), D("218750.00"), D("31250.00"), D("0.00"))
    assert r.status == "partial"
    # 92.00% against 92.00% would contradict itself: 27599/30000 = 91.99666..%, which at 3 places is
    # 91.997% against the trajectory's 92.000% (exact at 2 places, so written 92.00%), with the counts.
    assert ("A&E 91.997% (27,599 of 30,000) is below both its trajectory 92.00% and the standard 95.00%: "
            "£31,250.00 withheld" in r.reasons)



@pytest.mark.parametrize("numerator, met", [(9500, True), (9499, False)])
def test_at_the_standard_without_trajectory(numerator, met):
    c = Country(rules_2016_17()).trust(1).finance_at(1, 3).perf_all(1, 3)
    c.performance = [row for row in c.performance if row[2] != "ae"]
    c.perf(1, 3, "ae", numerator, 10000)
    r = c.results()[(1, 3)]
    assert metric(r, "ae")["met"] is met
    assert metric(r, "ae")["trajectory"] is None
    assert r.withheld == (D("0.00") if met else D("31250.00"))
    if not met:
        assert "A&E 94.99% is below the standard 95.00% (no agreed trajectory): £31,250.00 withheld" in r.reasons


def test_a_trajectory_above_the_standard_still_passes_at_the_standard():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf_all(1, 2)
    c.performance = [row for row in c.performance if row[2] != "ae"]
    c.perf(1, 2, "ae", 95, 100).trajectory(1, 2, "ae", "97.50")
    r = c.results()[(1, 2)]
    assert metric(r, "ae")["met"] is True and r.status == "full"


def test_a_partial_trajectory_is_the_mean_of_the_months_given():
    # Trajectory for two months only: (90 + 93) / 2 = 91.5; A&E 91.50% meets it exactly.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf(1, 2, "rtt", 1, 1).perf(1, 2, "cancer62", 1, 1)
    c.perf(1, 2, "ae", 915, 1000)
    c.trajectory(1, 2, "ae", "90.00", months=(0,)).trajectory(1, 2, "ae", "93.00", months=(2,))
    r = c.results()[(1, 2)]
    assert metric(r, "ae")["trajectory"] == "91.50"
    assert metric(r, "ae")["met"] is True


# --- Rule 2: finance all or nothing ----------------------------------------------------------

def test_one_pound_behind_plan_withholds_the_whole_quarter():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2, plan="-500000.00", actual="-500001.00").perf_all(1, 2)
    r = c.results()[(1, 2)]
    assert r.status == "finance_failed"
    assert r.finance_met is False and r.finance["met"] is False
    assert money(r) == (D("250000.00"), D("0.00"), D("250000.00"), D("0.00"))
    assert r.finance["ytd_plan"] == "-500000.00" and r.finance["ytd_actual"] == "-500001.00"
    assert r.reasons == [
        "Finance: YTD actual -£500,001.00 is behind the YTD plan -£500,000.00 at September 2016: "
        "the quarter's £250,000.00 is withheld"
    ]


def test_exactly_on_plan_passes_finance():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2, plan="-500000.00", actual="-500000.00").perf_all(1, 2)
    r = c.results()[(1, 2)]
    assert r.status == "full" and r.finance_met is True
    # Finance element = 70% of £250,000.00 = £175,000.00 (the remainder after 31,250 + 31,250 + 12,500).
    assert r.finance["element"] == "175000.00"
    assert r.earned == D("250000.00")


def test_finance_is_read_at_the_quarters_last_month_only():
    # A return for August (not the quarter's last month) does not decide Q2: it stays pending.
    c = Country(rules_2016_17()).trust(1).perf_all(1, 2)
    c.finance.append([1, datetime.date(2016, 8, 1), D("0"), D("1")])
    r = c.results()[(1, 2)]
    assert r.status == "pending" and r.pending == D("250000.00") and r.finance_met is None
    assert r.reasons == ["The finance return for September 2016 has not arrived: the quarter's £250,000.00 is pending"]


# --- Rule 1: no control total -----------------------------------------------------------------

def test_no_control_total_withholds_everything_whatever_the_data():
    c = Country(rules_2016_17()).trust(1, accepted=False).trust(2, accepted=False).finance_all(1).perf_all(1, 2)
    results = c.results()
    for trust_id in (1, 2):  # trust 2 has no data at all: still withheld, not pending
        for quarter in range(1, 5):
            r = results[(trust_id, quarter)]
            assert r.status == "no_control_total"
            assert money(r) == (D("250000.00"), D("0.00"), D("250000.00"), D("0.00"))


# --- Rule 9: pending --------------------------------------------------------------------------

def test_one_month_of_a_quarter_missing_makes_that_element_pending():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf(1, 2, "rtt", 99, 100).perf(1, 2, "cancer62", 99, 100)
    c.perf(1, 2, "ae", 99, 100, months=(0, 2))  # August 2016 missing
    r = c.results()[(1, 2)]
    assert r.status == "pending"
    assert metric(r, "ae")["met"] is None and metric(r, "ae")["performance"] is None
    # Pending = A&E £31,250.00; earned = £175,000 + £31,250 + £12,500 = £218,750.00.
    assert money(r) == (D("250000.00"), D("218750.00"), D("0.00"), D("31250.00"))
    assert "A&E: data for August 2016 has not arrived: £31,250.00 pending" in r.reasons


def test_pending_and_withheld_together_is_partial():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf(1, 2, "rtt", 50, 100).perf(1, 2, "cancer62", 99, 100)
    c.perf(1, 2, "ae", 99, 100, months=(0, 1))
    r = c.results()[(1, 2)]
    assert r.status == "partial"
    assert money(r) == (D("250000.00"), D("187500.00"), D("31250.00"), D("31250.00"))


def test_no_data_at_all_is_pending_for_every_quarter():
    results = Country(rules_2016_17()).trust(1).results()
    assert [results[(1, q)].status for q in range(1, 5)] == ["pending"] * 4
    assert all(results[(1, q)].pending == D("250000.00") for q in range(1, 5))


# --- Rule 5: Q1 of 2016-17 --------------------------------------------------------------------

def test_q1_with_a_trajectory_is_met_whatever_the_performance_or_data():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 1)
    c.perf(1, 1, "ae", 50, 100).trajectory(1, 1, "ae", "90")  # 50% but trajectory agreed
    c.trajectory(1, 1, "rtt", "88")  # no RTT data at all, trajectory agreed: met, not pending
    c.perf(1, 1, "cancer62", 80, 100)  # no trajectory: judged on the standard 85%: missed
    r = c.results()[(1, 1)]
    assert metric(r, "ae")["met"] is True and metric(r, "rtt")["met"] is True
    assert metric(r, "cancer62")["met"] is False
    # Cancer element 5% of £250,000.00 = £12,500.00 withheld, the rest earned.
    assert money(r) == (D("250000.00"), D("237500.00"), D("12500.00"), D("0.00"))
    assert "A&E: Q1 is paid on the agreed trajectory (90.00%): £31,250.00 earned" in r.reasons


def test_q1_without_a_trajectory_is_judged_on_the_standard():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 1).perf_all(1, 1).perf(1, 1, "ae", 94, 100)
    c.performance = [row for row in c.performance if not (row[2] == "ae" and row[3] == 99)]
    r = c.results()[(1, 1)]
    assert metric(r, "ae")["met"] is False and r.withheld == D("31250.00")


def test_the_q1_rule_is_a_scheme_setting():
    c = Country(rules_2016_17(q1_paid_on_trajectory=False)).trust(1).finance_at(1, 1)
    c.perf(1, 1, "ae", 50, 100).trajectory(1, 1, "ae", "90").perf(1, 1, "rtt", 1, 1).perf(1, 1, "cancer62", 1, 1)
    assert metric(c.results()[(1, 1)], "ae")["met"] is False


# --- Rule 7: metrics not applicable ----------------------------------------------------------

def test_non_applicable_metrics_move_their_weight_to_finance():
    c = Country(rules_2016_17()).trust(1, trust_type="specialist").trust(2, trust_type="mental_health")
    c.finance_at(1, 2).finance_at(2, 2).perf(1, 2, "rtt", 1, 1).perf(1, 2, "cancer62", 1, 1)
    results = c.results()
    specialist, mental = results[(1, 2)], results[(2, 2)]
    # Specialist: finance 70% + A&E 12.5% = 82.5% of £250,000.00 = £206,250.00.
    assert specialist.finance["element"] == "206250.00"
    assert metric(specialist, "ae") == {"metric": "ae", "applicable": False, "element": "0.00", "met": None,
                                        "performance": None, "trajectory": None, "standard": "95.00"}
    assert specialist.status == "full" and specialist.earned == D("250000.00")
    # Mental health: finance is the whole quarter; no metric data needed.
    assert mental.finance["element"] == "250000.00" and mental.status == "full"


# --- Money arithmetic ------------------------------------------------------------------------

def test_odd_penny_allocations_round_half_up_and_the_last_quarter_takes_the_remainder():
    # £0.10 a year: 0.025 a quarter rounds half-up to 0.03 for Q1-Q3; Q4 = 0.10 - 0.09 = 0.01.
    # £1,000,000.03: 250,000.0075 -> 250,000.01 for Q1-Q3; Q4 = 1,000,000.03 - 750,000.03 = 250,000.00.
    c = Country(rules_2016_17()).trust(1, allocation="0.10").trust(2, allocation="1000000.03")
    results = c.results()
    assert [results[(1, q)].allocation for q in range(1, 5)] == [D("0.03"), D("0.03"), D("0.03"), D("0.01")]
    assert [results[(2, q)].allocation for q in range(1, 5)] == [D("250000.01")] * 3 + [D("250000.00")]
    # Elements of £250,000.01: A&E and RTT 31,250.00125 -> 31,250.00; cancer 12,500.0005 -> 12,500.00;
    # finance takes the remainder 250,000.01 - 75,000.00 = 175,000.01.
    r = results[(2, 1)]
    assert r.finance["element"] == "175000.01"
    assert [m["element"] for m in r.metrics] == ["31250.00", "31250.00", "12500.00"]
    # Elements of £0.03: 0.00375 -> 0.00 (A&E, RTT), 0.0015 -> 0.00; finance £0.03.
    assert results[(1, 1)].finance["element"] == "0.03"


def test_half_a_penny_element_rounds_up():
    # Quarter £0.04 (annual £0.16): A&E 12.5% = £0.005 -> £0.01 (half-up); finance = 0.04 - 0.01 - 0.01 - 0.00.
    r = Country(rules_2016_17()).trust(1, allocation="0.16").results()[(1, 1)]
    assert [m["element"] for m in r.metrics] == ["0.01", "0.01", "0.00"]
    assert r.finance["element"] == "0.02"


def test_2017_18_phasing_and_a_and_e_only():
    c = Country(rules_2017_18()).trust(1).trust(2, allocation="0.07")
    for quarter in range(1, 5):
        c.finance_at(1, quarter).perf(1, quarter, "ae", 96, 100)
    results = c.results()
    # 15/20/30/35% of £1,000,000.00.
    assert [results[(1, q)].allocation for q in range(1, 5)] == [D("150000.00"), D("200000.00"), D("300000.00"), D("350000.00")]
    # A&E is 30%: Q1 element £45,000.00, finance £105,000.00; all earned.
    r = results[(1, 1)]
    assert [m["metric"] for m in r.metrics] == ["ae"] and r.metrics[0]["element"] == "45000.00"
    assert r.finance["element"] == "105000.00" and r.status == "full"
    # £0.07: 0.0105 -> 0.01, 0.014 -> 0.01, 0.021 -> 0.02, Q4 takes 0.07 - 0.04 = 0.03.
    assert [results[(2, q)].allocation for q in range(1, 5)] == [D("0.01"), D("0.01"), D("0.02"), D("0.03")]


def test_2017_18_has_no_q1_rule():
    c = Country(rules_2017_18()).trust(1).finance_at(1, 1).perf(1, 1, "ae", 80, 100).trajectory(1, 1, "ae", "85")
    r = c.results()[(1, 1)]
    assert metric(r, "ae")["met"] is False and r.withheld == D("45000.00")



# --- 2018-19: threshold or prior year ---------------------------------------------------------

@pytest.mark.parametrize("current, prior, met", [
    (900, None, True),   # exactly the 90% threshold
    (899, None, False),  # below the threshold, nothing to beat
    (899, 880, True),    # 89.9% beats 88.0% in Q2 2017-18
    (880, 880, False),   # equal is not beating
    (881, 880, True),
    (850, 870, False),
])
def test_2018_19_met_at_the_threshold_or_beating_the_same_quarter_of_2017_18(current, prior, met):
    r = prior_year_country(current, prior)
    assert metric(r, "ae")["met"] is met
    assert metric(r, "ae")["standard"] == "90.00" and metric(r, "ae")["trajectory"] is None
    # Q2 = 20% of £1,000,000.00 = £200,000.00; A&E 30% = £60,000.00.
    assert r.withheld == (D("0.00") if met else D("60000.00"))
    assert r.earned + r.withheld == D("200000.00")
