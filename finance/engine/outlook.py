"""The outlook of one trust-quarter while it is in progress: what the rest of the quarter must
reach for each element to be earned, and a year-end estimate from the forecast outturn. Pure.

The element split, the quarter sums and the judgement are the engine's own (:mod:`.quarters`,
:mod:`.sums`), so each ``at_stake`` is to the penny the element the quarter's result carries.

Choices (documented in README, "The outlook of a quarter in progress"):

* A month is **in** for a metric when its return for that month has arrived (a row, whatever its
  count). The record's ``months_in`` are the quarter's months in for every metric the trust is
  judged on (for a trust judged on none: the months with a finance return).
* **Threshold and basis.** Trajectory or standard (RULES.md rule 4): the lower of the quarter's
  trajectory (the mean of its monthly values) and the standard; ``basis`` ``trajectory`` when the
  trajectory is the lower, else ``standard``. Q1 of 2016-17 with an agreed trajectory is met
  whatever the performance (``secured``). The 2018-19 rule: the standard, or strictly beating the
  same quarter of the comparison year when that is lower (``basis`` ``prior_year``, ``strict``).
* **Needed.** With ``k`` months in (numerator ``N``, denominator ``D``) the remaining ``3 − k``
  months are taken to have the monthly average denominator so far, ``D / k``; the quarter meets
  threshold ``T`` when the remaining months reach
  ``needed = (3·T·D − 100·k·N) / ((3 − k)·D)`` percent (exact; rounded half-up to 2 dp only for
  display). With no month in, or no case so far, there is no average: ``needed = T`` over the
  whole quarter. When the threshold is reached whatever the remaining months do (``needed ≤ 0``,
  or below 0 for a strict threshold, or the Q1 agreement) the metric is ``secured`` and needed is
  0.00. Above 100 (or 100 for a strict threshold) it is not ``achievable``, and the figure is
  still given. Once the metric's three months are in, needed is None (``met`` says how it was
  judged).
* **Finance**: the YTD plan to meet is the plan of the quarter's last month once that return is
  in, else the latest plan known up to it (``plan_month`` says which); the latest YTD actual is
  that of the latest return up to the quarter's last month. ``on_track``: the actual is on or
  ahead of the plan of the same month. ``at_stake`` is the finance element; a missed finance test
  withholds the whole quarter (``allocation``).
* Approved adjustments on review are not applied here: they decide a stored result, not what the
  returns must reach.
* **Year-end estimate**, from the latest forecast outturn against the control total, before any
  scaling: for ``incentive_bonus`` the incentive £1 for £1 beyond the control total (and that a
  bonus depends on what other trusts forfeit); for ``general_distribution`` the shortfall and the
  closeness weight band it would fall in; None for a scheme with no year end or no forecast.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from common.money import pennies_text, to_pennies
from common.months import month_text

from .inputs import THRESHOLD_OR_PRIOR_YEAR, TRAJECTORY_OR_STANDARD, EngineInputs, SchemeRules, in_scheme
from .quarters import finance_element, judge_metric, metric_elements, quarter_allocations, trust_quarters
from .reasons import percent_text
from .sums import month_index, quarter_sums
from .year_end import GENERAL_DISTRIBUTION, INCENTIVE_BONUS, closeness_weight

TRAJECTORY, STANDARD, PRIOR_YEAR = "trajectory", "standard", "prior_year"


@dataclass
class MetricOutlook:
    metric: str
    threshold: Fraction  # percent
    basis: str  # trajectory | standard | prior_year
    strict: bool  # the threshold must be beaten, not only reached (the prior-year rule)
    months_in: list  # first days of the quarter's months in
    numerator: int
    denominator: int
    needed: Fraction | None  # percent the remaining months must reach (None once all three are in)
    achievable: bool
    secured: bool
    met: bool | None  # as judged once its three months are in (None while any is missing)
    at_stake: int  # pennies: the metric's element
    decided: bool = False  # its three months are in, or it is met on the Q1 agreement
    on_agreement: bool = False  # met on the agreed trajectory (Q1 of 2016-17), whatever the performance

    @property
    def so_far(self) -> Fraction | None:
        return Fraction(100 * self.numerator, self.denominator) if self.denominator else None

    def record(self) -> dict:
        return {
            "metric": self.metric,
            "threshold": percent_text(self.threshold),
            "basis": self.basis,
            "strict": self.strict,
            "months_in": [month_text(m) for m in self.months_in],
            "so_far": {"numerator": self.numerator, "denominator": self.denominator,
                       "percent": percent_text(self.so_far)},
            "needed_percent": percent_text(self.needed),
            "achievable": self.achievable,
            "secured": self.secured,
            "met": self.met,
            "at_stake": pennies_text(self.at_stake),
        }


@dataclass
class FinanceOutlook:
    plan: int | None  # pennies: the YTD plan to meet
    plan_month: datetime.date | None
    plan_final: bool  # the plan is the quarter's last month's
    actual: int | None  # pennies: the latest YTD actual
    actual_month: datetime.date | None
    on_track: bool | None
    met: bool | None  # the test as applied once the last month's return is in
    at_stake: int  # pennies: the finance element
    allocation: int  # pennies: what a missed finance test withholds

    def record(self) -> dict:
        return {
            "ytd_plan_to_meet": None if self.plan is None else pennies_text(self.plan),
            "plan_month": month_text(self.plan_month),
            "plan_final": self.plan_final,
            "latest_ytd_actual": None if self.actual is None else pennies_text(self.actual),
            "actual_month": month_text(self.actual_month),
            "on_track": self.on_track,
            "met": self.met,
            "at_stake": pennies_text(self.at_stake),
            "withheld_if_missed": pennies_text(self.allocation),
        }


@dataclass
class Outlook:
    trust_id: int
    org_code: str
    year: str
    quarter: int
    months: list  # the quarter's three months
    months_in: list
    allocation: int  # pennies
    control_total_accepted: bool
    complete: bool  # nothing awaited: every return the quarter is judged on is in
    finance: FinanceOutlook
    metrics: list = field(default_factory=list)
    year_end_estimate: dict | None = None

    def record(self) -> dict:
        return {
            "org_code": self.org_code,
            "year": self.year,
            "quarter": self.quarter,
            "months": [month_text(m) for m in self.months],
            "months_in": [month_text(m) for m in self.months_in],
            "complete": self.complete,
            "allocation": pennies_text(self.allocation),
            "control_total_accepted": self.control_total_accepted,
            "finance": self.finance.record(),
            "metrics": [m.record() for m in self.metrics],
            "year_end_estimate": self.year_end_estimate,
        }


def needed_percent(threshold: Fraction, numerator: int, denominator: int, months_in: int) -> Fraction:
    """The percent the remaining ``3 − months_in`` months must reach, at the average denominator
    so far, for the quarter to reach ``threshold`` (exact; may be below 0 or above 100)."""
    if months_in <= 0 or denominator <= 0:
        return Fraction(threshold)
    k, n, d = months_in, numerator, denominator
    return (3 * Fraction(threshold) * d - 100 * k * n) / ((3 - k) * d)


def quarter_outlook(rules: SchemeRules, inputs: EngineInputs, trust_id: int, quarter: int, *,
                    forecast: tuple[datetime.date, Decimal] | None = None) -> Outlook | None:
    """The outlook of ``trust_id``'s ``quarter`` (None when the trust is not in the scheme).

    ``forecast``: the latest forecast outturn known, as (month, pounds), for the year-end estimate."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"Quarter must be 1 to 4, not {quarter!r}.")
    allocations = in_scheme(inputs.allocations)
    allocations = allocations[allocations["trust_id"] == trust_id] if len(allocations) else allocations
    if not len(allocations):
        return None
    rows = trust_quarters(allocations)
    allocation = quarter_allocations(rules, rows)
    applicable, elements = metric_elements(rules, rows, allocation)
    remainder = finance_element(allocation, elements)
    sums = quarter_sums(rules, inputs, rows.set_index(["trust_id", "quarter"]).index)
    quarters = rows["quarter"].to_numpy()
    i = int(list(quarters).index(quarter))
    months = [rules.month((quarter - 1) * 3 + k) for k in range(3)]
    accepted = bool(rows["control_total_accepted"].iloc[i])

    metrics = []
    for metric in rules.metrics:
        if not applicable[metric][i]:
            continue
        judged = judge_metric(rules, metric, sums[metric], quarters, applicable[metric], elements[metric])
        metrics.append(_metric(rules, metric, sums[metric], judged, i, quarter, months, int(elements[metric].iloc[i])))

    finance = _finance(rules, inputs.finance, trust_id, months, at_stake=int(remainder.iloc[i]),
                       allocation=int(allocation.iloc[i]))
    if metrics:
        months_in = [m for m in months if all(m in x.months_in for x in metrics)]
    else:
        months_in = _finance_months(rules, inputs.finance, trust_id, months)
    # Decided: no control total or a failed finance test withholds the whole quarter whatever
    # else arrives; else every element must be decided (its three months in, or the Q1 agreement).
    complete = not accepted or finance.met is False or (
        finance.met is True and all(x.decided for x in metrics))
    first = allocations.iloc[0]
    return Outlook(
        trust_id=int(trust_id), org_code=str(first["org_code"]), year=rules.code, quarter=quarter, months=months,
        months_in=months_in, allocation=int(allocation.iloc[i]), control_total_accepted=accepted,
        complete=bool(complete), finance=finance, metrics=metrics,
        year_end_estimate=year_end_estimate(rules, first, forecast),
    )


