"""Approved adjustments on review applied after the rules (finance.engine.adjustments), no database.

Trust 1 is acute, allocated £1,000,000.00 for 2016-17: Q2 is 25%, £250,000.00; A&E and RTT are
12.5% of it, £31,250.00 each, cancer 5%, £12,500.00, and finance the remaining £175,000.00. Its
finance return for September is £100,000.00 ahead of plan unless a test says otherwise; its
performance meets every standard (99%) except where a test changes A&E.
"""
from decimal import Decimal as D

import pandas as pd

from finance.engine import ADJUSTMENT_COLUMNS, compute_entitlements

from .country import Country, metric, money, rules_2016_17

ALLOCATION = D("250000.00")
AE, RTT, CANCER, FINANCE = D("31250.00"), D("31250.00"), D("12500.00"), D("175000.00")
APPROVED_AT = "2026-11-22T10:00:00Z"


def adjustment(adjustment_id, element, decision, quarter=2, trust_id=1, approver="A. Analyst"):
    return [trust_id, quarter, element, decision, adjustment_id, approver, f"Reason {adjustment_id}", APPROVED_AT]


def country(*, finance=True, actual="-400000.00", ae=(99, 100), ae_months=(0, 1, 2), accepted=True):
    c = Country(rules_2016_17()).trust(1, accepted=accepted)
    if finance:
        c.finance_at(1, 2, actual=actual)
    for code in ("rtt", "cancer62"):
        c.perf(1, 2, code, 99, 100)
    c.perf(1, 2, "ae", *ae, months=ae_months)
    return c


def q2(c, *adjustments):
    inputs = c.inputs()
    inputs.adjustments = pd.DataFrame(list(adjustments), columns=ADJUSTMENT_COLUMNS)
    results = {(r.trust_id, r.quarter): r for r in compute_entitlements(c.rules, inputs)}
    for result in results.values():
        assert result.earned + result.withheld + result.pending == result.allocation
    return results[(1, 2)]


def test_a_metric_missed_by_the_rules_is_paid_on_review():
    c = country(ae=(912, 1000))  # A&E 91.20%: below the standard 95%, no trajectory
    before = q2(c)
    assert (before.status, *money(before)) == ("partial", ALLOCATION, ALLOCATION - AE, AE, D("0.00"))

    after = q2(c, adjustment(12, "ae", "pay"))
    # The A&E element moves from withheld to earned: 175,000 + 31,250 + 31,250 + 12,500 = 250,000.00.
    assert (after.status, *money(after)) == ("full", ALLOCATION, D("250000.00"), D("0.00"), D("0.00"))
    assert metric(after, "ae")["met"] is True and metric(after, "ae")["performance"] == "91.20"
    assert "A&E element paid on review (adjustment 12, approved by A. Analyst): £31,250.00 earned" in after.reasons
    assert not any("91.20% is below" in reason for reason in after.reasons)
    assert after.adjustments == [{"id": 12, "element": "ae", "decision": "pay", "reason": "Reason 12",
                                  "approved_by": "A. Analyst", "approved_at": APPROVED_AT}]
    assert after.detail["adjustments"] == after.adjustments and "adjustments" not in before.detail
    assert after.fingerprint != before.fingerprint


def test_a_metric_met_by_the_rules_is_withheld_on_review():
    after = q2(country(), adjustment(3, "rtt", "withhold"))
    assert (after.status, *money(after)) == ("partial", ALLOCATION, ALLOCATION - RTT, RTT, D("0.00"))
    assert metric(after, "rtt")["met"] is False
    assert "RTT element withheld on review (adjustment 3, approved by A. Analyst): £31,250.00 withheld" in after.reasons


def test_a_pending_metric_is_pending_no_more_once_decided_on_review():
    c = country(ae_months=(0, 1))  # September's A&E figure has not arrived
    before = q2(c)
    assert (before.status, before.pending) == ("pending", AE)
    paid = q2(c, adjustment(4, "ae", "pay"))
    assert (paid.status, *money(paid)) == ("full", ALLOCATION, ALLOCATION, D("0.00"), D("0.00"))
    withheld = q2(c, adjustment(4, "ae", "withhold"))
    assert (withheld.status, *money(withheld)) == ("partial", ALLOCATION, ALLOCATION - AE, AE, D("0.00"))
    assert metric(withheld, "ae")["met"] is False


