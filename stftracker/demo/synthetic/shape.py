"""The synthetic country's shape: how many trusts of each type in each region, their codes and
names, and the STP footprints they sit in, as in 2016/17 (see the package's docstring). Pure."""
from __future__ import annotations

from ..country import REGIONS

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


def scaled(count, scale, minimum=1):
    return max(minimum, int(round(count * scale)))


def organisations(rng, scale):
    codes = [f"R{a}{b}" for a in "0123456789ABCDEFGHJKLMNPQRTVWXY" for b in "0123456789ABCDEFGHJKLMNPQRTVWXY"]
    codes = [codes[i] for i in rng.permutation(len(codes))]
    footprints, trusts = [], []
    stp_number = FIRST_STP_CODE
    for region, _ in REGIONS:
        n_acute = scaled(TRUST_COUNTS["acute"][region], scale)
        n_stps = min(n_acute, scaled(STPS_PER_REGION[region], scale))
        stp_codes = [f"E54{stp_number + i:06d}" for i in range(n_stps)]
        stp_number += n_stps
        # Every footprint has at least one acute trust; the rest fall unevenly (1 to about 10).
        weights = rng.gamma(1.5, 1.0, n_stps)
        extra = rng.choice(n_stps, size=n_acute - n_stps, p=weights / weights.sum()) if n_acute > n_stps else []
        slots = [("acute", code) for code in stp_codes]
        slots += [("acute", stp_codes[int(i)]) for i in extra]
        for trust_type in ["specialist", "mental_health", "community"]:
            for _ in range(scaled(TRUST_COUNTS[trust_type][region], scale, minimum=0)):
                in_footprint = rng.random() < IN_FOOTPRINT[trust_type]
                slots.append((trust_type, stp_codes[int(rng.integers(n_stps))] if in_footprint else ""))
        places = _place_names(rng, PLACES[region], len(slots))
        stp_places = {code: [] for code in stp_codes}
        for (trust_type, footprint), place in zip(slots, places):
            trusts.append(_trust(rng, codes, trust_type, region, footprint, place))
            if trust_type == "acute":
                stp_places[footprint].append(place.split(" ", 1)[1] if place.split(" ", 1)[0] in COMPASS else place)
        areas = AMBULANCE_AREAS[region]
        for i in range(scaled(TRUST_COUNTS["ambulance"][region], scale, minimum=0)):
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
