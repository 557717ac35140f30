"""What the engine reads: a scheme's rule data and the inputs of any set of trusts, as plain data.

A selector builds these from the database; the engine never touches it. Predecessors' returns
are folded into their successor here, before any rule is applied.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from common.money import to_pennies
from common.months import add_months

# Part of every fingerprint: a new version rewrites every stored result. 2: finance.met is null
# when the test was not applied, £0.00 allocations are not in the scheme, tied figures are exact.
# 3: a pending quarter's detail names the months it waits for ("missing").
ENGINE_VERSION = "3"
TRAJECTORY_OR_STANDARD = "trajectory_or_standard"
THRESHOLD_OR_PRIOR_YEAR = "threshold_or_prior_year"

ALLOCATION_COLUMNS = ["trust_id", "org_code", "trust_type", "stf_allocation", "control_total", "control_total_accepted"]
FINANCE_COLUMNS = ["trust_id", "month", "plan_ytd", "actual_ytd"]
PERFORMANCE_COLUMNS = ["trust_id", "month", "metric", "numerator", "denominator"]
TRAJECTORY_COLUMNS = ["trust_id", "month", "metric", "percent"]
ADJUSTMENT_COLUMNS = ["trust_id", "quarter", "element", "decision", "adjustment_id", "approved_by", "reason",
                      "approved_at"]


@dataclass(frozen=True)
class SchemeRules:
    """A scheme's rule data as plain values (built from the Scheme row by a selector)."""

    code: str
    start: datetime.date
    pot: Decimal
    weights: dict  # metric -> Decimal percent; finance takes the remainder of 100
    standards: dict  # metric -> Decimal percent (the threshold for the prior-year rule)
    phasing: tuple  # four Decimal percents
    applicability: dict  # trust type -> tuple of metrics
    rule_variant: str = TRAJECTORY_OR_STANDARD
    q1_paid_on_trajectory: bool = False
    year_end_method: str = "none"  # incentive_bonus | general_distribution | none
    year_end_bands: tuple = ()  # general distribution: ((up_to percent, weight), ...) as Decimals, ascending
    comparison_code: str | None = None
    comparison_start: datetime.date | None = None
    scheme_id: int | None = None

    @property
    def has_year_end(self):
        return self.year_end_method != "none"

    @property
    def metrics(self):
        return list(self.weights)

    def digest(self):
        """A stable hash of the rule data (part of every fingerprint)."""
        parts = [
            ENGINE_VERSION, self.code, self.start.isoformat(), self.rule_variant,
            str(self.q1_paid_on_trajectory), str(self.comparison_start),
            repr(sorted((m, str(w)) for m, w in self.weights.items())),
            repr(sorted((m, str(s)) for m, s in self.standards.items())),
            repr([str(p) for p in self.phasing]),
            repr(sorted((t, tuple(ms)) for t, ms in self.applicability.items())),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def month(self, index):
        """The first day of month ``index`` (0 = the first month of the scheme's year)."""
        return add_months(self.start, index)


@dataclass
class EngineInputs:
    """Everything the engine reads, as DataFrames (any number of trusts).

    allocations: trust_id, org_code, trust_type, stf_allocation, control_total,
        control_total_accepted (money as Decimal)
    finance: trust_id, month (date, first of month), plan_ytd, actual_ytd (Decimal)
    performance: trust_id, month, metric, numerator, denominator (ints); the comparison
        scheme's months may be included for the prior-year rule
    trajectories: trust_id, month, metric, percent (Decimal, at most 2 dp)
    adjustments: the approved adjustments on review: trust_id, quarter, element (``finance`` or a
        metric), decision (``pay`` or ``withhold``), adjustment_id, approved_by (the approver's name),
        reason, approved_at (ISO 8601 text); see :mod:`.adjustments`
    """

    allocations: pd.DataFrame
    finance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FINANCE_COLUMNS))
    performance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PERFORMANCE_COLUMNS))
    trajectories: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TRAJECTORY_COLUMNS))
    adjustments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ADJUSTMENT_COLUMNS))


def in_scheme(allocations: pd.DataFrame) -> pd.DataFrame:
    """The allocation rows of the trusts in the scheme: a £0.00 allocation is not in it (RULES.md,
    "Trusts with nothing at stake"), so it has no quarters, no status and no year end."""
    if not len(allocations):
        return allocations
    keep = [to_pennies(value) > 0 for value in allocations["stf_allocation"]]
    return allocations[keep].reset_index(drop=True)


def combine_predecessors(performance: pd.DataFrame, lineage: dict) -> pd.DataFrame:
    """A successor trust's performance with its predecessors' folded in (RULES.md, mergers).

    ``lineage`` maps a successor's trust_id to ``[(predecessor_id, until), ...]``: each
    predecessor's rows for months before ``until`` are added, month by month and metric by metric,
    to the successor's own (sum of numerators, sum of denominators). The predecessors keep their
    own rows for their own quarters. Applies to the quarter judged and to the comparison year alike.
    """
    if not lineage or not len(performance):
        return performance
    parts = [performance]
    for successor, links in lineage.items():
        for predecessor, until in links:
            rows = performance[(performance["trust_id"] == predecessor) & (performance["month"] < until)]
            if len(rows):
                parts.append(rows.assign(trust_id=successor))
    if len(parts) == 1:
        return performance
    combined = pd.concat(parts, ignore_index=True)
    summed = combined.groupby(["trust_id", "month", "metric"], as_index=False, sort=True)[
        ["numerator", "denominator"]].sum()
    return summed[PERFORMANCE_COLUMNS]
