"""The trust page's outlook panel (private: the trust's own finance directors and analysts): for
the quarter shown while it is in progress, what the rest of the quarter must reach for each
element, in plain words and as a table (``finance.outlook``, ``finance.engine.outlook``)."""
from __future__ import annotations

from common.money import money_display, pennies_decimal
from common.months import month_name
from finance.engine.outlook import PRIOR_YEAR, TRAJECTORY
from finance.models import Scheme
from finance.outlook import trust_outlook
from performance.metrics import PAGE_NAMES, REASON_NAMES

BASIS_WORDS = {TRAJECTORY: "trajectory", "standard": "standard", PRIOR_YEAR: "same quarter last year"}


def _pounds(pennies):
    return money_display(pennies_decimal(pennies))


def _percent(text):
    return "—" if text is None else f"{text}%"


def metric_sentence(metric, row: dict) -> str:
    """What the rest of the quarter must reach for one metric's element, in words."""
    name, element = REASON_NAMES.get(metric.metric, metric.metric), _pounds(metric.at_stake)
    threshold = f"{row['threshold']}% {BASIS_WORDS[metric.basis]}"
    if metric.on_agreement:
        return f"The {name} element ({element}) is secured by the agreed trajectory (paid on agreement in Q1)."
    if metric.decided:
        verdict = "met" if metric.met else "missed"
        return f"The {name} element ({element}) is decided: all three months are in and the {threshold} is {verdict}."
    if metric.secured:
        return (f"The {name} element ({element}) is secured: {row['so_far']['percent']}% so far meets the "
                f"{threshold} whatever the rest of the quarter brings.")
    if metric.needed is None:
        return f"The {name} element ({element}) cannot be judged: its three months are in with no case."
    verb = "beat" if metric.strict else "reach"
    needed = row["needed_percent"]
    state = "achievable" if metric.achievable else "no longer achievable"
    if not metric.months_in or not metric.denominator:
        why = "no month is in yet" if not metric.months_in else "no case so far"
        return (f"To earn the {name} element ({element}) the quarter must {verb} {needed}% (the {threshold}); "
                f"{why} ({state}).")
    return (f"To earn the {name} element ({element}) the rest of the quarter must {verb} {needed}% "
            f"({state}; the {threshold}, {row['so_far']['percent']}% so far).")


def finance_sentence(outlook) -> str:
    finance = outlook.finance
    last = month_name(outlook.months[-1])
    stake = f"the finance element ({_pounds(finance.at_stake)}) and the quarter's {_pounds(finance.allocation)}"
    if finance.plan is None:
        return f"No finance return of the year is in yet: {stake} wait for {last}'s YTD actual against its plan."
    figures = (f"the latest YTD actual is {_pounds(finance.actual)} against a plan of {_pounds(finance.plan)} "
               f"({month_name(finance.actual_month)})")
    if finance.met is not None:
        verdict = "met" if finance.met else "missed"
        return f"The finance test is decided ({verdict}): {figures}."
    track = "on track" if finance.on_track else "behind the plan"
    return f"To keep {stake}, the YTD actual at {last} must be at least its plan: {figures}, {track}."


def year_end_sentence(estimate: dict | None) -> str:
    if not estimate:
        return ""
    month = estimate["forecast_month"]
    outturn, control = money_display(estimate["forecast_outturn"]), money_display(estimate["control_total"])
    head = f"Forecast outturn {outturn} (return of {month}) against a control total of {control}"
    if not estimate["control_total_accepted"]:
        return f"{head}: the control total is not accepted, so there is no year-end award."
    if estimate["method"] == "incentive_bonus":
        if not estimate["eligible"]:
            return f"{head}: short of the control total, so no incentive or bonus."
        return (f"{head}: an incentive of {money_display(estimate['incentive'])} before any scaling, and a bonus "
                f"that depends on what other trusts forfeit.")
    return (f"{head}: a shortfall of {money_display(estimate['shortfall'])} ({estimate['shortfall_percent']}% of the "
            f"allocation) falls in the closeness weight band {estimate['weight']}; the share depends on other trusts.")


def outlook_panel(trust, period, *, private) -> dict | None:
    """The panel's context for the quarter shown, or None (not private, no period, not in the scheme)."""
    if not private or period is None:
        return None
    scheme = Scheme.objects.filter(code=period.scheme).first()
    found = trust_outlook(trust, scheme, period.quarter, with_due=False) if scheme else None
    if found is None:
        return None
    outlook, record = found
    rows = []
    for metric, row in zip(outlook.metrics, record["metrics"]):
        rows.append({**row, "name": PAGE_NAMES.get(metric.metric, metric.metric),
                     "basis_words": BASIS_WORDS[metric.basis], "sentence": metric_sentence(metric, row),
                     "months_count": len(metric.months_in)})
    return {
        "decided": outlook.complete,
        "label": f"{period.label}",
        "record": record,
        "months_in": [month_name(m) for m in outlook.months_in],
        "finance_sentence": finance_sentence(outlook),
        "rows": rows,
        "year_end": year_end_sentence(record["year_end_estimate"]),
        "no_control_total": not outlook.control_total_accepted,
        "finance_failed": outlook.finance.met is False,
    }
