"""The synthetic demo country: a seeded national data set generated from fitted parameters, for
scale tests and benchmarks (``load_demo --synthetic --scale``). The default demo is real England
(``england``); this one invents its trusts (``shape``) and all of their figures (``figures``, drawn
with ``draws``).

``generate_country(seed=..., scale=...)`` is pure (no database): the same seed and scale give the
same rows, byte for byte.

Where the parameters come from (the public files are in ``trusts/reference`` and
``performance/reference``, with their sources):
- Trust counts by type and region: the 2016/17 ODS trust list with derived trust types.
- STP footprints per region (North 9, Midlands and East 17, London 5, South 13): the 2017/18 list.
- A&E: per-trust monthly attendances are log-normal (fitted to acute trusts, 2016/17); the
  per-trust share of attendances over four hours is log-normal (fitted likewise); the national
  month-by-month breach index and attendance profile of each year are those of acute trusts in
  NHS England's published A&E statistics (acute trusts 87.1% within four hours in 2016/17).
- RTT, cancer 62-day, allocations and control totals per trust were not found in public data:
  their parameters are assumptions sized on the published national picture (RTT around 90%,
  cancer 62-day around 82%, £1.8bn of sustainability funding mostly to acute trusts, a £580m sector
  deficit control total, 23 trusts refusing their control totals in 2016/17).
"""
from __future__ import annotations

import numpy as np

from ..country import DEFAULT_SEED, REGIONS, Country
from . import figures, shape


def generate_country(*, seed: int = DEFAULT_SEED, scale: float = 1.0) -> Country:
    """A whole national data set; ``scale`` < 1 gives a smaller country for quick checks."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    rng = np.random.default_rng(seed)
    footprints, trusts = shape.organisations(rng, scale)
    profiles = figures.trust_profiles(rng, trusts)
    plans, failing = figures.plans(rng, trusts, profiles, scale)
    finance = figures.finance_returns(rng, trusts, profiles, plans, failing)
    performance, trajectories = figures.performance(rng, trusts, profiles, failing)
    return Country(
        seed=seed,
        scale=scale,
        regions=list(REGIONS),
        footprints=footprints,
        trusts=trusts,
        plans=plans,
        finance=finance,
        performance=performance,
        trajectories=trajectories,
        finance_director_org_code=figures.finance_director_trust(trusts, plans, failing),
        failing=failing,
        description=f"synthetic: {len(trusts)} invented trusts, every figure simulated (seed {seed}, scale {scale:g})",
    )
