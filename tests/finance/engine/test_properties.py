"""Property tests of the engine's money: for random inputs every trust-quarter reconciles to the
penny and the four quarters add up to the annual allocation."""
import datetime
from decimal import Decimal as D

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.engine import (
    ALLOCATION_COLUMNS, FINANCE_COLUMNS, PERFORMANCE_COLUMNS, TRAJECTORY_COLUMNS, EngineInputs, SchemeRules,
    compute_entitlements,
)

TYPES = ["acute", "specialist", "mental_health", "community", "ambulance"]
METRICS = ["ae", "rtt", "cancer62"]
START = datetime.date(2016, 4, 1)


def month(index):
    return datetime.date(2016 + (3 + index) // 12, (3 + index) % 12 + 1, 1)


@st.composite
def schemes(draw):
    # Phasing: four shares in hundredths of a percent adding to 100%.
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=3, max_size=3)))
    parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 10000 - cuts[2]]
    phasing = tuple(D(p).scaleb(-2) for p in parts)
    weights = {}
    left = 10000
    for metric in METRICS:
        w = draw(st.integers(0, min(left, 5000)))
        left -= w
        weights[metric] = D(w).scaleb(-2)
    standards = {m: D(draw(st.integers(5000, 10000))).scaleb(-2) for m in METRICS}
    applicability = {t: tuple(m for m in METRICS if draw(st.booleans())) for t in TYPES}
    prior = draw(st.booleans())
    return SchemeRules(
        code="2016-17", start=START, pot=D("1800000000.00"), weights=weights, standards=standards, phasing=phasing,
        applicability=applicability, rule_variant="threshold_or_prior_year" if prior else "trajectory_or_standard",
        q1_paid_on_trajectory=draw(st.booleans()), comparison_code="2015-16" if prior else None,
        comparison_start=datetime.date(2015, 4, 1) if prior else None,
    )


@st.composite
def countries(draw):
    n = draw(st.integers(1, 12))
    allocations, finance, performance, trajectories = [], [], [], []
    for trust_id in range(1, n + 1):
        pennies = draw(st.one_of(st.integers(0, 200), st.integers(0, 10**12)))
        allocations.append([trust_id, f"R{trust_id:03d}", draw(st.sampled_from(TYPES)), D(pennies).scaleb(-2),
                            D(0), draw(st.booleans())])
        for index in range(12):
            if index % 3 == 2 and draw(st.booleans()):
                plan = draw(st.integers(-10**8, 10**8))
                finance.append([trust_id, month(index), D(plan).scaleb(-2), D(plan + draw(st.integers(-5, 5))).scaleb(-2)])
            for metric in METRICS:
                if draw(st.integers(0, 3)):
                    den = draw(st.integers(0, 10**6))
                    performance.append([trust_id, month(index), metric, draw(st.integers(0, den)), den])
                if draw(st.booleans()):
                    trajectories.append([trust_id, month(index), metric, D(draw(st.integers(0, 10000))).scaleb(-2)])
    return EngineInputs(
        allocations=pd.DataFrame(allocations, columns=ALLOCATION_COLUMNS),
        finance=pd.DataFrame(finance, columns=FINANCE_COLUMNS),
        performance=pd.DataFrame(performance, columns=PERFORMANCE_COLUMNS),
        trajectories=pd.DataFrame(trajectories, columns=TRAJECTORY_COLUMNS),
    )


@settings(max_examples=150, deadline=None)
@given(rules=schemes(), inputs=countries())
def test_money_always_reconciles_to_the_penny(rules, inputs):
    results = compute_entitlements(rules, inputs)
    # A trust with a £0.00 allocation is not in the scheme: it has no quarters at all.
    annual = {t: a for t, a in zip(inputs.allocations["trust_id"], inputs.allocations["stf_allocation"]) if a > 0}
    assert len(results) == 4 * len(annual)
    by_trust = {}
    for r in results:
        assert r.earned + r.withheld + r.pending == r.allocation
        assert min(r.earned, r.withheld, r.pending) >= 0, (r, rules)
        for value in (r.allocation, r.earned, r.withheld, r.pending):
            assert value == value.quantize(D("0.01"))
        elements = D(r.finance["element"]) + sum(D(m["element"]) for m in r.metrics)
        assert elements == r.allocation
        assert r.status in {"full", "partial", "finance_failed", "no_control_total", "pending"}
        if r.status == "pending":
            assert r.withheld == 0 and r.pending > 0 or r.allocation == 0
        if r.status == "full":
            assert r.earned == r.allocation
        # Only an applied finance test fails; not applied (no control total, no return) is None.
        assert (r.finance["met"] is False) == (r.status == "finance_failed")
        if r.status == "no_control_total" or r.finance["ytd_actual"] is None:
            assert r.finance["met"] is None and r.finance_met is None
        by_trust.setdefault(r.trust_id, D(0))
        by_trust[r.trust_id] += r.allocation
    assert by_trust == annual
