"""The year end by method, exact to the penny (pure engine): 2016-17's £1-for-£1 incentive and bonus,
2017-18's general distribution on its closeness bands, no year end, a negative pool refused, and a
year that waits naming the trusts and months it waits for."""
import datetime
from decimal import Decimal as D

import pandas as pd

from finance.engine import compute_year_end
from tests.finance.engine.country import rules_2016_17

BANDS = ((D("0"), D("1")), (D("25"), D("0.75")), (D("50"), D("0.5")), (D("100"), D("0.25")))

COLUMNS = ["trust_id", "org_code", "stf_allocation", "control_total", "control_total_accepted", "actual_m12",
           "quarters", "earned", "withheld", "pending"]


def year(rows, pot, **rules):
    frame = pd.DataFrame(
        [[i + 1, code, D(a), D(ct), acc, None if act is None else D(act), 4, D(e), D(w), D(p)]
         for i, (code, a, ct, acc, act, e, w, p) in enumerate(rows)],
        columns=COLUMNS,
    )
    return compute_year_end(rules_2016_17(pot=D(pot), **rules), frame)


def distribution(rows, pot):
    return year(rows, pot, year_end_method="general_distribution", year_end_bands=BANDS)


def lines(outcome):
    return {line.org_code: (line.eligible, line.incentive, line.bonus) for line in outcome.lines}


def test_incentive_and_bonus_by_hand():
    # Pot 1000.00; allocations 300 + 200 + 100 = 600, so 400.00 unallocated; RCC withheld 100.00.
    # Pool = 1000 - 600 + 100 = 500.00. RAA beat its control total by 50.00: incentive 50.00.
    # Bonus 450.00 pro rata to 300:200 = 270.00 and 180.00. RCC did not accept its control total.
    outcome = year([
        ("RAA", "300", "0", True, "50", "300", "0", "0"),
        ("RBB", "200", "-10", True, "-10", "200", "0", "0"),
        ("RCC", "100", "0", False, None, "0", "100", "0"),
    ], pot="1000.00")
    assert outcome.decided and outcome.pool == D("500.00")
    assert lines(outcome) == {
        "RAA": (True, D("50.00"), D("270.00")),
        "RBB": (True, D("0.00"), D("180.00")),
        "RCC": (False, D("0.00"), D("0.00")),
    }


def test_leftover_pennies_go_to_the_largest_remainders_then_by_org_code():
    # Pool = 1000.01 - 600 + 0 = 400.01 shared 1:1:1 (equal allocations) among RBB, RAA, RCC:
    # 133.33 each with 0.02 left over: one penny each to the equal remainders in org code order, RAA then RBB.
    outcome = year([
        ("RBB", "200", "0", True, "0", "200", "0", "0"),
        ("RAA", "200", "0", True, "0", "200", "0", "0"),
        ("RCC", "200", "0", True, "0", "200", "0", "0"),
    ], pot="1000.01")
    assert lines(outcome) == {
        "RAA": (True, D("0.00"), D("133.34")),
        "RBB": (True, D("0.00"), D("133.34")),
        "RCC": (True, D("0.00"), D("133.33")),
    }


def test_incentives_are_scaled_down_when_the_pool_is_short():
    # Pool = 700 - 600 + 0 = 100.00, incentives claimed 150 + 50 = 200: scaled by 1/2 to 75.00 and 25.00.
    # Nothing is left for a bonus. An ineligible trust (actual below control total) gets nothing.
    outcome = year([
        ("RAA", "300", "0", True, "150", "300", "0", "0"),
        ("RBB", "200", "0", True, "50", "200", "0", "0"),
        ("RCC", "100", "0", True, "-0.01", "100", "0", "0"),
    ], pot="700.00")
    assert lines(outcome) == {
        "RAA": (True, D("75.00"), D("0.00")),
        "RBB": (True, D("25.00"), D("0.00")),
        "RCC": (False, D("0.00"), D("0.00")),
    }


def test_national_totals_reconcile_to_the_pot():
    # 37 trusts with awkward figures; whatever the split, earned + incentive + bonus = pot exactly.
    rows = []
    for k in range(37):
        allocation = D(1000003 + 7919 * k).scaleb(-2)
        withheld = allocation if k % 5 == 0 else D(0)
        rows.append((f"R{k:03d}", str(allocation), "-1000", k % 7 != 0, str(D(-1000 + 333 * (k % 4 - 1)) / 3),
                     str(allocation - withheld), str(withheld), "0"))
    frame_pot = D("1800000000.00")
    outcome = year(rows, pot=str(frame_pot))
    earned = sum(D(r[5]) for r in rows)
    total = earned + sum(line.incentive + line.bonus for line in outcome.lines)
    assert total == frame_pot
    assert all(line.incentive >= 0 and line.bonus >= 0 for line in outcome.lines)


