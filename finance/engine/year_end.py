"""The year end of RULES.md, by the scheme's ``year_end_method``: the £1-for-£1 incentive and the
bonus ("How we compute it"), the general distribution on its sliding scale ("Year end (2017/18 and
2018/19)"), or none.

Both methods share one pool: the pot less the year's allocations plus everything withheld in the
year. Nothing is decided while any quarter is pending (the year end says which trusts wait for
which returns) or when the pool is negative (the allocations exceed the pot by more than was
withheld: refused, nothing awarded). Exact to the penny: shares are split by largest remainder,
ties by organisation code, so that ``sum(earned) + sum(awards) = pot`` whenever some trust
qualifies.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from common.money import pennies_decimal, pennies_text, to_pennies

from .inputs import SchemeRules, in_scheme
from .reasons import (
    NOTHING_TO_AWARD, distribution_message, distribution_reason, negative_pool_message, no_year_end_message,
    percent_text, tie_places, weight_text, year_end_message, year_end_reasons, year_end_waits,
)
from .results import YearEnd, YearEndLine, YearEndWait

INCENTIVE_BONUS = "incentive_bonus"
GENERAL_DISTRIBUTION = "general_distribution"
NONE = "none"
WAITS_NAMED = 5  # trusts a waiting year end names in its message (the rest are counted)


def compute_year_end(rules: SchemeRules, trusts: pd.DataFrame, *, named: int = WAITS_NAMED) -> YearEnd:
    """The scheme's year end by its method (RULES.md "Year end").

    ``trusts``: one row per allocated trust: trust_id, org_code, stf_allocation, control_total,
    control_total_accepted, actual_m12 (Decimal or None), quarters (number of quarters stored),
    earned, withheld, pending (Decimal sums over the year) and, optionally, missing ({"finance" or
    metric: [first days of months]} that its pending quarters wait for). A trust with a £0.00
    allocation is not in the scheme: it is left out (no line, no award).

    ``national`` in the answer: pot, allocations, unallocated, earned, withheld, pending, pool,
    incentives, bonus, general_distribution, awarded, unawarded (pool − awarded), check
    (earned + awarded) and reconciles (check = pot), as Decimals (reconciles a bool); the pool and
    what depends on it are None while waiting. ``named``: how many waiting trusts the message names.
    """
    method = rules.year_end_method
    trusts = in_scheme(trusts)
    if method == NONE:
        return YearEnd(False, [], Decimal("0.00"), no_year_end_message(rules.code), state="none", method=method,
                       national=_national(rules, trusts, None, []))
    if not len(trusts):
        return YearEnd(False, [], Decimal("0.00"), NOTHING_TO_AWARD, state="empty", method=method,
                       national=_national(rules, trusts, None, []))
    frame = trusts.sort_values("org_code").reset_index(drop=True)
    waits = _waits(frame)
    if waits:
        return YearEnd(False, [], Decimal("0.00"), year_end_waits(waits, named=named), state="waiting",
                       method=method, national=_national(rules, frame, None, []), waits=waits)
    allocation = [to_pennies(v) for v in frame["stf_allocation"]]
    pool = to_pennies(rules.pot) - sum(allocation) + sum(to_pennies(v) for v in frame["withheld"])
    if pool < 0:
        return YearEnd(False, [], pennies_decimal(pool), negative_pool_message(pool), state="refused",
                       method=method, national=_national(rules, frame, pool, []))
    last_month = rules.month(11)
    if method == GENERAL_DISTRIBUTION:
        lines, message = _general_distribution(rules, frame, pool, last_month)
    else:
        lines, message = _incentive_bonus(frame, pool, last_month)
    return YearEnd(True, lines, pennies_decimal(pool), message, state="decided", method=method,
                   national=_national(rules, frame, pool, lines))


def _waits(frame) -> list[YearEndWait]:
    """The trusts with money pending or quarters not stored, in org code order."""
    waits = []
    has_missing = "missing" in frame.columns
    for row in frame.itertuples(index=False):
        pending = to_pennies(row.pending)
        if pending or row.quarters < 4:
            missing = (row.missing or {}) if has_missing else {}
            waits.append(YearEndWait(trust_id=int(row.trust_id), org_code=str(row.org_code), missing=missing,
                                     pending=pennies_decimal(pending), quarters=int(row.quarters)))
    return waits


def _actual(row):
    return None if row.actual_m12 is None or pd.isna(row.actual_m12) else to_pennies(row.actual_m12)


def _incentive_bonus(frame, pool: int, last_month: datetime.date):
    """Incentive £1 for £1 beyond the control total (scaled down when the claims exceed the pool),
    then the rest of the pool as a bonus pro rata to the eligible trusts' allocations."""
    allocation = [to_pennies(v) for v in frame["stf_allocation"]]
    codes = list(frame["org_code"])
    eligible, beat_by, actuals = [], [], []
    for row in frame.itertuples(index=False):
        actual = _actual(row)
        ok = bool(row.control_total_accepted) and actual is not None and actual >= to_pennies(row.control_total)
        actuals.append(actual)
        eligible.append(ok)
        beat_by.append(actual - to_pennies(row.control_total) if ok else 0)
    claimed = sum(beat_by)
    scaled = claimed > pool
    incentives = _largest_remainder(pool, beat_by, codes) if scaled else beat_by
    bonuses = _bonuses(pool - sum(incentives), allocation, eligible, codes)
    lines = []
    for k, row in enumerate(frame.itertuples(index=False)):
        control_total = to_pennies(row.control_total)
        reasons = year_end_reasons(
            accepted=bool(row.control_total_accepted), eligible=eligible[k], actual=actuals[k],
            control_total=control_total, beat_by=beat_by[k], incentive=incentives[k], scaled=scaled,
            available=pool, allocation=allocation[k], bonus=bonuses[k], month=last_month,
        )
        lines.append(YearEndLine(
            trust_id=int(row.trust_id), org_code=str(row.org_code), eligible=eligible[k],
            incentive=pennies_decimal(incentives[k]), bonus=pennies_decimal(bonuses[k]),
            detail={
                "method": INCENTIVE_BONUS,
                "actual": pennies_text(actuals[k]) if actuals[k] is not None else None,
                "control_total": pennies_text(control_total),
                "beat_by": pennies_text(beat_by[k]),
                "allocation": pennies_text(allocation[k]),
                "pool": pennies_text(pool),
                "incentives_scaled": scaled,
                "reasons": reasons,
            },
        ))
    message = year_end_message(pool=pool, incentives=sum(incentives), bonuses=sum(bonuses), eligible=sum(eligible))
    return lines, message


