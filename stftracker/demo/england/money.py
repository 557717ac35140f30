"""Real England's simulated money: each year's plans (allocations, control totals, refusals) and
the monthly finance returns, shaped on the published national facts (see the package's docstring)."""
from __future__ import annotations

import math
from decimal import Decimal

from common.months import add_months

from ..country import MONTHS_RECEIVED, PENNY, THOUSAND, YEARS, apportion, round_money, weighted_pick
from ..draws import sector_control_totals
from .organisations import year_start

# Published national facts the simulated money is shaped on.
ALLOCATED = {"2016-17": Decimal("1800000000.00"), "2017-18": Decimal("1800000000.00"),
             "2018-19": Decimal("2350000000.00")}  # 2018-19 keeps some of the £2.45bn PSF unallocated
SECTOR_CONTROL_TOTAL = {"2016-17": -580_000_000, "2017-18": -496_000_000,
                        "2018-19": -450_000_000}  # 2018-19 assumed
SECTOR_OUTTURN = {"2016-17": -791_000_000, "2017-18": -960_000_000}  # sum of month-12 YTD actuals
REFUSALS = {"2016-17": 23, "2017-18": 15, "2018-19": 12}  # 2017-18 and 2018-19 assumed
Q1_2016_17_FINANCE_MISSES = 214 - 185  # of the providers that signed, those that missed Q1 2016/17
PERSISTENT_FINANCE_FAILURES = 27  # accepted trusts behind their plan most quarters (assumed)


def plans(england):
    """Each year's plans of the trusts in its scheme, and the accepted trusts persistently behind them."""
    rng = england.rng
    plans, failing = {}, {}
    previous_refusers, previous_failing = [], []
    for year in YEARS:
        codes = england.members(year)
        last = add_months(year_start(year), 11)
        weights = [england.combined(c, "weight", last) * (float(rng.lognormal(0, 0.1)) if year != "2016-17" else 1.0)
                   for c in codes]
        allocations = apportion(ALLOCATED[year], weights, codes)
        year_profiles = {c: {"health": england.profiles[c]["health"], "turnover": england.combined(c, "turnover", last)}
                         for c in codes}
        totals = sector_control_totals(rng, codes, year_profiles, float(SECTOR_CONTROL_TOTAL[year]))
        n_refuse = REFUSALS[year]
        # The published refusals and failures are of trusts in the scheme: a £0.00 allocation is not in it.
        in_scheme = {c for c, a in zip(codes, allocations) if a > 0}
        repeat = [c for c in previous_refusers if c in totals and c in in_scheme and rng.random() < 0.5][:n_refuse]
        candidates = [c for c in codes if c not in repeat and c in in_scheme]
        refused = set(repeat) | set(weighted_pick(
            rng, candidates, [6.0 if totals[c] < 0 else 1.0 for c in candidates], n_refuse - len(repeat)))
        accepted = [c for c in codes if c not in refused and c in in_scheme]
        kept = [c for c in previous_failing if c in accepted and rng.random() < 0.75]
        rest = [c for c in accepted if c not in kept]
        persistent = sorted(kept + weighted_pick(
            rng, rest, [4.0 if totals[c] < 0 else 1.0 for c in rest], PERSISTENT_FINANCE_FAILURES - len(kept)))
        plans[year] = [{"org_code": c, "stf_allocation": a, "control_total": totals[c],
                        "control_total_accepted": c not in refused} for c, a in zip(codes, allocations)]
        failing[year] = {"finance": persistent}
        previous_refusers, previous_failing = sorted(refused), persistent
        for code in england.profiles:
            england.profiles[code]["health"] += float(rng.normal(0, 0.3))
    return plans, failing


def finance_returns(england, plans, failing):
    """Each year's monthly finance returns against its plans."""
    return {year: _finance_year(england, year, plans[year], set(failing[year]["finance"])) for year in YEARS}


