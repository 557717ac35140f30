"""The quarter arithmetic of RULES.md, on whole columns: every trust-quarter of a scheme at once.

Each step is one function, in the order the rules are applied: the trust-quarter rows, the
quarter's allocation by phase, its elements (a share per applicable metric, finance the rest),
the finance test, each metric judged, and the money earned, withheld and pending. Money is in
whole pennies; percentages are compared exactly by cross-multiplying integers.

Rounding never makes money out of nothing: in the corner cases where half-up rounding of the
first three quarters (or of the metric elements) would exceed the year (or the quarter), which
needs a last phase or a finance weight of almost nil, the excess pennies are taken back from the
latest quarters (or the last metrics), so no figure is ever negative.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from common.money import to_pennies

from .inputs import ALLOCATION_COLUMNS, FINANCE_COLUMNS, THRESHOLD_OR_PRIOR_YEAR, TRAJECTORY_OR_STANDARD, SchemeRules
from .sums import QuarterSums, month_index

INT64_SAFE = 2**62


@dataclass
class FinanceColumns:
    """The finance test at each quarter's last month (plan and actual YTD in pennies, 0 when absent)."""

    present: np.ndarray  # the test decided: the return arrived, or an adjustment decided the element
    plan: np.ndarray
    actual: np.ndarray
    met: np.ndarray
    returned: np.ndarray | None = None  # the return arrived (None: as ``present``)

    @property
    def arrived(self) -> np.ndarray:
        return self.present if self.returned is None else self.returned


@dataclass
class MetricColumns:
    """One metric for every trust-quarter: its money element, its sums and how it was judged."""

    applicable: np.ndarray
    element: pd.Series  # pennies
    sums: QuarterSums
    complete: np.ndarray  # all three months returned, with at least one case
    comparison_complete: np.ndarray  # the same for the comparison quarter
    has_trajectory: np.ndarray
    at_standard: np.ndarray
    at_trajectory: np.ndarray
    beats_prior: np.ndarray
    on_agreement: np.ndarray  # Q1 paid on the agreed trajectory
    met: np.ndarray
    pending: np.ndarray


@dataclass
class MoneyColumns:
    """What each trust-quarter's allocation comes to, in pennies, and its status."""

    earned: pd.Series
    withheld: pd.Series
    pending: pd.Series
    status: np.ndarray


@dataclass
class QuarterColumns:
    """Every trust-quarter as aligned columns; ``rows`` holds who and when (see :func:`trust_quarters`)."""

    rows: pd.DataFrame
    allocation: pd.Series  # pennies
    finance_element: pd.Series  # pennies
    finance: FinanceColumns
    metrics: dict[str, MetricColumns]
    money: MoneyColumns


def trust_quarters(allocations: pd.DataFrame) -> pd.DataFrame:
    """One row per allocated trust and quarter: the allocation columns, ``annual_p`` (the year's
    allocation in pennies) and ``quarter`` (1..4)."""
    trusts = allocations[ALLOCATION_COLUMNS].drop_duplicates("trust_id").reset_index(drop=True)
    trusts["annual_p"] = np.array([to_pennies(v) for v in trusts["stf_allocation"]], dtype=object)
    rows = trusts.loc[trusts.index.repeat(4)].reset_index(drop=True)
    rows["quarter"] = np.tile(np.arange(1, 5), len(trusts))
    return rows