def closeness_weight(bands, percent: Fraction) -> tuple[Decimal, Decimal | None]:
    """The weight of a shortfall of ``percent`` of the allocation: the first band whose ``up_to``
    it does not exceed (``bands``: ascending (up_to, weight) Decimals). Beyond the last band the
    weight is 0, and the last band's ``up_to`` is returned with it (else None)."""
    for up_to, weight in bands:
        if percent <= Fraction(up_to):
            return Decimal(weight), None
    return Decimal(0), (Decimal(bands[-1][0]) if bands else Decimal(0))


def _general_distribution(rules: SchemeRules, frame, pool: int, last_month: datetime.date):
    """The pool shared among the trusts that accepted their control totals, pro rata to
    weight × allocation, the weight by the closeness bands of the shortfall."""
    codes = list(frame["org_code"])
    figures = []
    for row in frame.itertuples(index=False):
        allocation, control_total, actual = to_pennies(row.stf_allocation), to_pennies(row.control_total), _actual(row)
        accepted = bool(row.control_total_accepted)
        shortfall = max(0, control_total - actual) if actual is not None else 0
        percent = Fraction(100 * shortfall, allocation)
        if accepted and actual is not None:
            weight, beyond = closeness_weight(rules.year_end_bands, percent)
        else:
            weight, beyond = Decimal(0), None
        places = max([p for p in (tie_places(percent, Fraction(up_to)) for up_to, _ in rules.year_end_bands) if p]
                     or [2])
        figures.append(dict(allocation=allocation, control_total=control_total, actual=actual, accepted=accepted,
                            shortfall=shortfall, percent=percent, places=places, weight=weight, beyond=beyond))
    weighted = _integer_weights([f["weight"] * f["allocation"] for f in figures])
    shares = _largest_remainder(pool, weighted, codes) if any(weighted) else [0] * len(codes)
    lines = []
    for k, row in enumerate(frame.itertuples(index=False)):
        f = figures[k]
        reason = distribution_reason(
            accepted=f["accepted"], actual=f["actual"], month=last_month, control_total=f["control_total"],
            allocation=f["allocation"], shortfall=f["shortfall"], percent=f["percent"], places=f["places"],
            weight=f["weight"], beyond=f["beyond"], share=shares[k], pool=pool,
        )
        lines.append(YearEndLine(
            trust_id=int(row.trust_id), org_code=str(row.org_code), eligible=bool(weighted[k]),
            incentive=Decimal("0.00"), bonus=Decimal("0.00"), general_distribution=pennies_decimal(shares[k]),
            detail={
                "method": GENERAL_DISTRIBUTION,
                "actual": pennies_text(f["actual"]) if f["actual"] is not None else None,
                "control_total": pennies_text(f["control_total"]),
                "allocation": pennies_text(f["allocation"]),
                "shortfall": pennies_text(f["shortfall"]),
                "shortfall_percent": percent_text(f["percent"]) if f["actual"] is not None else None,
                "weight": weight_text(f["weight"]),
                "pool": pennies_text(pool),
                "reasons": [reason],
            },
        ))
    message = distribution_message(pool=pool, shared=sum(shares), trusts=sum(1 for s in shares if s))
    return lines, message


