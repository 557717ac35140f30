"""Real England's simulated RTT and cancer 62-day returns and the trajectories of every metric;
months missing from the published A&E file, simulated from the trust's nearest published ones."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from common.months import add_months

from ..country import MONTHS_RECEIVED, YEARS, clip_percent
from ..draws import expected_percent, monthly_return
from .organisations import METRICS_BY_TYPE, year_start

AE_TRAJECTORY_GAP_CLOSED = 0.25  # a trajectory closes this share of the gap to 95% (assumed)
AE_STANDARD = 95.0


def simulated_performance(england):
    """Each year's simulated RTT and cancer returns, the A&E months missing from the published file,
    and the trajectories of every metric."""
    performance, trajectories = {}, {}
    national = _national_ae(england)
    for year in YEARS:
        members = set(england.members(year))
        start = year_start(year)
        months = [add_months(start, m) for m in range(12)]
        perf_rows, traj_rows = [], []
        for trust in england.trusts:
            code, kind = trust["org_code"], trust["trust_type"]
            if kind not in METRICS_BY_TYPE:
                continue
            for metric in METRICS_BY_TYPE[kind]:
                agreed = code in members and england.rng.random() >= 0.05  # a few trusts agreed none
                offset = _trajectory_offset(england, metric)
                for m, month in enumerate(months):
                    profile = _month_profile(england, code, month)
                    if agreed:
                        target = (_ae_trajectory(england, code, year, month, national) if metric == "ae"
                                  else min(expected_percent(metric, year, m, profile) + offset, 99.0))
                        if target is not None:
                            traj_rows.append({"org_code": code, "month": month, "metric": metric,
                                              "percent": clip_percent(target)})
                    if metric == "ae":
                        if code in members and england.combined_ae(code, month) is None:
                            perf_rows.extend(_ae_gap(england, code, month))
                        continue
                    if m >= MONTHS_RECEIVED[year] or not england.reports(code, month):
                        continue
                    numerator, denominator = monthly_return(england.rng, metric, year, m, profile)
                    perf_rows.append({"org_code": code, "month": month, "metric": metric,
                                      "numerator": numerator, "denominator": denominator})
        performance[year], trajectories[year] = perf_rows, traj_rows
    return performance, trajectories


def _ae_gap(england, code, month):
    """A month missing from the published file, for a trust judged on A&E that year: simulated
    from the trust's nearest published months, so one gap does not hold a quarter (and the
    year end) pending for ever. The row goes in the simulated file, never the published one."""
    near = [england.combined_ae(code, add_months(month, k)) for k in (-1, 1, -2, 2, -12, 12)]
    near = [p for p in near if p is not None and p[1]][:2]
    if not near:
        return []
    denominator = int(round(float(np.mean([p[1] for p in near]))))
    share = float(np.mean([p[0] / p[1] for p in near]))
    england.simulated_ae_gaps.append((code, month))
    return [{"org_code": code, "month": month, "metric": "ae",
             "numerator": int(round(denominator * share)), "denominator": denominator}]


def _trajectory_offset(england, metric):
    rng = england.rng
    if metric == "ae":
        return 0.0
    if rng.random() < 0.08:  # an ambitious trajectory, often missed
        return float(rng.uniform(0.5, 2.0))
    return -float(rng.uniform(0.3, 1.2) if metric == "rtt" else rng.uniform(1.5, 4.0))


def _month_profile(england, code, month):
    """The trust's RTT and cancer caseload in ``month``: its own and what it has taken over."""
    own = england.profiles[code]
    return {"rtt_offset": own.get("rtt_offset", 0.0), "cancer_offset": own.get("cancer_offset", 0.0),
            "rtt_size": england.combined(code, "rtt_size", month),
            "cancer_size": max(england.combined(code, "cancer_size", month), 5.0)}


def _national_ae(england):
    """England's acute trusts' 4-hour performance by month, from the published file."""
    sums = defaultdict(lambda: [0, 0])
    for r in england.ae:
        if england.by_code[r["org_code"]]["trust_type"] == "acute":
            sums[r["month"]][0] += r["numerator"]
            sums[r["month"]][1] += r["denominator"]
    return {month: 100 * n / d for month, (n, d) in sums.items()}


def _ae_trajectory(england, code, year, month, national):
    """Close a share of the gap to 95% from the trust's own earlier figure for the month: in
    2016-17 its April-June level with the national seasonal shape, later the same month a year
    before (predecessors' figures included)."""
    start = year_start(year)
    if year == "2016-17":
        q1 = [add_months(start, m) for m in range(3)]
        level = england.ae_percent(code, q1)
        if level is None:
            return None
        national_q1 = float(np.mean([national[m] for m in q1]))
        reference_value = level + national[month] - national_q1
    else:
        reference_value = england.ae_percent(code, [add_months(month, -12)])
        if reference_value is None:
            reference_value = england.ae_percent(code, [add_months(start, m - 12) for m in range(12)])
        if reference_value is None:
            return None
    target = reference_value + AE_TRAJECTORY_GAP_CLOSED * max(0.0, AE_STANDARD - reference_value)
    return min(target, AE_STANDARD) + float(england.rng.normal(0, 0.5))
