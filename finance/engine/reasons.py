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

from common.money import CENT, pennies_words
from common.months import month_name
from performance.metrics import REASON_NAMES

NOTHING_TO_AWARD = "No allocations: nothing to award."


def percent_text(value):
    """A percentage (Fraction or Decimal) rounded half-up to 2 dp, as text: "91.20"."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


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
    shown, standard = percent_text(figures.performance), figures.standard
    if prior_year_rule:
        return _prior_year_reason(figures, label, shown, money, f"Q{quarter} {comparison}")
    if figures.trajectory is not None:
        shown_trajectory = percent_text(figures.trajectory)
        if figures.at_standard:
            return f"{label} {shown}% meets the standard {standard}%: {money} earned"
        if figures.at_trajectory:
            return f"{label} {shown}% meets its trajectory {shown_trajectory}%: {money} earned"
        return (f"{label} {shown}% is below both its trajectory {shown_trajectory}% and the standard "
                f"{standard}%: {money} withheld")
    if figures.at_standard:
        return f"{label} {shown}% meets the standard {standard}%: {money} earned"
    return f"{label} {shown}% is below the standard {standard}% (no agreed trajectory): {money} withheld"


def _prior_year_reason(figures: MetricFigures, label: str, shown: str, money: str, prior_quarter: str) -> str:
    standard = figures.standard
    if figures.prior is not None:
        prior_text = f"{percent_text(figures.prior)}% in {prior_quarter}"
    else:
        prior_text = f"no complete figure for {prior_quarter}"
    if figures.at_standard:
        return f"{label} {shown}% meets the threshold {standard}%: {money} earned"
    if figures.beats_prior:
        return f"{label} {shown}% beats {prior_text}: {money} earned"
    if figures.prior is None:
        return f"{label} {shown}% is below the threshold {standard}% ({prior_text}): {money} withheld"
    return f"{label} {shown}% is below the threshold {standard}% and does not beat {prior_text}: {money} withheld"


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
