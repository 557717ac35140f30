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

The organisations, their sizes and the published A&E are ``organisations``; the simulated plans
and finance returns ``money``; the simulated RTT, cancer and trajectories ``performance``.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from common.months import add_months
from performance.reference import AE_ATTENDANCES, ae_attendances_bytes
from trusts import reference

from ..country import DEFAULT_SEED, REGIONS, Country, DemoFile
from . import money
from .organisations import England, year_start
from .performance import AE_STANDARD, simulated_performance


def england_country(*, seed: int = DEFAULT_SEED) -> Country:
    """The demo country of real England with the simulated figures of ``seed`` (pure: no database)."""
    rng = np.random.default_rng(seed)
    england = England(rng)
    plans, failing = money.plans(england)
    finance = money.finance_returns(england, plans, failing)
    performance, trajectories = simulated_performance(england)
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
    country.finance_director_org_code = finance_director_trust(england, plans, finance, trajectories)
    return country


def finance_director_trust(england, plans, finance, trajectories):
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
    for trust in england.trusts:
        code = trust["org_code"]
        if trust["trust_type"] != "acute" or code not in accepted or code in behind:
            continue
        for quarter in (2, 3, 4):
            months = [add_months(start, 3 * (quarter - 1) + k) for k in range(3)]
            percent, target = england.ae_percent(code, months), targets.get((code, quarter))
            if percent is not None and target and percent < AE_STANDARD and percent < float(np.mean(target)):
                return code
    return next(c for c in sorted(accepted) if england.by_code[c]["trust_type"] == "acute")
