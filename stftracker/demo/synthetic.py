"""The synthetic demo country: a seeded national data set generated from fitted parameters, for
scale tests and benchmarks (``load_demo --synthetic --scale``). The default demo is real England
(``england.py``); this one invents its trusts and all of their figures.

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

import datetime
import math
from decimal import Decimal

import numpy as np

from common.months import add_months

from .country import (
    DEFAULT_SEED,
    MONTHS_RECEIVED,
    PENNY,
    REGIONS,
    THOUSAND,
    YEARS,
    Country,
    apportion,
    clip_percent,
    round_money,
    weighted_pick,
)

STPS_PER_REGION = {"Y54": 9, "Y55": 17, "Y56": 5, "Y57": 13}
FIRST_STP_CODE = 5  # E54000005
TRUST_TYPES = ["acute", "specialist", "mental_health", "community", "ambulance"]
# Trusts by type and region (North, Midlands and East, London, South) in 2016/17.
TRUST_COUNTS = {
    "acute": {"Y54": 43, "Y55": 41, "Y56": 19, "Y57": 35},
    "specialist": {"Y54": 7, "Y55": 5, "Y56": 5, "Y57": 1},
    "mental_health": {"Y54": 14, "Y55": 16, "Y56": 9, "Y57": 12},
    "community": {"Y54": 4, "Y55": 8, "Y56": 2, "Y57": 5},
    "ambulance": {"Y54": 3, "Y55": 3, "Y56": 1, "Y57": 3},
}
# Share of non-acute trusts of each type that sit in an STP footprint (acute trusts all do).
IN_FOOTPRINT = {"specialist": 0.2, "mental_health": 0.3, "community": 0.3, "ambulance": 0.0}

# --- A&E, fitted to acute trusts in NHS England's A&E statistics ------------------------------
AE_LOG_ATTENDANCES = (9.278, 0.465)  # monthly attendances per trust: log-normal mean, sd
AE_LOG_BREACH_RATE = (-2.154, 0.469)  # 2016/17 share over four hours per trust: log-normal
AE_BASE_WITHIN = 0.8707  # acute trusts, England, 2016/17, within four hours
# England, all types, 2016/17: the demo's national figure is calibrated to it, since the demo
# trusts stand for the whole of England's A&E activity (their minor injury units included).
AE_ENGLAND_WITHIN = 0.8913
AE_NATIONAL_WITHIN = {  # acute trusts, England, April..March
    "2016-17": [0.8802, 0.884, 0.8872, 0.8835, 0.8918, 0.8886, 0.8701, 0.8625, 0.8366, 0.8248, 0.8528, 0.8828],
    "2017-18": [0.8883, 0.8792, 0.8909, 0.887, 0.887, 0.8797, 0.8838, 0.871, 0.8271, 0.8274, 0.8245, 0.8197],
    "2018-19": [0.8662, 0.8875, 0.8916, 0.8751, 0.8798, 0.8715, 0.8724, 0.8567, 0.8428, 0.8182, 0.8168, 0.8444],
}
AE_ATTENDANCE_PROFILE = {  # month / mean month
    "2016-17": [0.949, 1.059, 1.002, 1.059, 0.987, 1.002, 1.03, 0.984, 1.005, 0.983, 0.898, 1.043],
    "2017-18": [0.969, 1.032, 0.994, 1.041, 0.974, 0.973, 1.039, 1.01, 1.022, 1.003, 0.913, 1.03],
    "2018-19": [0.957, 1.041, 1.005, 1.051, 0.966, 0.972, 1.007, 0.989, 0.993, 1.024, 0.946, 1.05],
}
AE_GROWTH = {"2016-17": 1.0, "2017-18": 1.025, "2018-19": 1.05}
AE_MONTHLY_NOISE = 0.10  # sd of the log breach rate month to month
AE_TRUST_YEAR_DRIFT = 0.12  # sd of a trust's log breach rate from one year to the next

# --- RTT and cancer (assumptions: national level and trend as published, spread assumed) ------
RTT_LEVEL = {"2016-17": 90.6, "2017-18": 89.0, "2018-19": 87.8}
RTT_TRUST_SD = 2.3
CANCER_LEVEL = {"2016-17": 82.5, "2017-18": 82.0, "2018-19": 80.0}
CANCER_TRUST_SD = 4.0

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
LOG_TURNOVER = {  # annual income, £: log-normal mean, sd (acute sized from A&E attendances)
    "specialist": (math.log(220e6), 0.5),
    "mental_health": (math.log(180e6), 0.45),
    "community": (math.log(130e6), 0.45),
    "ambulance": (math.log(220e6), 0.3),
}
ACUTE_INCOME_PER_ATTENDANCE = 2600  # annual income per monthly attendance, £ (about £330m median)
ALLOCATION_WEIGHT = {"acute": 1.0, "specialist": 0.5, "ambulance": 0.8, "mental_health": 0.08, "community": 0.08}
ZERO_ALLOCATION_SHARE = {"mental_health": 0.45, "community": 0.45}

# --- Names ---------------------------------------------------------------------------------------
PLACES = {
    "Y54": [
        "Airedale", "Barnsley", "Blackpool", "Bolton", "Bradford", "Calderdale", "Carlisle", "Chesterfield",
        "Darlington", "Doncaster", "Durham", "Gateshead", "Grimsby", "Halifax", "Harrogate", "Hull", "Kendal",
        "Lancaster", "Leeds", "Macclesfield", "Middlesbrough", "Morecambe", "Newcastle", "Northallerton",
        "Oldham", "Preston", "Rochdale", "Rotherham", "Salford", "Scarborough", "Sheffield", "Southport",
        "Stockport", "Sunderland", "Tameside", "Wakefield", "Warrington", "Whitby", "Wigan", "Wirral", "York",
        "Bury", "Crewe", "Huddersfield",
    ],
    "Y55": [
        "Bedford", "Birmingham", "Boston", "Burton", "Cambridge", "Chelmsford", "Colchester", "Coventry",
        "Derby", "Dudley", "Grantham", "Hereford", "Huntingdon", "Ipswich", "Kettering", "King's Lynn",
        "Leicester", "Lincoln", "Luton", "Mansfield", "Northampton", "Norwich", "Nottingham", "Peterborough",
        "Redditch", "Shrewsbury", "Solihull", "Southend", "Stafford", "Stoke", "Telford", "Walsall",
        "Warwick", "Watford", "Wolverhampton", "Worcester", "Yarmouth", "Basildon", "Harlow", "Stevenage",
        "Rugby", "Loughborough",
    ],
    "Y56": [
        "Barnet", "Camden", "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith",
        "Haringey", "Harrow", "Hillingdon", "Homerton", "Islington", "Kingston", "Lambeth", "Lewisham",
        "Newham", "Romford", "Southwark", "Stepney", "Sutton", "Tooting", "Whitechapel", "Wimbledon",
        "Bloomsbury", "Chelsea", "Paddington", "Woolwich", "Hounslow", "Bromley",
    ],
    "Y57": [
        "Ashford", "Basingstoke", "Bath", "Bournemouth", "Brighton", "Bristol", "Canterbury", "Cheltenham",
        "Chichester", "Dorchester", "Eastbourne", "Exeter", "Frimley", "Gloucester", "Guildford", "Hastings",
        "Maidstone", "Margate", "Oxford", "Plymouth", "Poole", "Portsmouth", "Reading", "Salisbury",
        "Slough", "Southampton", "Swindon", "Taunton", "Torbay", "Truro", "Winchester", "Worthing", "Yeovil",
        "Barnstaple", "Crawley", "Dartford", "Redhill", "Weston", "Banbury", "Newbury",
    ],
}
COMPASS = ("North", "South", "East", "West")
AMBULANCE_AREAS = {
    "Y54": ["North East", "North West", "Yorkshire"],
    "Y55": ["West Midlands", "East Midlands", "East of England"],
    "Y56": ["London"],
    "Y57": ["South Western", "South Central", "South East Coast"],
}
NAME_FORMS = {
    "acute": [
        "{p} Hospitals NHS Foundation Trust", "{p} Teaching Hospitals NHS Foundation Trust",
        "University Hospitals of {p} NHS Trust", "{p} Hospital NHS Foundation Trust",
        "{p} and District NHS Foundation Trust", "{p} Hospitals NHS Trust",
    ],
    "specialist": [
        "{p} Children's Hospital NHS Foundation Trust", "{p} Heart and Chest Hospital NHS Foundation Trust",
        "{p} Orthopaedic Hospital NHS Foundation Trust", "{p} Cancer Centre NHS Foundation Trust",
        "{p} Women's Hospital NHS Foundation Trust", "{p} Eye Hospital NHS Foundation Trust",
    ],
    "mental_health": [
        "{p} Partnership NHS Foundation Trust", "{p} Mental Health NHS Foundation Trust",
        "{p} Health and Care NHS Foundation Trust", "{p} Care NHS Trust",
    ],
    "community": ["{p} Community Health Services NHS Trust", "{p} Community Healthcare NHS Trust"],
}

# --- The generator (pure) ------------------------------------------------------------------------


def generate_country(*, seed: int = DEFAULT_SEED, scale: float = 1.0) -> Country:
    """A whole national data set; ``scale`` < 1 gives a smaller country for quick checks."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    rng = np.random.default_rng(seed)
    footprints, trusts = _organisations(rng, scale)
    profiles = _trust_profiles(rng, trusts)
    plans, failing = _plans(rng, trusts, profiles, scale)
    finance = _finance_returns(rng, trusts, profiles, plans, failing)
    performance, trajectories = _performance(rng, trusts, profiles, failing)
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
        finance_director_org_code=_pick_finance_director_trust(trusts, plans, failing),
        failing=failing,
        description=f"synthetic: {len(trusts)} invented trusts, every figure simulated (seed {seed}, scale {scale:g})",
    )


