"""Year end of 2016-17: £1-for-£1 incentive and bonus, exact to the penny (pure engine)."""
from decimal import Decimal as D

import pandas as pd

from finance.engine import compute_year_end
from tests.finance.engine.country import rules_2016_17

COLUMNS = ["trust_id", "org_code", "stf_allocation", "control_total", "control_total_accepted", "actual_m12",
           "quarters", "earned", "withheld", "pending"]


def year(rows, pot):
    frame = pd.DataFrame(
        [[i + 1, code, D(a), D(ct), acc, None if act is None else D(act), 4, D(e), D(w), D(p)]
         for i, (code, a, ct, acc, act, e, w, p) in enumerate(rows)],
        columns=COLUMNS,
    )
    return compute_year_end(rules_2016_17(pot=D(pot)), frame)


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
    assert not outcome.decided and outcome.lines == []
    assert "£100.00 pending" in outcome.message