def _national(rules: SchemeRules, frame, pool: int | None, lines) -> dict:
    """The national reconciliation: the pot, what the quarters did with it, and the year end."""
    def total(column):
        return sum((to_pennies(v) for v in frame[column]), 0) if len(frame) else 0

    pot, allocations = to_pennies(rules.pot), total("stf_allocation")
    earned, withheld, pending = total("earned"), total("withheld"), total("pending")
    incentives = sum(to_pennies(line.incentive) for line in lines)
    bonus = sum(to_pennies(line.bonus) for line in lines)
    distribution = sum(to_pennies(line.general_distribution) for line in lines)
    awarded = incentives + bonus + distribution
    figures = {
        "pot": pot, "allocations": allocations, "unallocated": pot - allocations, "earned": earned,
        "withheld": withheld, "pending": pending, "pool": pool, "incentives": incentives, "bonus": bonus,
        "general_distribution": distribution, "awarded": awarded,
        "unawarded": pool - awarded if pool is not None else None, "check": earned + awarded,
    }
    national = {name: None if value is None else pennies_decimal(value) for name, value in figures.items()}
    national["reconciles"] = earned + awarded == pot
    return national


def _bonuses(left, allocation, eligible, codes):
    """What is left of the pool, pro rata to the eligible trusts' allocations (equally if all nil)."""
    if not any(eligible):
        return [0] * len(codes)
    weights = [a if ok else 0 for a, ok in zip(allocation, eligible)]
    if sum(weights) == 0:
        weights = [1 if ok else 0 for ok in eligible]
    return _largest_remainder(left, weights, codes)


def _integer_weights(values):
    """Decimal weights as integers in the same proportions (scaled by a power of ten)."""
    places = max([max(-Decimal(v).as_tuple().exponent, 0) for v in values] or [0])
    return [int(Decimal(v).scaleb(places)) for v in values]


def _largest_remainder(total, weights, order_keys):
    """Split ``total`` pennies pro rata to integer ``weights``: floors, then the leftover pennies
    one each to the largest remainders (ties by ``order_keys``). Exact: the shares sum to total."""
    weight_sum = sum(weights)
    if total <= 0 or not weights:
        return [0] * len(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda k: (-remainders[k], order_keys[k]))
    for k in order[:leftover]:
        shares[k] += 1
    return shares