def _scaled(count, scale, minimum=1):
    return max(minimum, int(round(count * scale)))


def _organisations(rng, scale):
    codes = [f"R{a}{b}" for a in "0123456789ABCDEFGHJKLMNPQRTVWXY" for b in "0123456789ABCDEFGHJKLMNPQRTVWXY"]
    codes = [codes[i] for i in rng.permutation(len(codes))]
    footprints, trusts = [], []
    stp_number = FIRST_STP_CODE
    for region, _ in REGIONS:
        n_acute = _scaled(TRUST_COUNTS["acute"][region], scale)
        n_stps = min(n_acute, _scaled(STPS_PER_REGION[region], scale))
        stp_codes = [f"E54{stp_number + i:06d}" for i in range(n_stps)]
        stp_number += n_stps
        # Every footprint has at least one acute trust; the rest fall unevenly (1 to about 10).
        weights = rng.gamma(1.5, 1.0, n_stps)
        extra = rng.choice(n_stps, size=n_acute - n_stps, p=weights / weights.sum()) if n_acute > n_stps else []
        slots = [("acute", code) for code in stp_codes]
        slots += [("acute", stp_codes[int(i)]) for i in extra]
        for trust_type in ["specialist", "mental_health", "community"]:
            for _ in range(_scaled(TRUST_COUNTS[trust_type][region], scale, minimum=0)):
                in_footprint = rng.random() < IN_FOOTPRINT[trust_type]
                slots.append((trust_type, stp_codes[int(rng.integers(n_stps))] if in_footprint else ""))
        places = _place_names(rng, PLACES[region], len(slots))
        stp_places = {code: [] for code in stp_codes}
        for (trust_type, footprint), place in zip(slots, places):
            trusts.append(_trust(rng, codes, trust_type, region, footprint, place))
            if trust_type == "acute":
                stp_places[footprint].append(place.split(" ", 1)[1] if place.split(" ", 1)[0] in COMPASS else place)
        areas = AMBULANCE_AREAS[region]
        for i in range(_scaled(TRUST_COUNTS["ambulance"][region], scale, minimum=0)):
            area = areas[i] if i < len(areas) else f"{areas[i % len(areas)]} {i // len(areas) + 1}"
            trusts.append(_trust(rng, codes, "ambulance", region, "", area))
        used_stp_names = set()
        for code in stp_codes:
            name = _stp_name(rng, list(dict.fromkeys(stp_places[code])), used_stp_names)
            footprints.append({"code": code, "name": name, "region": region})
    trusts.sort(key=lambda t: t["org_code"])
    return footprints, trusts