def _on_agreement(rules: SchemeRules, quarter: int) -> bool:
    return rules.q1_paid_on_trajectory and rules.rule_variant == TRAJECTORY_OR_STANDARD and quarter == 1


def _metric(rules, metric, sums, judged, i, quarter, months, element) -> MetricOutlook:
    num, den, mask = int(sums.num[i]), int(sums.den[i]), int(sums.mask[i])
    months_in = [months[k] for k in range(3) if (mask >> k) & 1]
    standard = Fraction(Decimal(str(rules.standards[metric])))
    threshold, basis, strict = standard, STANDARD, False
    if rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR:
        if bool(judged.comparison_complete[i]):
            prior = Fraction(100 * int(sums.cnum[i]), int(sums.cden[i]))
            if prior < standard:
                threshold, basis, strict = prior, PRIOR_YEAR, True
    elif int(sums.tn[i]) > 0:
        trajectory = Fraction(int(sums.tsum[i]), 100 * int(sums.tn[i]))
        if trajectory < standard or _on_agreement(rules, quarter):
            threshold, basis = trajectory, TRAJECTORY
    on_agreement = bool(judged.on_agreement[i])
    complete = len(months_in) == 3
    met = None if judged.pending[i] else bool(judged.met[i])
    if on_agreement:
        return MetricOutlook(metric, threshold, basis, strict, months_in, num, den, None if complete else Fraction(0),
                             True, True, True, element, decided=True, on_agreement=True)
    if complete:
        return MetricOutlook(metric, threshold, basis, strict, months_in, num, den, None, bool(met), bool(met),
                             met, element, decided=met is not None)
    needed = needed_percent(threshold, num, den, len(months_in))
    secured = needed < 0 if strict else needed <= 0
    achievable = needed < 100 if strict else needed <= 100
    return MetricOutlook(metric, threshold, basis, strict, months_in, num, den, Fraction(0) if secured else needed,
                         achievable, secured, None, element)


