"""The synthetic country's figures: each trust's latent size and health, its plans (allocations,
control totals, refusals), monthly finance returns, and performance returns and trajectories, and
the finance director's trust. Pure: the same generator state gives the same rows."""
from __future__ import annotations

import datetime
import math
from decimal import Decimal

import numpy as np

from common.months import add_months

from ..country import MONTHS_RECEIVED, THOUSAND, YEARS, apportion, clip_percent, round_money, weighted_pick
from ..draws import (
    ACUTE_INCOME_PER_ATTENDANCE,
    AE_ENGLAND_WITHIN,
    AE_LOG_ATTENDANCES,
    AE_LOG_BREACH_RATE,
    AE_TRUST_YEAR_DRIFT,
    ALLOCATION_WEIGHT,
    LOG_TURNOVER,
    ZERO_ALLOCATION_SHARE,
    elective_and_cancer_profile,
    expected_percent,
    monthly_return,
    sector_control_totals,
)
from .shape import scaled

# --- Money (assumptions) -------------------------------------------------------------------------
ALLOCATED = {  # the sum of allocations; 2018-19 keeps some of the £2.45bn pot unallocated
    "2016-17": Decimal("1800000000.00"),
    "2017-18": Decimal("1800000000.00"),
    "2018-19": Decimal("2350000000.00"),
}
SECTOR_CONTROL_TOTAL = {  # sum of control totals, £ (2016-17 as reported; later years assumed)
    "2016-17": Decimal("-580000000.00"),
    "2017-18": Decimal("-500000000.00"),
    "2018-19": Decimal("-450000000.00"),
}
REFUSALS = {"2016-17": 23, "2017-18": 15, "2018-19": 12}
PERSISTENT_FAILURES = {"finance": 27, "ae": 20}  # accepted trusts failing most quarters


def trust_profiles(rng, trusts):
    """Latent characteristics per trust: size, financial health, A&E, RTT and cancer levels."""
    profiles = {}
    for trust in trusts:
        kind = trust["trust_type"]
        profile = {}
        if kind == "acute":
            attendances = float(np.clip(rng.lognormal(*AE_LOG_ATTENDANCES), 3000, 42000))
            profile["attendances"] = attendances
            profile["turnover"] = attendances * ACUTE_INCOME_PER_ATTENDANCE * float(rng.lognormal(0, 0.15)) * 12
            profile["breach_rate"] = float(np.clip(rng.lognormal(*AE_LOG_BREACH_RATE), 0.01, 0.35))
            profile["year_drift"] = {
                "2016-17": 1.0,
                "2017-18": float(rng.lognormal(0, AE_TRUST_YEAR_DRIFT)),
            }
            profile["year_drift"]["2018-19"] = profile["year_drift"]["2017-18"] * float(
                rng.lognormal(0, AE_TRUST_YEAR_DRIFT)
            )
        else:
            profile["turnover"] = float(rng.lognormal(*LOG_TURNOVER[kind]))
        # Financial health: below about -0.4 a trust is set a deficit control total.
        profile["health"] = float(rng.normal(0, 1)) + (-0.35 if kind == "acute" else 0.3)
        if kind in ("acute", "specialist"):
            profile.update(elective_and_cancer_profile(rng, kind, profile.get("attendances")))
        profiles[trust["org_code"]] = profile
    # Calibrate: the attendance-weighted national breach rate of 2016/17 is England's.
    acute = [p for p in profiles.values() if "breach_rate" in p]
    if acute:
        national = sum(p["attendances"] * p["breach_rate"] for p in acute) / sum(p["attendances"] for p in acute)
        factor = (1 - AE_ENGLAND_WITHIN) / national
        for p in acute:
            p["breach_rate"] = min(p["breach_rate"] * factor, 0.30)
    return profiles


def plans(rng, trusts, profiles, scale):
    codes = [t["org_code"] for t in trusts]
    kinds = {t["org_code"]: t["trust_type"] for t in trusts}
    plans, failing = {}, {}
    base_weights = []
    for code in codes:
        kind = kinds[code]
        weight = profiles[code]["turnover"] * ALLOCATION_WEIGHT[kind] * float(rng.lognormal(0, 0.25))
        if rng.random() < ZERO_ALLOCATION_SHARE.get(kind, 0):
            weight = 0.0
        base_weights.append(weight)
    previous_refusers, previous_failing = [], {"finance": [], "ae": []}
    for year in YEARS:
        weights = [w * float(rng.lognormal(0, 0.1)) if year != "2016-17" else w for w in base_weights]
        allocated = round_money(float(ALLOCATED[year]) * scale) if scale < 1 else ALLOCATED[year]
        allocations = apportion(allocated, weights, codes)
        control_totals = sector_control_totals(rng, codes, profiles, float(SECTOR_CONTROL_TOTAL[year]) * scale)
        # Refusals: mostly trusts told to cut a deficit; some refuse again the next year.
        n_refuse = scaled(REFUSALS[year], scale)
        repeat = [c for c in previous_refusers if rng.random() < 0.5]
        candidates = [c for c in codes if c not in repeat]
        refusers = sorted(repeat[:n_refuse] + weighted_pick(
            rng, candidates, [6.0 if control_totals[c] < 0 else 1.0 for c in candidates], n_refuse - len(repeat[:n_refuse])
        ))
        refused = set(refusers)
        accepted = [c for c in codes if c not in refused]
        year_failing = {}
        for element, count in PERSISTENT_FAILURES.items():
            pool = accepted if element == "finance" else [c for c in accepted if kinds[c] == "acute"]
            n = scaled(count, scale)
            kept = [c for c in previous_failing[element] if c in pool and rng.random() < 0.75][:n]
            rest = [c for c in pool if c not in kept]
            if element == "finance":
                w = [4.0 if control_totals[c] < 0 else 1.0 for c in rest]
            else:  # A&E failures among the weaker performers
                w = [profiles[c]["breach_rate"] ** 2 for c in rest]
            year_failing[element] = sorted(kept + weighted_pick(rng, rest, w, n - len(kept)))
        plans[year] = [
            {
                "org_code": code,
                "stf_allocation": allocation,
                "control_total": control_totals[code],
                "control_total_accepted": code not in refused,
            }
            for code, allocation in zip(codes, allocations)
        ]
        failing[year] = year_failing
        previous_refusers, previous_failing = refusers, year_failing
        for code in codes:  # financial health drifts a little from year to year
            profiles[code]["health"] += float(rng.normal(0, 0.3))
    return plans, failing