def _place_names(rng, places, n):
    """``n`` distinct place names for a region's trusts, in a seeded order.

    Plain places first; when a region has more trusts than places, the rest are the places split
    by compass point ("North Leeds"). The names are dealt to the trusts in a random order.
    """
    plain = [places[i] for i in rng.permutation(len(places))]
    split = [f"{side} {place}" for side in COMPASS for place in places]
    pool = (plain + [split[i] for i in rng.permutation(len(split))])[:n]
    return [pool[i] for i in rng.permutation(n)]


def _stp_name(rng, places, used):
    if len(places) >= 3:
        forms = ["{a}, {b} and {c}", "{a}, {b} and {c} Partnership"]
    elif len(places) == 2:
        forms = ["{a} and {b}", "{a} and {b} Health and Care Partnership"]
    else:
        forms = ["Greater {a}", "{a} Health and Care Partnership", "{a} and District"]
    names = (places + ["", ""])[:3]
    candidates = [form.format(a=names[0], b=names[1], c=names[2]) for form in forms]
    start = int(rng.integers(len(candidates)))
    for name in candidates[start:] + candidates[:start]:
        if name not in used:
            break
    else:
        name = f"{candidates[0]} {len(used) + 1}"
    used.add(name)
    return name


def _trust(rng, codes, trust_type, region, footprint, place):
    if trust_type == "ambulance":
        name = f"{place} Ambulance Service NHS {'Foundation ' if rng.random() < 0.6 else ''}Trust"
    else:
        forms = NAME_FORMS[trust_type]
        name = forms[int(rng.integers(len(forms)))].format(p=place)
    return {
        "org_code": codes.pop(),
        "name": name,
        "trust_type": trust_type,
        "region": region,
        "footprint": footprint,
    }