def test_the_finance_all_or_nothing_rule_still_holds_when_only_a_metric_is_adjusted():
    c = country(actual="-650000.00")  # £150,000.00 behind the plan: finance failed
    after = q2(c, adjustment(5, "ae", "pay"))
    assert (after.status, *money(after)) == ("finance_failed", ALLOCATION, D("0.00"), ALLOCATION, D("0.00"))
    assert after.finance["met"] is False
    assert ("A&E element paid on review (adjustment 5, approved by A. Analyst) decides nothing: finance is not "
            "met, so the quarter's £250,000.00 is withheld") in after.reasons


def test_finance_paid_on_review_lets_the_metrics_decide_their_elements():
    c = country(actual="-650000.00", ae=(912, 1000))  # finance failed, and A&E missed
    after = q2(c, adjustment(6, "finance", "pay"))
    # Finance met on review: finance 175,000 + RTT 31,250 + cancer 12,500 = 218,750.00 earned; A&E withheld.
    assert (after.status, *money(after)) == ("partial", ALLOCATION, D("218750.00"), AE, D("0.00"))
    assert after.finance_met is True and after.finance["met"] is True
    assert after.finance["ytd_actual"] == "-650000.00"  # the return's figures are still shown
    assert after.reasons[0] == "Finance element paid on review (adjustment 6, approved by A. Analyst): £175,000.00 earned"
    assert any(reason.startswith("A&E 91.20% is below the standard 95.00%") for reason in after.reasons)


def test_finance_paid_on_review_decides_a_quarter_whose_return_has_not_arrived():
    c = country(finance=False)
    assert q2(c).status == "pending"
    after = q2(c, adjustment(7, "finance", "pay"))
    assert (after.status, *money(after)) == ("full", ALLOCATION, ALLOCATION, D("0.00"), D("0.00"))
    assert (after.finance["ytd_plan"], after.finance["ytd_actual"]) == (None, None)


def test_finance_withheld_on_review_withholds_the_whole_quarter():
    after = q2(country(), adjustment(8, "finance", "withhold"), adjustment(9, "ae", "pay"))
    assert (after.status, *money(after)) == ("finance_failed", ALLOCATION, D("0.00"), ALLOCATION, D("0.00"))
    assert after.finance_met is False
    assert after.reasons[0] == ("Finance element withheld on review (adjustment 8, approved by A. Analyst): "
                                "the quarter's £250,000.00 is withheld")
    assert [a["id"] for a in after.adjustments] == [8, 9]


def test_no_adjustment_lifts_a_control_total_not_accepted():
    after = q2(country(accepted=False), adjustment(10, "finance", "pay"))
    assert (after.status, *money(after)) == ("no_control_total", ALLOCATION, D("0.00"), ALLOCATION, D("0.00"))
    assert after.finance_met is None
    assert ("Finance element paid on review (adjustment 10, approved by A. Analyst) decides nothing: the control "
            "total for 2016-17 has not been accepted") in after.reasons


def test_an_adjustment_of_another_quarter_or_trust_changes_nothing_here():
    c = country(ae=(912, 1000)).trust(2)
    before = q2(c)
    after = q2(c, adjustment(11, "ae", "pay", quarter=3), adjustment(12, "ae", "pay", trust_id=2))
    assert money(after) == money(before) and after.fingerprint == before.fingerprint and after.adjustments == []


def test_a_metric_that_does_not_apply_to_the_trust_decides_nothing():
    c = Country(rules_2016_17()).trust(1, trust_type="mental_health").finance_at(1, 2)
    after = q2(c, adjustment(13, "ae", "withhold"))
    assert (after.status, *money(after)) == ("full", ALLOCATION, ALLOCATION, D("0.00"), D("0.00"))
    assert ("A&E element withheld on review (adjustment 13, approved by A. Analyst) decides nothing: A&E does "
            "not apply to this trust") in after.reasons
