"""The words of every reason, built from figures the engine has already worked out.

No rule is applied and no figure computed here: each function picks the sentence that fits the
judgement it is given and writes the figures in it as a reason says them (money by
:func:`common.money.pennies_words`, months by :func:`common.months.month_name`, percentages by
:func:`percent_text`, metrics by their reason names from :mod:`performance.metrics`).
"""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from common.money import pennies_words
from common.months import month_name
from performance.metrics import REASON_NAMES

NOTHING_TO_AWARD = "No allocations: nothing to award."


def percent_text(value, places=2):
    """A percentage (Fraction or Decimal) rounded half-up to ``places`` dp (2 unless a tie needs
    more, see :class:`Shown`), as text: "91.20"."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def tie_places(value: Fraction | None, threshold: Fraction | None) -> int | None:
    """When ``value`` and ``threshold`` differ but show the same at 2 dp, the fewest places (3 or
    more) at which they show apart; else None."""
    if value is None or threshold is None or value == threshold:
        return None
    if percent_text(value) != percent_text(threshold):
        return None
    places = 3
    while percent_text(value, places) == percent_text(threshold, places):
        places += 1
    return places


class Shown:
    """How a reason writes a performance and the thresholds it is compared with.

    At 2 dp, unless the performance and one of ``thresholds`` differ but tie when rounded
    ("95.00% is below the standard 95.00%"): then the performance is written with the places
    that tell them apart and its counts, "94.996% (4,749 of 4,999)", and each threshold that is
    not exact at 2 dp with as many places.
    """

    def __init__(self, performance: Fraction, counts: tuple[int, int] | None, *thresholds: Fraction | None):
        self.value, self.counts = performance, counts
        needed = [p for p in (tie_places(performance, t) for t in thresholds) if p]
        self.places = max(needed) if needed else 2

    @property
    def exact(self) -> bool:
        return self.places > 2

    @property
    def performance(self) -> str:
        text = f"{percent_text(self.value, self.places)}%"
        if self.exact and self.counts:
            text += f" ({self.counts[0]:,} of {self.counts[1]:,})"
        return text

    def of(self, threshold: Fraction, counts: tuple[int, int] | None = None) -> str:
        """A threshold as the reason writes it (``counts`` for a figure that has them, the prior year's)."""
        if not self.exact or Fraction(percent_text(threshold)) == threshold:
            text = f"{percent_text(threshold)}%"
        else:
            text = f"{percent_text(threshold, self.places)}%"
        if self.exact and counts:
            text += f" ({counts[0]:,} of {counts[1]:,})"
        return text


# --- A quarter -------------------------------------------------------------------------------


def finance_reason(status: str, *, has_finance: bool, scheme: str, month: datetime.date, allocation: int,
                   plan: int, actual: int, element: int) -> str:
    """The quarter's first reason: the control total, or the finance test at ``month``."""
    if status == "no_control_total":
        return (f"The control total for {scheme} has not been accepted: the quarter's "
                f"{pennies_words(allocation)} is withheld")
    if status == "pending" and not has_finance:
        return (f"The finance return for {month_name(month)} has not arrived: the quarter's "
                f"{pennies_words(allocation)} is pending")
    if status == "finance_failed":
        return (f"Finance: YTD actual {pennies_words(actual)} is behind the YTD plan {pennies_words(plan)} "
                f"at {month_name(month)}: the quarter's {pennies_words(allocation)} is withheld")
    return (f"Finance: YTD actual {pennies_words(actual)} is on or ahead of the YTD plan "
            f"{pennies_words(plan)} at {month_name(month)}: {pennies_words(element)} earned")


class MetricFigures(NamedTuple):
    """One metric of one trust-quarter, judged, as its reason tells it."""

    metric: str
    element: int  # pennies
    performance: Fraction | None
    trajectory: Fraction | None  # None: no agreed trajectory counts
    standard: str  # the standard (the threshold under the prior-year rule), as text
    on_agreement: bool
    pending: bool
    missing: list  # the months whose data has not arrived, when pending
    at_standard: bool
    at_trajectory: bool
    beats_prior: bool
    prior: Fraction | None  # the same quarter of the comparison year, when complete
    counts: tuple[int, int] | None = None  # the quarter's numerator and denominator
    prior_counts: tuple[int, int] | None = None  # the same for the comparison quarter
    standard_value: Fraction | None = None  # the standard unrounded (else read from ``standard``)

    @property
    def threshold(self) -> Fraction:
        return self.standard_value if self.standard_value is not None else Fraction(self.standard)


def metric_reason(figures: MetricFigures, *, prior_year_rule: bool, quarter: int, comparison: str | None) -> str:
    """One reason per applicable metric of a quarter whose finance is met."""
    label = REASON_NAMES.get(figures.metric, figures.metric)
    money = pennies_words(figures.element)
    if figures.on_agreement:
        return f"{label}: Q1 is paid on the agreed trajectory ({percent_text(figures.trajectory)}%): {money} earned"
    if figures.pending:
        if figures.missing:
            months = ", ".join(month_name(m) for m in figures.missing)
            return f"{label}: data for {months} has not arrived: {money} pending"
        return f"{label}: the quarter has no cases to judge: {money} pending"
    standard = figures.threshold
    if prior_year_rule:
        return _prior_year_reason(figures, label, money, f"Q{quarter} {comparison}")
    performance, counts, trajectory = figures.performance, figures.counts, figures.trajectory
    if trajectory is not None:
        if figures.at_standard:
            shown = Shown(performance, counts, standard)
            return f"{label} {shown.performance} meets the standard {shown.of(standard)}: {money} earned"
        if figures.at_trajectory:
            shown = Shown(performance, counts, trajectory)
            return f"{label} {shown.performance} meets its trajectory {shown.of(trajectory)}: {money} earned"
        shown = Shown(performance, counts, trajectory, standard)
        return (f"{label} {shown.performance} is below both its trajectory {shown.of(trajectory)} and the "
                f"standard {shown.of(standard)}: {money} withheld")
    shown = Shown(performance, counts, standard)
    if figures.at_standard:
        return f"{label} {shown.performance} meets the standard {shown.of(standard)}: {money} earned"
    return (f"{label} {shown.performance} is below the standard {shown.of(standard)} (no agreed trajectory): "
            f"{money} withheld")


def _prior_year_reason(figures: MetricFigures, label: str, money: str, prior_quarter: str) -> str:
    standard, prior, performance, counts = figures.threshold, figures.prior, figures.performance, figures.counts
    if figures.at_standard:
        shown = Shown(performance, counts, standard)
        return f"{label} {shown.performance} meets the threshold {shown.of(standard)}: {money} earned"
    shown = Shown(performance, counts, standard, prior)
    if prior is not None:
        prior_text = f"{shown.of(prior, figures.prior_counts)} in {prior_quarter}"
    else:
        prior_text = f"no complete figure for {prior_quarter}"
    if figures.beats_prior:
        return f"{label} {shown.performance} beats {prior_text}: {money} earned"
    if prior is None:
        return (f"{label} {shown.performance} is below the threshold {shown.of(standard)} ({prior_text}): "
                f"{money} withheld")
    return (f"{label} {shown.performance} is below the threshold {shown.of(standard)} and does not beat "
            f"{prior_text}: {money} withheld")


# --- The year end ----------------------------------------------------------------------------


def year_end_waits(pending: int, incomplete: int) -> str:
    return (f"Year end waits until every quarter is decided: {pennies_words(pending)} pending, "
            f"{incomplete} trusts without four quarters.")


def year_end_reasons(*, accepted: bool, eligible: bool, actual: int | None, control_total: int, beat_by: int,
                     incentive: int, scaled: bool, available: int, allocation: int, bonus: int) -> list[str]:
    """A trust's year-end reasons: why it is not eligible, or its incentive and its bonus."""
    if not accepted:
        return ["Not eligible: the control total was not accepted"]
    if not eligible:
        return [f"Not eligible: the year-end actual {pennies_words(actual or 0)} is below the "
                f"control total {pennies_words(control_total)}"]
    text = (f"Beat the control total {pennies_words(control_total)} by "
            f"{pennies_words(beat_by)}: incentive {pennies_words(incentive)}")
    if scaled:
        text += f" (incentives scaled to the pool of {pennies_words(available)})"
    return [text, f"Bonus pro rata to the allocation {pennies_words(allocation)}: {pennies_words(bonus)}"]


def year_end_message(*, pool: int, incentives: int, bonuses: int, eligible: int) -> str:
    if not eligible:
        return f"Pool {pennies_words(pool)}: no trust is eligible, nothing awarded"
    return (f"Pool {pennies_words(pool)}: incentives {pennies_words(incentives)}, bonus "
            f"{pennies_words(bonuses)} to {eligible} eligible trusts")
