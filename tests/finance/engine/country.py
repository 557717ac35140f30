"""Engine inputs built by hand, trust by trust, for the engine's tests (no database).

Expected money is worked out by hand in the tests' comments, never taken from the engine.
"""
import datetime
from decimal import Decimal as D

import pandas as pd

from finance.engine import (
    ALLOCATION_COLUMNS, FINANCE_COLUMNS, PERFORMANCE_COLUMNS, TRAJECTORY_COLUMNS, EngineInputs, SchemeRules,
    compute_entitlements,
)

ALL_TYPES = ["acute", "specialist", "mental_health", "community", "ambulance"]


def rules_2016_17(**changes):
    values = dict(
        code="2016-17", start=datetime.date(2016, 4, 1), pot=D("1800000000.00"),
        weights={"ae": D("12.5"), "rtt": D("12.5"), "cancer62": D("5")},
        standards={"ae": D("95"), "rtt": D("92"), "cancer62": D("85")},
        phasing=(D("25"), D("25"), D("25"), D("25")),
        applicability={"acute": ("ae", "rtt", "cancer62"), "specialist": ("rtt", "cancer62"),
                       "mental_health": (), "community": (), "ambulance": ()},
        rule_variant="trajectory_or_standard", q1_paid_on_trajectory=True, year_end_method="incentive_bonus",
    )
    values.update(changes)
    return SchemeRules(**values)


def rules_2017_18():
    return SchemeRules(
        code="2017-18", start=datetime.date(2017, 4, 1), pot=D("1800000000.00"),
        weights={"ae": D("30")}, standards={"ae": D("95")}, phasing=(D("15"), D("20"), D("30"), D("35")),
        applicability={t: (("ae",) if t == "acute" else ()) for t in ALL_TYPES},
        rule_variant="trajectory_or_standard",
    )


def rules_2018_19():
    return SchemeRules(
        code="2018-19", start=datetime.date(2018, 4, 1), pot=D("2450000000.00"),
        weights={"ae": D("30")}, standards={"ae": D("90")}, phasing=(D("15"), D("20"), D("30"), D("35")),
        applicability={t: (("ae",) if t == "acute" else ()) for t in ALL_TYPES},
        rule_variant="threshold_or_prior_year", comparison_code="2017-18", comparison_start=datetime.date(2017, 4, 1),
    )


def month(rules, quarter, k):
    """Month k (0..2) of a quarter of the scheme."""
    return rules.month((quarter - 1) * 3 + k)


class Country:
    """Builds engine inputs trust by trust (plain rows, as the selector would hand them over)."""

    def __init__(self, rules):
        self.rules = rules
        self.allocations, self.finance, self.performance, self.trajectories = [], [], [], []

    def trust(self, trust_id, allocation="1000000.00", trust_type="acute", accepted=True, org_code=None):
        self.allocations.append([trust_id, org_code or f"R{trust_id:03d}", trust_type, D(allocation), D("-500000"), accepted])
        return self

    def finance_at(self, trust_id, quarter, plan="-500000.00", actual="-400000.00"):
        self.finance.append([trust_id, month(self.rules, quarter, 2), D(plan), D(actual)])
        return self

    def finance_all(self, trust_id, **kw):
        for quarter in range(1, 5):
            self.finance_at(trust_id, quarter, **kw)
        return self

    def perf(self, trust_id, quarter, metric, numerator, denominator, months=(0, 1, 2)):
        for k in months:
            self.performance.append([trust_id, month(self.rules, quarter, k), metric, numerator, denominator])
        return self

    def perf_all(self, trust_id, quarter, numerator=99, denominator=100):
        for metric in self.rules.weights:
            self.perf(trust_id, quarter, metric, numerator, denominator)
        return self

    def trajectory(self, trust_id, quarter, metric, percent, months=(0, 1, 2)):
        for k in months:
            self.trajectories.append([trust_id, month(self.rules, quarter, k), metric, D(percent)])
        return self

    def inputs(self):
        return EngineInputs(
            allocations=pd.DataFrame(self.allocations, columns=ALLOCATION_COLUMNS),
            finance=pd.DataFrame(self.finance, columns=FINANCE_COLUMNS),
            performance=pd.DataFrame(self.performance, columns=PERFORMANCE_COLUMNS),
            trajectories=pd.DataFrame(self.trajectories, columns=TRAJECTORY_COLUMNS),
        )

    def results(self):
        return {(r.trust_id, r.quarter): r for r in compute_entitlements(self.rules, self.inputs())}


def metric(result, code):
    return next(m for m in result.metrics if m["metric"] == code)


def money(result):
    return (result.allocation, result.earned, result.withheld, result.pending)


def prior_year_country(current, prior):
    rules = rules_2018_19()
    c = Country(rules).trust(1).finance_at(1, 2)
    c.perf(1, 2, "ae", current, 1000)
    if prior is not None:
        for k in range(3):
            c.performance.append([1, datetime.date(2017, 7 + k, 1), "ae", prior, 1000])
    return c.results()[(1, 2)]