def elective_and_cancer_profile(rng, kind, attendances):
    """An acute or specialist trust's RTT and cancer levels (offsets from the national level) and
    caseloads; an acute trust's are sized on its monthly A&E attendances."""
    profile = {"rtt_offset": float(rng.normal(0, RTT_TRUST_SD)), "cancer_offset": float(rng.normal(0, CANCER_TRUST_SD))}
    if kind == "acute":
        profile["rtt_size"] = attendances * float(rng.uniform(2.5, 4.5))
        profile["cancer_size"] = max(15.0, attendances / 100 * float(rng.uniform(0.8, 1.4)))
    else:
        profile["rtt_size"] = float(rng.lognormal(math.log(15000), 0.6))
        profile["cancer_size"] = max(10.0, float(rng.lognormal(math.log(50), 0.9)))
    return profile


def _trust_profiles(rng, trusts):
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


def _plans(rng, trusts, profiles, scale):
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
        n_refuse = _scaled(REFUSALS[year], scale)
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
            n = _scaled(count, scale)
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


def sector_control_totals(rng, codes, profiles, target):
    """Most trusts a small surplus, some deficits of tens of £m; the sector sums to its target."""
    raw = {}
    for code in codes:
        health, turnover = profiles[code]["health"], profiles[code]["turnover"]
        if health > -0.4:
            raw[code] = turnover * float(rng.uniform(0.0, 0.02))
        else:
            share = min(0.09, 0.01 + 0.05 * (-0.4 - health) ** 1.2)
            raw[code] = -turnover * share * float(rng.lognormal(0, 0.2))
    surplus = sum(v for v in raw.values() if v >= 0)
    deficit = sum(v for v in raw.values() if v < 0)
    factor = (target - surplus) / deficit if deficit else 1.0
    totals = {code: round_money(v * factor if v < 0 else v) for code, v in raw.items()}
    # The rounding difference goes to the largest deficit so that the sector total is exact.
    if deficit:
        biggest = min(codes, key=lambda c: (totals[c], c))
        totals[biggest] += round_money(target, PENNY) - sum(totals.values())
    return totals


def _finance_returns(rng, trusts, profiles, plans, failing):
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


def _performance(rng, trusts, profiles, failing):
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


def _ae_breach_rate(year, m, profile):
    index = (1 - AE_NATIONAL_WITHIN[year][m]) / (1 - AE_BASE_WITHIN)
    return profile["breach_rate"] * index * profile["year_drift"][year]


def expected_percent(metric, year, m, profile):
    if metric == "ae":
        return 100 * (1 - min(_ae_breach_rate(year, m, profile), 0.6))
    if metric == "rtt":
        winter = -0.6 if m in (8, 9) else 0.0
        return min(99.0, RTT_LEVEL[year] + profile["rtt_offset"] + winter)
    return min(99.0, CANCER_LEVEL[year] + profile["cancer_offset"])


def monthly_return(rng, metric, year, m, profile):
    if metric == "ae":
        attendances = profile["attendances"] * AE_ATTENDANCE_PROFILE[year][m] * AE_GROWTH[year]
        denominator = max(100, int(round(attendances * float(rng.lognormal(0, 0.03)))))
        rate = min(0.6, _ae_breach_rate(year, m, profile) * float(rng.lognormal(0, AE_MONTHLY_NOISE)))
        return denominator - int(round(denominator * rate)), denominator
    if metric == "rtt":
        denominator = int(round(profile["rtt_size"] * (1 + 0.003 * (12 * YEARS.index(year) + m))
                                * float(rng.lognormal(0, 0.01))))
        share = min(99.5, expected_percent(metric, year, m, profile) + float(rng.normal(0, 0.35))) / 100
        return int(round(denominator * share)), denominator
    denominator = max(5, int(rng.poisson(profile["cancer_size"])))
    share = expected_percent(metric, year, m, profile) / 100
    return int(rng.binomial(denominator, min(max(share, 0.0), 1.0))), denominator


def _pick_finance_director_trust(trusts, plans, failing):
    """An acute trust with a story: on plan financially but failing A&E in 2016-17 (partial)."""
    accepted = {p["org_code"] for p in plans["2016-17"] if p["control_total_accepted"]}
    finance_failing = set(failing["2016-17"]["finance"])
    acute = [t["org_code"] for t in trusts if t["trust_type"] == "acute"]
    for code in failing["2016-17"]["ae"]:
        if code in accepted and code not in finance_failing:
            return code
    return next((c for c in acute if c in accepted), acute[0])

