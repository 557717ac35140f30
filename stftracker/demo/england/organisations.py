"""Real England's organisations as the demo stages them (see the package's docstring): the trusts
of the 2016 ODS list and those formed by the mergers, who exists when, their sizes, and their
published A&E. Pure: no database."""
from __future__ import annotations

import datetime
from collections import defaultdict

import numpy as np

from common.months import add_months
from performance.reference import ae_monthly_returns
from trusts import reference

from ..draws import (
    ACUTE_INCOME_PER_ATTENDANCE,
    ALLOCATION_WEIGHT,
    LOG_TURNOVER,
    ZERO_ALLOCATION_SHARE,
    elective_and_cancer_profile,
)

FIRST_MONTH = datetime.date(2016, 4, 1)
# In the 2016 list without a close date, but gone before the fund began.
DISSOLVED_BEFORE_2016 = {"RJD"}  # Mid Staffordshire NHS FT, dissolved in 2014
METRICS_BY_TYPE = {"acute": ["ae", "rtt", "cancer62"], "specialist": ["rtt", "cancer62"]}


def year_start(year: str) -> datetime.date:
    return datetime.date(int(year[:4]), 4, 1)


class England:
    """The organisations, their sizes and the real A&E, which the simulated figures are built on."""

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

    def ae_percent(self, code, months):
        """The trust's A&E 4-hour percentage over ``months``, predecessors' figures folded in."""
        parts = [self.combined_ae(code, month) for month in months]
        parts = [p for p in parts if p is not None and p[1]]
        if not parts:
            return None
        return 100 * sum(p[0] for p in parts) / sum(p[1] for p in parts)


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