def test_nothing_is_awarded_while_anything_is_pending():
    outcome = year([("RAA", "300", "0", True, "50", "200", "0", "100")], pot="1000.00")
    assert not outcome.decided and outcome.lines == [] and outcome.state == "waiting"
    assert outcome.message == "Waits for 1 trust: RAA (pending £100.00)."


def test_a_waiting_year_names_the_trusts_and_the_months_they_wait_for():
    frame = pd.DataFrame([
        [1, "RXB", D("100"), D("0"), True, D("0"), 4, D("75"), D("0"), D("25")],
        [2, "RXA", D("100"), D("0"), True, D("0"), 4, D("65"), D("0"), D("35")],
        [3, "RXC", D("100"), D("0"), True, D("0"), 4, D("100"), D("0"), D("0")],
        [4, "RXD", D("100"), D("0"), True, None, 3, D("75"), D("0"), D("0")],
    ], columns=COLUMNS)
    frame["missing"] = [
        {"finance": [datetime.date(2017, 3, 1)], "ae": [datetime.date(2017, 2, 1)]},
        {"ae": [datetime.date(2017, 1, 1), datetime.date(2017, 3, 1)]},
        {}, {},
    ]
    outcome = compute_year_end(rules_2016_17(pot=D("1000")), frame, named=2)
    assert (outcome.state, outcome.decided, outcome.lines) == ("waiting", False, [])
    # In org code order, two named, the third (RXD: a quarter not computed) counted.
    assert outcome.message == "Waits for 3 trusts: RXA (A&E Jan 2017, Mar 2017), RXB (finance Mar 2017; A&E Feb 2017) and 1 more."
    assert [(w.org_code, w.pending, w.quarters) for w in outcome.waits] == [
        ("RXA", D("35.00"), 4), ("RXB", D("25.00"), 4), ("RXD", D("0.00"), 3)]
    assert outcome.national["pending"] == D("60.00") and outcome.national["pool"] is None


def test_a_negative_pool_is_refused_with_its_reason_for_either_method():
    # Pot 500.00, allocations 300 + 200 + 100 = 600, withheld 88.00: pool = 500 - 600 + 88 = -12.00.
    rows = [
        ("RAA", "300", "0", True, "50", "300", "0", "0"),
        ("RBB", "200", "0", True, "0", "200", "0", "0"),
        ("RCC", "100", "0", True, "0", "12", "88", "0"),
    ]
    for outcome in (year(rows, pot="500.00"), distribution(rows, pot="500.00")):
        assert (outcome.state, outcome.decided, outcome.lines) == ("refused", False, [])
        assert outcome.pool == D("-12.00")
        assert outcome.message == ("The pool is negative (-£12.00): the allocations exceed the pot by more than "
                                   "was withheld; nothing is awarded.")


def test_a_scheme_without_a_year_end_decides_nothing():
    outcome = year([("RAA", "300", "0", True, "50", "300", "0", "0")], pot="1000.00", year_end_method="none")
    assert (outcome.state, outcome.decided, outcome.lines) == ("none", False, [])
    assert outcome.message == "2016-17 has no year end: nothing is shared out after the quarters."