def quarter_allocations(rules: SchemeRules, rows: pd.DataFrame) -> pd.Series:
    """Each quarter's allocation: annual × phase rounded; the last quarter takes the remainder."""
    annual = rows["annual_p"].astype(object)
    if all(abs(int(v)) < INT64_SAFE // 10**6 for v in rows["annual_p"]):
        annual = annual.astype(np.int64)
    quarters = rows["quarter"].to_numpy()
    shares = [_mul_round(annual, _fraction(phase) / 100) for phase in rules.phasing[:3]]
    # Only when the last quarter's share is (nearly) nil can rounding overshoot the year by a penny
    # or two; the overshoot is then taken back from the latest quarters.
    shortfall = (shares[0] + shares[1] + shares[2] - annual).clip(lower=0)
    for k in (2, 1, 0):
        take = np.minimum(shortfall, shares[k])
        shares[k] = shares[k] - take
        shortfall = shortfall - take
    allocation = annual - shares[0] - shares[1] - shares[2]
    for quarter, share in enumerate(shares, start=1):
        allocation = allocation.where(quarters != quarter, share)
    return allocation


def metric_elements(rules: SchemeRules, rows: pd.DataFrame, allocation: pd.Series):
    """Per metric, whether it applies to each row's trust type and its element: the quarter ×
    weight rounded, nil where it does not apply. Returns ``(applicable, elements)``."""
    applicable, elements = {}, {}
    element_total = 0
    for metric in rules.metrics:
        types = {t for t, ms in rules.applicability.items() if metric in ms}
        applicable[metric] = rows["trust_type"].isin(types).to_numpy()
        element = _mul_round(allocation, _fraction(rules.weights[metric]) / 100)
        elements[metric] = element.where(applicable[metric], 0)
        element_total = element_total + elements[metric]
    # Only when the performance weights add up to (nearly) 100% can the rounded elements exceed the
    # quarter by a penny or two; the shortfall is then taken back from the last metrics.
    shortfall = (element_total - allocation).clip(lower=0)
    for metric in reversed(rules.metrics):
        take = np.minimum(shortfall, elements[metric])
        elements[metric] = elements[metric] - take
        shortfall = shortfall - take
    return applicable, elements


def finance_element(allocation: pd.Series, elements: dict[str, pd.Series]) -> pd.Series:
    """Finance takes the remainder of the quarter after the metric elements."""
    return allocation - sum(elements.values())


def finance_test(rules: SchemeRules, rows: pd.DataFrame, finance: pd.DataFrame) -> FinanceColumns:
    """Met when the YTD actual is on or ahead of the YTD plan at the quarter's last month."""
    keys = rows[["trust_id", "quarter"]]
    if len(finance):
        fin = finance[FINANCE_COLUMNS].copy()
        fin["idx"] = month_index(fin["month"], rules.start)
        fin = fin[(fin["idx"] >= 0) & (fin["idx"] < 12) & (fin["idx"] % 3 == 2)]
        fin = pd.DataFrame({
            "trust_id": fin["trust_id"].to_numpy(),
            "quarter": (fin["idx"] // 3 + 1).to_numpy(),
            "plan_p": [to_pennies(v) for v in fin["plan_ytd"]],
            "actual_p": [to_pennies(v) for v in fin["actual_ytd"]],
        }).drop_duplicates(["trust_id", "quarter"], keep="last")
        found = keys.merge(fin, on=["trust_id", "quarter"], how="left")
    else:
        found = keys.assign(plan_p=np.nan, actual_p=np.nan)
    present = found["plan_p"].notna().to_numpy() & found["actual_p"].notna().to_numpy()
    plan = found["plan_p"].fillna(0).astype(object).to_numpy()
    actual = found["actual_p"].fillna(0).astype(object).to_numpy()
    return FinanceColumns(present=present, plan=plan, actual=actual, met=present & (actual >= plan))


def judge_metric(rules: SchemeRules, metric: str, sums: QuarterSums, quarter: np.ndarray,
                 applicable: np.ndarray, element: pd.Series) -> MetricColumns:
    """Met at the standard, or on the trajectory (or the Q1 agreement), or by beating the same
    quarter of the comparison year, as the scheme's rule variant says; pending while incomplete."""
    num, den = sums.num, sums.den
    complete = (sums.mask == 7) & (den > 0)
    standard = _fraction(rules.standards[metric])
    at_standard = 100 * num * standard.denominator >= standard.numerator * den
    has_trajectory = sums.tn > 0
    at_trajectory = has_trajectory & (10000 * sums.tn * num >= sums.tsum * den)
    comparison_complete = (sums.cmask == 7) & (sums.cden > 0)
    beats_prior = comparison_complete & (num * sums.cden > sums.cnum * den)
    on_agreement = np.zeros(len(quarter), dtype=bool)
    if rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR:
        met = at_standard | beats_prior
        has_trajectory = np.zeros(len(quarter), dtype=bool)
    else:
        met = at_standard | at_trajectory
        if rules.q1_paid_on_trajectory and rules.rule_variant == TRAJECTORY_OR_STANDARD:
            on_agreement = (quarter == 1) & has_trajectory
            met = met | on_agreement
    pending = ~complete & ~on_agreement
    return MetricColumns(
        applicable=applicable, element=element, sums=sums, complete=complete,
        comparison_complete=comparison_complete, has_trajectory=has_trajectory, at_standard=at_standard,
        at_trajectory=at_trajectory, beats_prior=beats_prior, on_agreement=on_agreement,
        met=met & ~pending, pending=pending,
    )


def money_outcome(accepted: np.ndarray, allocation: pd.Series, finance_element: pd.Series,
                  finance: FinanceColumns, metrics: dict[str, MetricColumns]) -> MoneyColumns:
    """Earned, withheld and pending: with the control total accepted and finance met, each
    element by its own test; finance failed or no control total withholds the whole quarter."""
    zero = allocation * 0
    earned, withheld, pending = zero.copy(), zero.copy(), zero.copy()
    open_ = accepted & finance.met
    for m in metrics.values():
        earned = earned + m.element.where(open_ & m.applicable & m.met, 0)
        withheld = withheld + m.element.where(open_ & m.applicable & ~m.met & ~m.pending, 0)
        pending = pending + m.element.where(open_ & m.applicable & m.pending, 0)
    earned = earned + finance_element.where(open_, 0)
    finance_failed = finance.present & ~finance.met
    withheld = withheld.where(~(~accepted | finance_failed), allocation)
    finance_pending = accepted & ~finance.present
    pending = pending.where(~finance_pending, allocation)
    status = np.select(
        [~accepted, finance_pending, finance_failed, withheld.to_numpy() > 0, pending.to_numpy() > 0],
        ["no_control_total", "pending", "finance_failed", "partial", "pending"],
        default="full",
    )
    return MoneyColumns(earned=earned, withheld=withheld, pending=pending, status=status)


def fingerprints(rules: SchemeRules, columns: QuarterColumns, adjustments: list[str] | None = None) -> list[str]:
    """A hash of the rule data and of every input of each trust-quarter; ``adjustments`` is each
    row's approved adjustments as text ("" for none, which leaves its hash as it was without them)."""
    rows, finance = columns.rows, columns.finance
    digest = rules.digest()
    parts = [rows["trust_type"].astype(str), rows["annual_p"].astype(str), rows["quarter"].astype(str),
             pd.Series(rows["control_total_accepted"].astype(bool).to_numpy()).astype(str),
             pd.Series(finance.arrived).astype(str), pd.Series(finance.plan).astype(str),
             pd.Series(finance.actual).astype(str)]
    for metric in columns.metrics.values():
        sums = metric.sums
        for values in (sums.num, sums.den, sums.mask, sums.tsum, sums.tn, sums.cnum, sums.cden, sums.cmask):
            parts.append(pd.Series(values).astype(str))
    joined = list(parts[0].str.cat(parts[1:], sep="|"))
    if adjustments is not None:
        joined = [f"{text}|adjustments:{extra}" if extra else text for text, extra in zip(joined, adjustments)]
    return [hashlib.sha256(f"{digest}|{text}".encode()).hexdigest() for text in joined]


def _fraction(value):
    return Fraction(Decimal(str(value)))


def _mul_round(pennies, share):
    """``pennies × share`` rounded half-up to the penny, on a whole column (non-negative money)."""
    a, b = share.numerator, share.denominator
    values = pennies.to_numpy()
    big = len(values) and int(np.abs(values).max()) * max(a, 1) * 2 >= INT64_SAFE
    if big:
        return pd.Series([(2 * int(p) * a + b) // (2 * b) for p in values], index=pennies.index, dtype=object)
    return pd.Series((2 * values.astype(np.int64) * a + b) // (2 * b), index=pennies.index)