def _trust_finance(finance: pd.DataFrame, trust_id, rules, months):
    """The trust's finance returns of the year up to the quarter's last month, by month."""
    if not len(finance):
        return finance
    rows = finance[finance["trust_id"] == trust_id].copy()
    if not len(rows):
        return rows
    rows["idx"] = month_index(rows["month"], rules.start)
    last = month_index([months[-1]], rules.start)[0]
    return rows[(rows["idx"] >= 0) & (rows["idx"] <= last)].sort_values("idx")


def _finance_months(rules, finance, trust_id, months):
    rows = _trust_finance(finance, trust_id, rules, months)
    present = set(month_index(rows["month"], rules.start)) if len(rows) else set()
    return [m for m in months if month_index([m], rules.start)[0] in present]


def _finance(rules, finance, trust_id, months, *, at_stake, allocation) -> FinanceOutlook:
    rows = _trust_finance(finance, trust_id, rules, months)
    if not len(rows):
        return FinanceOutlook(None, None, False, None, None, None, None, at_stake, allocation)
    latest = rows.iloc[-1]
    last = month_index([months[-1]], rules.start)[0]
    plan, actual = to_pennies(latest["plan_ytd"]), to_pennies(latest["actual_ytd"])
    month = rules.month(int(latest["idx"]))
    final = bool(int(latest["idx"]) == int(last))
    return FinanceOutlook(plan=plan, plan_month=month, plan_final=final, actual=actual, actual_month=month,
                          on_track=actual >= plan, met=(actual >= plan) if final else None, at_stake=at_stake,
                          allocation=allocation)


def year_end_estimate(rules: SchemeRules, allocation_row, forecast) -> dict | None:
    """What the forecast outturn would earn at the year end, before any scaling (module docstring)."""
    if forecast is None or rules.year_end_method not in (INCENTIVE_BONUS, GENERAL_DISTRIBUTION):
        return None
    month, amount = forecast
    outturn, control_total = to_pennies(amount), to_pennies(allocation_row["control_total"])
    allocation = to_pennies(allocation_row["stf_allocation"])
    accepted = bool(allocation_row["control_total_accepted"])
    record = {
        "method": rules.year_end_method,
        "forecast_month": month_text(month),
        "forecast_outturn": pennies_text(outturn),
        "control_total": pennies_text(control_total),
        "control_total_accepted": accepted,
    }
    if rules.year_end_method == INCENTIVE_BONUS:
        eligible = accepted and outturn >= control_total
        record.update(eligible=eligible, beats_by=pennies_text(max(0, outturn - control_total) if eligible else 0),
                      incentive=pennies_text(outturn - control_total if eligible else 0),
                      incentive_scaled_if_pool_short=True, bonus_depends_on_other_trusts=eligible)
        return record
    shortfall = max(0, control_total - outturn)
    percent = Fraction(100 * shortfall, allocation)
    weight, _beyond = closeness_weight(rules.year_end_bands, percent) if accepted else (Decimal(0), None)
    record.update(eligible=accepted and weight > 0, shortfall=pennies_text(shortfall),
                  shortfall_percent=percent_text(percent), weight=format(weight.normalize(), "f"),
                  share_depends_on_other_trusts=True)
    return record