def test_the_bands_at_their_edges():
    # Allocation 1,000.00 each, control total 0.00, actual = minus the shortfall:
    # RA0 on target (0%: weight 1), RA1 250.00 short (exactly 25%: 0.75), RA2 250.01 short (just over
    # 25%: 0.5), RA3 500.00 short (50%: 0.5), RA4 1,000.00 short (100%: 0.25), RA5 1,000.01 short (over
    # 100%: 0), RA6 did not accept (nothing), RA7 has no month-12 actual (weight 0).
    rows = [(f"RA{k}", "1000", "0", k != 6, actual, "1000", "0", "0") for k, actual in enumerate(
        ["0", "-250", "-250.01", "-500", "-1000", "-1000.01", "0", None])]
    # Pot 8,000.00 + 100.00 left over: pool = 8,100.00 - 8,000.00 + 0 = 100.00.
    outcome = distribution(rows, pot="8100.00")
    weights = {line.org_code: line.detail["weight"] for line in outcome.lines}
    assert weights == {"RA0": "1", "RA1": "0.75", "RA2": "0.5", "RA3": "0.5", "RA4": "0.25", "RA5": "0",
                       "RA6": "0", "RA7": "0"}
    # Σ weight × allocation = 1000 × (1 + 0.75 + 0.5 + 0.5 + 0.25) = 3,000.00: 10,000 pennies shared
    # 4 : 3 : 2 : 2 : 1 of 12 = 3333.33, 2500, 1666.67, 1666.67, 833.33 pennies: floors 3333, 2500, 1666,
    # 1666, 833 = 9998; the 2 leftover pennies to the largest remainders (0.67 each: RA2 and RA3).
    shares = {line.org_code: line.general_distribution for line in outcome.lines}
    assert shares == {"RA0": D("33.33"), "RA1": D("25.00"), "RA2": D("16.67"), "RA3": D("16.67"), "RA4": D("8.33"),
                      "RA5": D("0.00"), "RA6": D("0.00"), "RA7": D("0.00")}
    assert sum(shares.values()) == outcome.pool == D("100.00")
    assert [line.eligible for line in outcome.lines] == [True] * 5 + [False] * 3
    reasons = {line.org_code: line.detail["reasons"][0] for line in outcome.lines}
    assert reasons["RA1"] == ("Finished £250.00 short of its control total £0.00, 25.00% of its allocation: weight 0.75 "
                              "of £1,000.00 allocation; £25.00 of the £100.00 distribution")
    assert reasons["RA2"] == ("Finished £250.01 short of its control total £0.00, 25.001% of its allocation: weight 0.5 "
                              "of £1,000.00 allocation; £16.67 of the £100.00 distribution")
    assert reasons["RA5"] == ("Finished £1,000.01 short of its control total £0.00, 100.001% of its allocation, beyond "
                              "the last band (100%): weight 0; nothing of the £100.00 distribution")
    assert reasons["RA6"] == "Not eligible: the control total was not accepted; nothing of the £100.00 distribution"
    assert reasons["RA7"] == ("The finance return for March 2017 (month 12) has not arrived: weight 0; nothing of the "
                              "£100.00 distribution")
    assert reasons["RA0"].startswith("Finished on or above its control total £0.00 (year-end actual £0.00): weight 1")
    assert outcome.message == "Pool £100.00: general distribution of £100.00 to 5 trusts"


def test_the_general_distribution_breaks_ties_by_org_code_and_reconciles_to_the_pot():
    # Three equal trusts on target, pool = 600.02 - 600.00 + 0 = 0.02: 2 pennies to the equal
    # remainders in org code order, RDA and RDB; RDC none.
    rows = [(code, "200", "0", True, "0", "200", "0", "0") for code in ("RDC", "RDA", "RDB")]
    outcome = distribution(rows, pot="600.02")
    assert {line.org_code: line.general_distribution for line in outcome.lines} == {
        "RDA": D("0.01"), "RDB": D("0.01"), "RDC": D("0.00")}
    national = outcome.national
    # earned 600.00 + awarded 0.02 = the pot 600.02
    assert (national["earned"], national["awarded"], national["check"]) == (D("600.00"), D("0.02"), D("600.02"))
    assert national["reconciles"] and national["unawarded"] == D("0.00")


def test_the_incentive_and_bonus_reconcile_nationally_to_the_pot():
    # The first hand-worked case: earned 300 + 200 + 0 = 500.00, awarded 50 + 270 + 180 = 500.00: 1,000.00.
    outcome = year([
        ("RAA", "300", "0", True, "50", "300", "0", "0"),
        ("RBB", "200", "-10", True, "-10", "200", "0", "0"),
        ("RCC", "100", "0", False, None, "0", "100", "0"),
    ], pot="1000.00")
    national = outcome.national
    assert (national["pot"], national["allocations"], national["unallocated"], national["withheld"]) == (
        D("1000.00"), D("600.00"), D("400.00"), D("100.00"))
    assert (national["incentives"], national["bonus"], national["awarded"], national["check"]) == (
        D("50.00"), D("450.00"), D("500.00"), D("1000.00"))
    assert national["reconciles"]
    assert outcome.lines[2].detail["reasons"] == ["Not eligible: the control total was not accepted"]


def test_an_eligible_trust_without_a_month_12_actual_is_not_eligible_with_a_reason():
    outcome = year([("RAA", "300", "0", True, None, "300", "0", "0"),
                    ("RBB", "300", "0", True, "0", "300", "0", "0")], pot="700.00")
    assert lines(outcome) == {"RAA": (False, D("0.00"), D("0.00")), "RBB": (True, D("0.00"), D("100.00"))}
    assert outcome.lines[0].detail["reasons"] == [
        "Not eligible: the finance return for March 2017 (month 12) has not arrived"]