def _finance_year(england, year, plans, persistent):
    rng = england.rng
    months = [add_months(year_start(year), m) for m in range(MONTHS_RECEIVED[year])]
    last = add_months(year_start(year), 11)
    trusts = []
    for plan in plans:
        code = plan["org_code"]
        refused = not plan["control_total_accepted"]
        behind = code in persistent or (refused and rng.random() < 0.5)
        recovered = int(rng.integers(4)) if behind and rng.random() < 0.35 else None
        slips = [not behind and rng.random() < 0.04 for _ in range(4)]
        states = [(behind ^ (q == recovered)) ^ slips[q] for q in range(4)]  # behind at each quarter end
        unit = max(england.combined(code, "turnover", last), 1e6) / 12 * 0.01  # 1% of a month's income
        pace = float(rng.uniform(0.8, 3.0) if behind else rng.uniform(0.2, 1.2))
        trusts.append({"plan": plan, "states": states, "unit": unit, "size": 4 * pace * unit + unit,
                       "bow": float(rng.uniform(-0.08, 0.08)), "noise": rng.normal(0, 0.4, 12)})
    if year == "2016-17":
        _exact_q1_misses(england, trusts)
    if year in SECTOR_OUTTURN and len(months) == 12:
        _reach_outturn(trusts, SECTOR_OUTTURN[year])
    rows = []
    for t in trusts:
        plan, control = t["plan"], float(t["plan"]["control_total"])
        for m, month in enumerate(months, start=1):
            quarter = (m - 1) // 3
            sign = -1.0 if t["states"][quarter] else 1.0
            if m % 3 == 0:
                variance = sign * max(t["size"] * m / 12, t["unit"])
            else:
                variance = sign * t["size"] * m / 12 + float(t["noise"][m - 1]) * t["unit"]
            plan_ytd = plan["control_total"] if m == 12 else round_money(
                control * (m / 12 + t["bow"] * math.sin(math.pi * m / 12)))
            actual = round_money(float(plan_ytd) + variance)
            if m % 3 == 0 and actual == plan_ytd:
                actual += -THOUSAND if t["states"][quarter] else THOUSAND
            rows.append({"org_code": plan["org_code"], "month": month, "plan_ytd": plan_ytd,
                         "actual_ytd": actual, "forecast_outturn": round_money(control + variance * 12 / m * 0.6)})
    if year in SECTOR_OUTTURN and len(months) == 12:
        _exact_outturn(rows, trusts, months[-1], SECTOR_OUTTURN[year])
    return rows


def _exact_q1_misses(england, trusts):
    """Exactly as many accepted trusts in the scheme behind at June 2016 as published."""
    accepted = [t for t in trusts if t["plan"]["control_total_accepted"] and t["plan"]["stf_allocation"] > 0]
    behind = [t for t in accepted if t["states"][0]]
    ahead = [t for t in accepted if not t["states"][0]]
    gap = Q1_2016_17_FINANCE_MISSES - len(behind)
    pool = ahead if gap > 0 else behind
    for i in sorted(england.rng.choice(len(pool), size=min(abs(gap), len(pool)), replace=False)):
        pool[int(i)]["states"][0] = not pool[int(i)]["states"][0]


def _reach_outturn(trusts, outturn):
    """Scale the shortfalls of trusts behind at March so the sector's outturn is as published."""
    shortfall_needed = outturn - sum(float(t["plan"]["control_total"]) for t in trusts)
    ahead = sum(t["size"] for t in trusts if not t["states"][3])
    behind = sum(t["size"] for t in trusts if t["states"][3])
    factor = (ahead - shortfall_needed) / behind if behind else 1.0
    if factor > 0:
        for t in trusts:
            if t["states"][3]:
                t["size"] *= factor


def _exact_outturn(rows, trusts, march, outturn):
    """The rounding difference goes to the largest shortfall, so the sector sum is exact."""
    year_end = [r for r in rows if r["month"] == march]
    difference = Decimal(outturn).quantize(PENNY) - sum(r["actual_ytd"] for r in year_end)
    behind = {t["plan"]["org_code"] for t in trusts if t["states"][3]}
    candidates = [r for r in year_end if r["org_code"] in behind] or year_end
    biggest = min(candidates, key=lambda r: (r["actual_ytd"] - r["plan_ytd"], r["org_code"]))
    biggest["actual_ytd"] += difference
