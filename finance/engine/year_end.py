"""The year end of RULES.md ("How we compute it"): the £1-for-£1 incentive and the bonus.

The pool is the pot less the year's allocations plus what was withheld. A trust that accepted
its control total and met it at month 12 is eligible: its incentive is what it beat the control
total by (scaled down pro rata when the claims exceed the pool), and what is left of the pool is
shared as a bonus pro rata to the eligible trusts' allocations. Exact to the penny: shares are
split by largest remainder, ties by organisation code.
"""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

from common.money import pennies_decimal, pennies_text, to_pennies

from .inputs import SchemeRules, in_scheme
from .reasons import NOTHING_TO_AWARD, year_end_message, year_end_reasons, year_end_waits
from .results import YearEnd, YearEndLine


def compute_year_end(rules: SchemeRules, trusts: pd.DataFrame) -> YearEnd:
    """The £1-for-£1 incentive and the bonus (RULES.md "How we compute it").

    ``trusts``: one row per allocated trust: trust_id, org_code, stf_allocation,
    control_total, control_total_accepted, actual_m12 (Decimal or None), quarters (number of
    quarters decided or stored), earned, withheld, pending (Decimal sums over the year). A trust
    with a £0.00 allocation is not in the scheme: it is left out (no line, no award).
    """
    trusts = in_scheme(trusts)
    if not len(trusts):
        return YearEnd(False, [], Decimal("0.00"), NOTHING_TO_AWARD)
    pending_total = sum(to_pennies(v) for v in trusts["pending"])
    incomplete = int((trusts["quarters"] < 4).sum())
    if pending_total or incomplete:
        return YearEnd(False, [], Decimal("0.00"), year_end_waits(pending_total, incomplete))
    frame = trusts.sort_values("org_code").reset_index(drop=True)
    allocation = [to_pennies(v) for v in frame["stf_allocation"]]
    withheld = [to_pennies(v) for v in frame["withheld"]]
    pool = to_pennies(rules.pot) - sum(allocation) + sum(withheld)
    codes = list(frame["org_code"])
    eligible, beat_by, actuals = [], [], []
    for row in frame.itertuples(index=False):
        actual = None if row.actual_m12 is None or pd.isna(row.actual_m12) else to_pennies(row.actual_m12)
        ok = bool(row.control_total_accepted) and actual is not None and actual >= to_pennies(row.control_total)
        actuals.append(actual)
        eligible.append(ok)
        beat_by.append(actual - to_pennies(row.control_total) if ok else 0)
    claimed = sum(beat_by)
    available = max(pool, 0)
    incentives = beat_by if claimed <= available else _largest_remainder(available, beat_by, codes)
    bonuses = _bonuses(available - sum(incentives), allocation, eligible, codes)
    scaled = claimed > available
    lines = []
    for k, row in enumerate(frame.itertuples(index=False)):
        control_total = to_pennies(row.control_total)
        reasons = year_end_reasons(
            accepted=bool(row.control_total_accepted), eligible=eligible[k], actual=actuals[k],
            control_total=control_total, beat_by=beat_by[k], incentive=incentives[k], scaled=scaled,
            available=available, allocation=allocation[k], bonus=bonuses[k],
        )
        lines.append(YearEndLine(
            trust_id=int(row.trust_id), org_code=str(row.org_code), eligible=eligible[k],
            incentive=pennies_decimal(incentives[k]), bonus=pennies_decimal(bonuses[k]),
            detail={
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
    return YearEnd(True, lines, pennies_decimal(pool), message)


def _bonuses(left, allocation, eligible, codes):
    """What is left of the pool, pro rata to the eligible trusts' allocations (equally if all nil)."""
    if not any(eligible):
        return [0] * len(codes)
    weights = [a if ok else 0 for a, ok in zip(allocation, eligible)]
    if sum(weights) == 0:
        weights = [1 if ok else 0 for ok in eligible]
    return _largest_remainder(left, weights, codes)


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
