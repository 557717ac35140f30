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

from common.money import pennies_words, to_pennies
from common.months import month_label, month_name
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


# --- Adjustments on review -----------------------------------------------------------------


class AdjustmentFigures(NamedTuple):
    """One approved adjustment on review, as its reason tells it."""

    element: str  # "finance" or a metric code
    decision: str  # "pay" or "withhold"
    adjustment_id: int
    approved_by: str


def _adjustment_label(figures: AdjustmentFigures) -> str:
    name = "Finance" if figures.element == "finance" else REASON_NAMES.get(figures.element, figures.element)
    done = "paid" if figures.decision == "pay" else "withheld"
    return (f"{name} element {done} on review (adjustment {figures.adjustment_id}, "
            f"approved by {figures.approved_by})")


def adjustment_reason(figures: AdjustmentFigures, *, element: int, allocation: int) -> str:
    """The reason of an element an approved adjustment decided: "A&E element paid on review
    (adjustment 12, approved by A. Analyst): £125,000.00 earned". Withholding the finance element
    withholds the quarter's whole ``allocation``; any other element is its own ``element``."""
    label = _adjustment_label(figures)
    if figures.decision == "pay":
        return f"{label}: {pennies_words(element)} earned"
    if figures.element == "finance":
        return f"{label}: the quarter's {pennies_words(allocation)} is withheld"
    return f"{label}: {pennies_words(element)} withheld"


def adjustment_idle_reason(figures: AdjustmentFigures, *, why: str) -> str:
    """The reason of an approved adjustment that decides nothing, and ``why`` ("the control total for
    2016-17 has not been accepted")."""
    return f"{_adjustment_label(figures)} decides nothing: {why}"


def adjustment_idle_why(status: str, *, scheme: str, month: datetime.date, allocation: int) -> str:
    """Why an adjustment decides nothing in a quarter of ``status`` (one the rules close to it)."""
    if status == "no_control_total":
        return f"the control total for {scheme} has not been accepted"
    if status == "finance_failed":
        return f"finance is not met, so the quarter's {pennies_words(allocation)} is withheld"
    return f"the finance return for {month_name(month)} has not arrived"


def not_applicable_why(metric: str) -> str:
    return f"{REASON_NAMES.get(metric, metric)} does not apply to this trust"


def not_judged_why(scheme: str, element: str) -> str:
    return f"{scheme} does not judge {REASON_NAMES.get(element, element)}"


# --- The year end ----------------------------------------------------------------------------


def year_end_waits(waits, *, named: int) -> str:
    """What a year end waits for: the trusts (the first ``named`` of them) and the months of each
    return they have not sent. ``waits``: YearEndWait, in org code order."""
    parts = []
    for wait in waits[:named]:
        awaited = "; ".join(f"{_return_name(kind)} {', '.join(month_label(m) for m in months)}"
                            for kind, months in wait.missing.items() if months)
        if wait.quarters < 4:
            awaited = "; ".join(filter(None, [awaited, f"{4 - wait.quarters} quarter(s) not computed"]))
        parts.append(f"{wait.org_code} ({awaited or 'pending ' + pennies_words(to_pennies(wait.pending))})")
    more = len(waits) - len(parts)
    listed = ", ".join(parts) + (f" and {more} more" if more else "")
    return f"Waits for {len(waits)} trust{'s' if len(waits) != 1 else ''}: {listed}."


def _return_name(kind: str) -> str:
    return "finance" if kind == "finance" else REASON_NAMES.get(kind, kind)


def no_year_end_message(scheme: str) -> str:
    return f"{scheme} has no year end: nothing is shared out after the quarters."


def negative_pool_message(pool: int) -> str:
    return (f"The pool is negative ({pennies_words(pool)}): the allocations exceed the pot by more than was "
            f"withheld; nothing is awarded.")


def year_end_reasons(*, accepted: bool, eligible: bool, actual: int | None, control_total: int, beat_by: int,
                     incentive: int, scaled: bool, available: int, allocation: int, bonus: int,
                     month: datetime.date | None = None) -> list[str]:
    """A trust's incentive-and-bonus reasons: why it is not eligible, or its incentive and its bonus."""
    if not accepted:
        return ["Not eligible: the control total was not accepted"]
    if actual is None:
        return [f"Not eligible: the finance return for {month_name(month)} (month 12) has not arrived"
                if month else "Not eligible: there is no year-end actual"]
    if not eligible:
        return [f"Not eligible: the year-end actual {pennies_words(actual)} is below the "
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


def weight_text(weight: Decimal) -> str:
    """A closeness weight as a reason writes it: "1", "0.75", "0"."""
    return format(weight.normalize(), "f")


def distribution_reason(*, accepted: bool, actual: int | None, month: datetime.date, control_total: int,
                        allocation: int, shortfall: int, percent: Fraction | None, places: int,
                        weight: Decimal, beyond: Decimal | None, share: int, pool: int) -> str:
    """A trust's general-distribution reason: its shortfall, its weight and its share of the pool."""
    of_pool = f"the {pennies_words(pool)} distribution"
    if not accepted:
        return f"Not eligible: the control total was not accepted; nothing of {of_pool}"
    if actual is None:
        return (f"The finance return for {month_name(month)} (month 12) has not arrived: weight 0; "
                f"nothing of {of_pool}")
    share_text = f"{pennies_words(share)} of {of_pool}" if share else f"nothing of {of_pool}"
    weighted = f"weight {weight_text(weight)} of {pennies_words(allocation)} allocation; {share_text}"
    if not shortfall:
        return (f"Finished on or above its control total {pennies_words(control_total)} (year-end actual "
                f"{pennies_words(actual)}): {weighted}")
    short = (f"Finished {pennies_words(shortfall)} short of its control total {pennies_words(control_total)}, "
             f"{percent_text(percent, places)}% of its allocation")
    if beyond is not None:
        return f"{short}, beyond the last band ({weight_text(beyond)}%): weight 0; nothing of {of_pool}"
    return f"{short}: {weighted}"


def distribution_message(*, pool: int, shared: int, trusts: int) -> str:
    if not trusts:
        return f"Pool {pennies_words(pool)}: no trust qualifies for the general distribution, nothing awarded"
    return f"Pool {pennies_words(pool)}: general distribution of {pennies_words(shared)} to {trusts} trusts"
