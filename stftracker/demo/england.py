"""Real England as the demo country: published organisations and A&E, simulated money.

Published (the files in ``trusts/reference`` and ``performance/reference``, see their SOURCES.md):
- the 236 English trusts of the 2016 ODS list with their codes, names and 2016 regions, the trust
  type derived in the reference table, and the 44 STP footprints of 2017/18 (acute trusts from the
  Health Foundation's lookup; other trusts sit in no footprint);
- the mergers of 2017-19 that NHS England's statistics show (``successions.csv``): Manchester
  University NHS FT (R0A) from RW3 and RM2 in October 2017, and three more;
- NHS England's monthly A&E attendances and 4-hour breaches, April 2016 to March 2019, for every
  trust that reported them, read with the same parser as an upload of that file.

Simulated (seeded; no per-trust public source was found), shaped on published national facts:
- allocations (£1.8bn in 2016-17 and 2017-18), control totals summing to the sector's (-£580m in
  2016-17, -£496m planned in 2017-18), 23 refusals in 2016-17;
- monthly finance returns: 29 of the trusts that accepted miss their Q1 2016-17 plan (185 of 214
  met theirs), and the month-12 YTD actuals sum to the sector outturn (-£791m in 2016-17, -£960m
  in 2017-18);
- RTT and cancer 62-day returns, and trajectories (A&E trajectories close a quarter of each trust's
  gap to 95% from its own earlier performance).

Mergers, as the demo stages them: a trust succeeded during a year is not in that year's scheme;
its successor holds the whole year's allocation, control total and finance returns, and is judged
on its own returns plus its predecessors' months before the merger (the engine's rule).
"""
from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import Decimal

import numpy as np

from common.months import add_months
from performance.reference import AE_ATTENDANCES, ae_attendances_bytes, ae_monthly_returns
from trusts import reference

from .country import (
    DEFAULT_SEED,
    MONTHS_RECEIVED,
    PENNY,
    REGIONS,
    THOUSAND,
    YEARS,
    Country,
    DemoFile,
    apportion,
    clip_percent,
    round_money,
    weighted_pick,
)
from .draws import (
    ACUTE_INCOME_PER_ATTENDANCE,
    ALLOCATION_WEIGHT,
    LOG_TURNOVER,
    ZERO_ALLOCATION_SHARE,
    elective_and_cancer_profile,
    expected_percent,
    monthly_return,
    sector_control_totals,
)

FIRST_MONTH = datetime.date(2016, 4, 1)
# Published national facts the simulated money is shaped on.
ALLOCATED = {"2016-17": Decimal("1800000000.00"), "2017-18": Decimal("1800000000.00"),
             "2018-19": Decimal("2350000000.00")}  # 2018-19 keeps some of the £2.45bn PSF unallocated
SECTOR_CONTROL_TOTAL = {"2016-17": -580_000_000, "2017-18": -496_000_000,
                        "2018-19": -450_000_000}  # 2018-19 assumed
SECTOR_OUTTURN = {"2016-17": -791_000_000, "2017-18": -960_000_000}  # sum of month-12 YTD actuals
REFUSALS = {"2016-17": 23, "2017-18": 15, "2018-19": 12}  # 2017-18 and 2018-19 assumed
Q1_2016_17_FINANCE_MISSES = 214 - 185  # of the providers that signed, those that missed Q1 2016/17
PERSISTENT_FINANCE_FAILURES = 27  # accepted trusts behind their plan most quarters (assumed)
AE_TRAJECTORY_GAP_CLOSED = 0.25  # a trajectory closes this share of the gap to 95% (assumed)
AE_STANDARD = 95.0
# In the 2016 list without a close date, but gone before the fund began.
DISSOLVED_BEFORE_2016 = {"RJD"}  # Mid Staffordshire NHS FT, dissolved in 2014
METRICS_BY_TYPE = {"acute": ["ae", "rtt", "cancer62"], "specialist": ["rtt", "cancer62"]}


def year_start(year: str) -> datetime.date:
    return datetime.date(int(year[:4]), 4, 1)