def finance_returns(rng, trusts, profiles, plans, failing):
    returns = {}
    for index, year in enumerate(YEARS):
        start = datetime.date(2016 + index, 4, 1)
        months = [add_months(start, m) for m in range(MONTHS_RECEIVED[year])]
        control = {p["org_code"]: p for p in plans[year]}
        failing_finance = set(failing[year]["finance"])
        rows = []
        for trust in trusts:
            code = trust["org_code"]
            control_total = float(control[code]["control_total"])
            unit = profiles[code]["turnover"] / 12 * 0.01  # 1% of a month's income
            bow = float(rng.uniform(-0.08, 0.08))
            refused = not control[code]["control_total_accepted"]
            behind = code in failing_finance or (refused and rng.random() < 0.5)
            pace = float(rng.uniform(0.8, 3.0) if behind else rng.uniform(0.2, 1.2))
            recovered_quarter = int(rng.integers(4)) if behind and rng.random() < 0.35 else None
            slips = [not behind and rng.random() < 0.04 for _ in range(4)]
            for m, month in enumerate(months, start=1):
                share = m / 12 + bow * math.sin(math.pi * m / 12)
                plan = control_total * share
                drift = pace * m / 3 * unit + float(rng.normal(0, 0.4)) * unit
                quarter = (m - 1) // 3
                ahead = not behind
                if m % 3 == 0 and (quarter == recovered_quarter or slips[quarter]):
                    ahead = not ahead
                variance = abs(drift) if ahead else -abs(drift) - unit
                forecast = control_total + variance * 12 / m * 0.6
                rows.append({
                    "org_code": code,
                    "month": month,
                    "plan_ytd": round_money(plan),
                    "actual_ytd": round_money(plan + variance),
                    "forecast_outturn": round_money(forecast),
                })
        # Quarter ends must honour "ahead" or "behind" after rounding to £1,000.
        for row in rows:
            if row["actual_ytd"] == row["plan_ytd"]:
                row["actual_ytd"] += THOUSAND if row["org_code"] not in failing_finance else -THOUSAND
        returns[year] = rows
    return returns


def performance(rng, trusts, profiles, failing):
    performance, trajectories = {}, {}
    for index, year in enumerate(YEARS):
        start = datetime.date(2016 + index, 4, 1)
        months = [add_months(start, m) for m in range(12)]
        ae_failing = set(failing[year]["ae"])
        perf_rows, traj_rows = [], []
        for trust in trusts:
            code, kind = trust["org_code"], trust["trust_type"]
            if kind not in ("acute", "specialist"):
                continue
            profile = profiles[code]
            metrics = ["ae", "rtt", "cancer62"] if kind == "acute" else ["rtt", "cancer62"]
            for metric in metrics:
                has_trajectory = rng.random() >= 0.05  # a few trusts agreed none
                if metric == "ae":
                    offset = float(rng.uniform(1.5, 4.0)) if code in ae_failing else -float(rng.uniform(1.0, 2.5))
                elif rng.random() < 0.08:  # an ambitious trajectory, often missed
                    offset = float(rng.uniform(0.5, 2.0))
                else:
                    offset = -float(rng.uniform(0.3, 1.2) if metric == "rtt" else rng.uniform(1.5, 4.0))
                for m, month in enumerate(months):
                    expected = expected_percent(metric, year, m, profile)
                    if has_trajectory:
                        traj_rows.append({
                            "org_code": code, "month": month, "metric": metric,
                            "percent": clip_percent(min(expected + offset, 99.0)),
                        })
                    if m >= MONTHS_RECEIVED[year]:
                        continue
                    numerator, denominator = monthly_return(rng, metric, year, m, profile)
                    perf_rows.append({
                        "org_code": code, "month": month, "metric": metric,
                        "numerator": numerator, "denominator": denominator,
                    })
        performance[year], trajectories[year] = perf_rows, traj_rows
    return performance, trajectories


def finance_director_trust(trusts, plans, failing):
    """An acute trust with a story: on plan financially but failing A&E in 2016-17 (partial)."""
    accepted = {p["org_code"] for p in plans["2016-17"] if p["control_total_accepted"]}
    finance_failing = set(failing["2016-17"]["finance"])
    acute = [t["org_code"] for t in trusts if t["trust_type"] == "acute"]
    for code in failing["2016-17"]["ae"]:
        if code in accepted and code not in finance_failing:
            return code
    return next((c for c in acute if c in accepted), acute[0])
