"""How the simulated figures are drawn, in either demo country: the parameters fitted to NHS
England's published A&E statistics, the assumed national levels of RTT and cancer 62-day
performance, the sizes and allocation weights of trusts, and the draws of a trust's monthly
return, its RTT and cancer levels and a sector's control totals. Pure: no database.

Real England (``england``) draws its RTT and cancer returns, its turnover and its control totals
here; the synthetic country (``synthetic``) draws all of its figures here or from these.
"""
from __future__ import annotations

import math

from .country import PENNY, YEARS, round_money

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

# --- Sizes and allocation weights (assumptions) ---------------------------------------------------
LOG_TURNOVER = {  # annual income, £: log-normal mean, sd (acute sized from A&E attendances)
    "specialist": (math.log(220e6), 0.5),
    "mental_health": (math.log(180e6), 0.45),
    "community": (math.log(130e6), 0.45),
    "ambulance": (math.log(220e6), 0.3),
}
ACUTE_INCOME_PER_ATTENDANCE = 2600  # annual income per monthly attendance, £ (about £330m median)
ALLOCATION_WEIGHT = {"acute": 1.0, "specialist": 0.5, "ambulance": 0.8, "mental_health": 0.08, "community": 0.08}
ZERO_ALLOCATION_SHARE = {"mental_health": 0.45, "community": 0.45}


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