def england_country(*, seed: int = DEFAULT_SEED) -> Country:
    """The demo country of real England with the simulated figures of ``seed`` (pure: no database)."""
    rng = np.random.default_rng(seed)
    england = _England(rng)
    plans, failing = england.plans()
    finance = england.finance(plans, failing)
    performance, trajectories = england.simulated_performance()
    ae_file = DemoFile("ae_tidy", AE_ATTENDANCES.name, ae_attendances_bytes(),
                       sorted({r["org_code"] for r in england.ae}), england.ae_source_rows)
    country = Country(
        seed=seed, scale=1.0, regions=list(REGIONS), footprints=[dict(f) for f in reference.footprints()],
        trusts=england.trusts, plans=plans, finance=finance, performance=performance,
        trajectories=trajectories, finance_director_org_code="", failing=failing,
        successions=england.successions, published_ae=england.ae, published_ae_file=ae_file,
        description=(f"real England: {len(england.trusts)} trusts and {len(england.successions)} mergers, "
                     f"NHS England's published A&E; simulated money, RTT and cancer (seed {seed})"),
    )
    country.ae_gaps = list(england.simulated_ae_gaps)
    country.finance_director_org_code = england.finance_director_trust(plans, finance, trajectories)
    return country


class _England:
    """The organisations, their sizes and the real A&E, and the builders of the simulated rows."""

    def __init__(self, rng):
        self.rng = rng
        self.trusts, self.successions = _organisations()
        self.by_code = {t["org_code"]: t for t in self.trusts}
        self.succeeded_from = {s["predecessor"]: s["effective_from"] for s in self.successions}
        self.predecessors = defaultdict(list)
        for s in self.successions:
            self.predecessors[s["successor"]].append((s["predecessor"], s["effective_from"]))
        self.opened = {s["successor"]: min(d for _, d in self.predecessors[s["successor"]])
                       for s in self.successions if not self.by_code[s["successor"]]["in_ods"]}
        rows = ae_monthly_returns()
        self.ae_source_rows = sum(r["source_rows"] for r in rows)
        self.ae = [{k: r[k] for k in ("org_code", "month", "metric", "numerator", "denominator")}
                   for r in rows if r["org_code"] in self.by_code]
        self.ae_by = {(r["org_code"], r["month"]): (r["numerator"], r["denominator"]) for r in self.ae}
        self.profiles = self._profiles()
        self.simulated_ae_gaps = []

    # --- who exists when ------------------------------------------------------------------------

    def closed(self, code):
        return self.by_code[code]["closed"]

    def reports(self, code, month):
        """Whether the trust itself exists in ``month`` (not closed, opened, not yet merged away)."""
        if self.closed(code) or month < self.opened.get(code, FIRST_MONTH):
            return False
        until = self.succeeded_from.get(code)
        return until is None or month < until

    def in_scheme_year(self, code, year):
        """A trust holds the year's plan unless closed, formed after the year, or merged away in it."""
        after = add_months(year_start(year), 12)
        if self.closed(code) or self.opened.get(code, FIRST_MONTH) >= after:
            return False
        until = self.succeeded_from.get(code)
        return until is None or until >= after

    def members(self, year):
        return [t["org_code"] for t in self.trusts if self.in_scheme_year(t["org_code"], year)]

    def lineage(self, code, until=None):
        """The trust's predecessors at any depth, each with the first month no longer its own."""
        for predecessor, effective_from in self.predecessors.get(code, []):
            cutoff = effective_from if until is None else min(until, effective_from)
            yield predecessor, cutoff
            yield from self.lineage(predecessor, cutoff)

    def absorbed(self, code, month):
        """The trust and every predecessor whose services it provides in ``month``."""
        return [code] + [p for p, cutoff in self.lineage(code) if month >= cutoff]

    def combined_ae(self, code, month):
        """The trust's A&E for ``month`` with its predecessors' folded in (the engine's rule)."""
        parts = [self.ae_by.get((code, month))]
        parts += [self.ae_by.get((p, month)) for p, cutoff in self.lineage(code) if month < cutoff]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    # --- sizes ----------------------------------------------------------------------------------

    def _profiles(self):
        rng = self.rng
        attendances = defaultdict(list)
        for r in self.ae:
            if r["month"] < datetime.date(2017, 4, 1):
                attendances[r["org_code"]].append(r["denominator"])
        profiles = {}
        for trust in self.trusts:
            code, kind = trust["org_code"], trust["trust_type"]
            profile = {"own": trust["in_ods"]}
            if kind == "acute":
                monthly = float(np.mean(attendances[code])) if attendances[code] else 8000.0
                profile["attendances"] = monthly if trust["in_ods"] else 0.0
                profile["turnover"] = monthly * ACUTE_INCOME_PER_ATTENDANCE * float(rng.lognormal(0, 0.15)) * 12
            else:
                profile["turnover"] = float(rng.lognormal(*LOG_TURNOVER[kind]))
            if not trust["in_ods"]:
                profile["turnover"] = 0.0
            profile["health"] = float(rng.normal(0, 1)) + (-0.35 if kind == "acute" else 0.3)
            if kind in METRICS_BY_TYPE:
                profile.update(elective_and_cancer_profile(rng, kind, profile.get("attendances")))
                if not trust["in_ods"]:
                    profile["rtt_size"] = profile["cancer_size"] = 0.0
            weight = profile["turnover"] * ALLOCATION_WEIGHT[kind] * float(rng.lognormal(0, 0.25))
            if rng.random() < ZERO_ALLOCATION_SHARE.get(kind, 0):
                weight = 0.0
            profile["weight"] = weight
            profiles[code] = profile
        # A trust formed by a merger takes its predecessors' performance levels and health.
        for code, links in self.predecessors.items():
            if not self.by_code[code]["in_ods"]:
                names = [p for p, _ in links]
                for key in ("rtt_offset", "cancer_offset", "health"):
                    if all(key in profiles[p] for p in names):
                        profiles[code][key] = float(np.mean([profiles[p][key] for p in names]))
        return profiles

    def combined(self, code, key, month):
        """A size (turnover, weight, RTT or cancer caseload) of everything the trust provides."""
        return sum(self.profiles[c].get(key, 0.0) for c in self.absorbed(code, month))

    # --- plans ----------------------------------------------------------------------------------

    def plans(self):
        rng = self.rng
        plans, failing = {}, {}
        previous_refusers, previous_failing = [], []
        for year in YEARS:
            codes = self.members(year)
            last = add_months(year_start(year), 11)
            weights = [self.combined(c, "weight", last) * (float(rng.lognormal(0, 0.1)) if year != "2016-17" else 1.0)
                       for c in codes]
            allocations = apportion(ALLOCATED[year], weights, codes)
            year_profiles = {c: {"health": self.profiles[c]["health"], "turnover": self.combined(c, "turnover", last)}
                             for c in codes}
            totals = sector_control_totals(rng, codes, year_profiles, float(SECTOR_CONTROL_TOTAL[year]))
            n_refuse = REFUSALS[year]
            repeat = [c for c in previous_refusers if c in totals and rng.random() < 0.5][:n_refuse]
            candidates = [c for c in codes if c not in repeat]
            refused = set(repeat) | set(weighted_pick(
                rng, candidates, [6.0 if totals[c] < 0 else 1.0 for c in candidates], n_refuse - len(repeat)))
            accepted = [c for c in codes if c not in refused]
            kept = [c for c in previous_failing if c in accepted and rng.random() < 0.75]
            rest = [c for c in accepted if c not in kept]
            persistent = sorted(kept + weighted_pick(
                rng, rest, [4.0 if totals[c] < 0 else 1.0 for c in rest], PERSISTENT_FINANCE_FAILURES - len(kept)))
            plans[year] = [{"org_code": c, "stf_allocation": a, "control_total": totals[c],
                            "control_total_accepted": c not in refused} for c, a in zip(codes, allocations)]
            failing[year] = {"finance": persistent}
            previous_refusers, previous_failing = sorted(refused), persistent
            for code in self.profiles:
                self.profiles[code]["health"] += float(rng.normal(0, 0.3))
        return plans, failing

    # --- finance returns ------------------------------------------------------------------------

    def finance(self, plans, failing):
        return {year: self._finance_year(year, plans[year], set(failing[year]["finance"])) for year in YEARS}

    def _finance_year(self, year, plans, persistent):
        rng = self.rng
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
            unit = max(self.combined(code, "turnover", last), 1e6) / 12 * 0.01  # 1% of a month's income
            pace = float(rng.uniform(0.8, 3.0) if behind else rng.uniform(0.2, 1.2))
            trusts.append({"plan": plan, "states": states, "unit": unit, "size": 4 * pace * unit + unit,
                           "bow": float(rng.uniform(-0.08, 0.08)), "noise": rng.normal(0, 0.4, 12)})
        if year == "2016-17":
            self._exact_q1_misses(trusts)
        if year in SECTOR_OUTTURN and len(months) == 12:
            self._reach_outturn(trusts, SECTOR_OUTTURN[year])
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
            self._exact_outturn(rows, trusts, months[-1], SECTOR_OUTTURN[year])
        return rows

    def _exact_q1_misses(self, trusts):
        """Exactly as many accepted trusts behind at June 2016 as published."""
        accepted = [t for t in trusts if t["plan"]["control_total_accepted"]]
        behind = [t for t in accepted if t["states"][0]]
        ahead = [t for t in accepted if not t["states"][0]]
        gap = Q1_2016_17_FINANCE_MISSES - len(behind)
        pool = ahead if gap > 0 else behind
        for i in sorted(self.rng.choice(len(pool), size=min(abs(gap), len(pool)), replace=False)):
            pool[int(i)]["states"][0] = not pool[int(i)]["states"][0]

    def _reach_outturn(self, trusts, outturn):
        """Scale the shortfalls of trusts behind at March so the sector's outturn is as published."""
        shortfall_needed = outturn - sum(float(t["plan"]["control_total"]) for t in trusts)
        ahead = sum(t["size"] for t in trusts if not t["states"][3])
        behind = sum(t["size"] for t in trusts if t["states"][3])
        factor = (ahead - shortfall_needed) / behind if behind else 1.0
        if factor > 0:
            for t in trusts:
                if t["states"][3]:
                    t["size"] *= factor

    def _exact_outturn(self, rows, trusts, march, outturn):
        """The rounding difference goes to the largest shortfall, so the sector sum is exact."""
        year_end = [r for r in rows if r["month"] == march]
        difference = Decimal(outturn).quantize(PENNY) - sum(r["actual_ytd"] for r in year_end)
        behind = {t["plan"]["org_code"] for t in trusts if t["states"][3]}
        candidates = [r for r in year_end if r["org_code"] in behind] or year_end
        biggest = min(candidates, key=lambda r: (r["actual_ytd"] - r["plan_ytd"], r["org_code"]))
        biggest["actual_ytd"] += difference

    # --- RTT, cancer and trajectories -----------------------------------------------------------

    def simulated_performance(self):
        performance, trajectories = {}, {}
        national = self._national_ae()
        for year in YEARS:
            members = set(self.members(year))
            start = year_start(year)
            months = [add_months(start, m) for m in range(12)]
            perf_rows, traj_rows = [], []
            for trust in self.trusts:
                code, kind = trust["org_code"], trust["trust_type"]
                if kind not in METRICS_BY_TYPE:
                    continue
                for metric in METRICS_BY_TYPE[kind]:
                    agreed = code in members and self.rng.random() >= 0.05  # a few trusts agreed none
                    offset = self._trajectory_offset(metric)
                    for m, month in enumerate(months):
                        profile = self._month_profile(code, month)
                        if agreed:
                            target = (self._ae_trajectory(code, year, month, national) if metric == "ae"
                                      else min(expected_percent(metric, year, m, profile) + offset, 99.0))
                            if target is not None:
                                traj_rows.append({"org_code": code, "month": month, "metric": metric,
                                                  "percent": clip_percent(target)})
                        if metric == "ae":
                            if code in members and self.combined_ae(code, month) is None:
                                perf_rows.extend(self._ae_gap(code, month))
                            continue
                        if m >= MONTHS_RECEIVED[year] or not self.reports(code, month):
                            continue
                        numerator, denominator = monthly_return(self.rng, metric, year, m, profile)
                        perf_rows.append({"org_code": code, "month": month, "metric": metric,
                                          "numerator": numerator, "denominator": denominator})
            performance[year], trajectories[year] = perf_rows, traj_rows
        return performance, trajectories

    def _ae_gap(self, code, month):
        """A month missing from the published file, for a trust judged on A&E that year: simulated
        from the trust's nearest published months, so one gap does not hold a quarter (and the
        year end) pending for ever. The row goes in the simulated file, never the published one."""
        near = [self.combined_ae(code, add_months(month, k)) for k in (-1, 1, -2, 2, -12, 12)]
        near = [p for p in near if p is not None and p[1]][:2]
        if not near:
            return []
        denominator = int(round(float(np.mean([p[1] for p in near]))))
        share = float(np.mean([p[0] / p[1] for p in near]))
        self.simulated_ae_gaps.append((code, month))
        return [{"org_code": code, "month": month, "metric": "ae",
                 "numerator": int(round(denominator * share)), "denominator": denominator}]

    def _trajectory_offset(self, metric):
        rng = self.rng
        if metric == "ae":
            return 0.0
        if rng.random() < 0.08:  # an ambitious trajectory, often missed
            return float(rng.uniform(0.5, 2.0))
        return -float(rng.uniform(0.3, 1.2) if metric == "rtt" else rng.uniform(1.5, 4.0))

    def _month_profile(self, code, month):
        """The trust's RTT and cancer caseload in ``month``: its own and what it has taken over."""
        own = self.profiles[code]
        return {"rtt_offset": own.get("rtt_offset", 0.0), "cancer_offset": own.get("cancer_offset", 0.0),
                "rtt_size": self.combined(code, "rtt_size", month),
                "cancer_size": max(self.combined(code, "cancer_size", month), 5.0)}

    def _national_ae(self):
        """England's acute trusts' 4-hour performance by month, from the published file."""
        sums = defaultdict(lambda: [0, 0])
        for r in self.ae:
            if self.by_code[r["org_code"]]["trust_type"] == "acute":
                sums[r["month"]][0] += r["numerator"]
                sums[r["month"]][1] += r["denominator"]
        return {month: 100 * n / d for month, (n, d) in sums.items()}

    def _ae_percent(self, code, months):
        parts = [self.combined_ae(code, month) for month in months]
        parts = [p for p in parts if p is not None and p[1]]
        if not parts:
            return None
        return 100 * sum(p[0] for p in parts) / sum(p[1] for p in parts)

    def _ae_trajectory(self, code, year, month, national):
        """Close a share of the gap to 95% from the trust's own earlier figure for the month: in
        2016-17 its April-June level with the national seasonal shape, later the same month a year
        before (predecessors' figures included)."""
        start = year_start(year)
        if year == "2016-17":
            q1 = [add_months(start, m) for m in range(3)]
            level = self._ae_percent(code, q1)
            if level is None:
                return None
            national_q1 = float(np.mean([national[m] for m in q1]))
            reference_value = level + national[month] - national_q1
        else:
            reference_value = self._ae_percent(code, [add_months(month, -12)])
            if reference_value is None:
                reference_value = self._ae_percent(code, [add_months(start, m - 12) for m in range(12)])
            if reference_value is None:
                return None
        target = reference_value + AE_TRAJECTORY_GAP_CLOSED * max(0.0, AE_STANDARD - reference_value)
        return min(target, AE_STANDARD) + float(self.rng.normal(0, 0.5))

    # --- the finance director's trust -----------------------------------------------------------

    def finance_director_trust(self, plans, finance, trajectories):
        """An acute trust with a story: on plan all 2016-17 but missing A&E in a quarter (partial)."""
        year = "2016-17"
        start = year_start(year)
        accepted = {p["org_code"] for p in plans[year] if p["control_total_accepted"] and p["stf_allocation"] > 0}
        behind = {r["org_code"] for r in finance[year] if r["month"].month in (6, 9, 12, 3)
                  and r["actual_ytd"] < r["plan_ytd"]}
        targets = defaultdict(list)
        for r in trajectories[year]:
            if r["metric"] == "ae":
                targets[(r["org_code"], (r["month"].month - 4) % 12 // 3 + 1)].append(float(r["percent"]))
        for trust in self.trusts:
            code = trust["org_code"]
            if trust["trust_type"] != "acute" or code not in accepted or code in behind:
                continue
            for quarter in (2, 3, 4):
                months = [add_months(start, 3 * (quarter - 1) + k) for k in range(3)]
                percent, target = self._ae_percent(code, months), targets.get((code, quarter))
                if percent is not None and target and percent < AE_STANDARD and percent < float(np.mean(target)):
                    return code
        return next(c for c in sorted(accepted) if self.by_code[c]["trust_type"] == "acute")


def _organisations():
    """The 2016 ODS trusts, and the trusts formed by the mergers in ``successions.csv``."""
    footprint_regions = {f["code"]: f["region"] for f in reference.footprints()}
    lookup = reference.stp_lookup()
    links = reference.successions()
    predecessors = {s.predecessor for s in links}
    trusts = []
    for t in reference.english_trusts():
        closed = bool(t.close_date and t.close_date < FIRST_MONTH) or t.org_code in DISSOLVED_BEFORE_2016
        trusts.append({"org_code": t.org_code, "name": t.name, "trust_type": t.trust_type, "region": t.region,
                       "footprint": t.footprint, "active": not closed and t.org_code not in predecessors,
                       "closed": closed, "in_ods": True})
    types = {t["org_code"]: t["trust_type"] for t in trusts}
    known = set(types)
    for s in links:
        if s.successor in known:
            continue
        footprint = lookup[s.successor]["stp_code"]
        trusts.append({"org_code": s.successor, "name": s.successor_name, "trust_type": types[s.predecessor],
                       "region": footprint_regions[footprint], "footprint": footprint, "active": True,
                       "closed": False, "in_ods": False})
        known.add(s.successor)
    trusts.sort(key=lambda t: t["org_code"])
    successions = [{"predecessor": s.predecessor, "successor": s.successor, "effective_from": s.effective_from}
                   for s in links]
    return trusts, successions
