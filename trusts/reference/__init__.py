"""Public reference data about England's NHS trusts, kept with the app that owns trusts.

The files beside this module (see ``SOURCES.md`` for where each comes from and its licence):
- ``ods_trusts_etr_2016.csv``: NHS Digital's ODS trust list (etr) as it stood in 2016;
- ``trusts_2016_17_reference.csv``: the English trusts of that list with a derived trust type and
  their STP footprint;
- ``trust_stp_lookup_2017_18.csv`` and ``stps_2017_18.csv``: the 44 STP footprints of 2017/18 and
  the acute trusts in each;
- ``successions.csv``: the trust mergers of 2017-19 that the published A&E statistics show.

Readers return plain rows (dicts of strings and dates); nothing here touches the database.
"""
from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent

# The 2016 ODS national groupings: NHS England's four regions of 2013-2018.
REGIONS = {
    "Y54": "North of England",
    "Y55": "Midlands and East of England",
    "Y56": "London",
    "Y57": "South of England",
}
REGION_CODES = {name: code for code, name in REGIONS.items()}
# The reference table's derived types, as this product names them.
TRUST_TYPES = {
    "acute": "acute",
    "acute_specialist": "specialist",
    "mental_health": "mental_health",
    "community": "community",
    "ambulance": "ambulance",
}


@dataclass(frozen=True)
class ReferenceTrust:
    org_code: str
    name: str
    ods_name: str
    trust_type: str
    region: str  # region code, Y54..Y57
    footprint: str  # STP code, or "" where no source places the trust in one
    open_date: datetime.date | None
    close_date: datetime.date | None


@dataclass(frozen=True)
class Succession:
    predecessor: str
    successor: str
    effective_from: datetime.date
    successor_name: str


def _rows(name):
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


SMALL_WORDS = {"AND", "OF", "THE", "FOR", "IN", "ON", "WITH", "UPON"}
KEEP_UPPER = {"NHS", "UK"}


def display_name(ods_name: str) -> str:
    """ODS names are upper case: 'UNIVERSITY HOSPITAL OF SOUTH MANCHESTER NHS FOUNDATION TRUST'
    becomes 'University Hospital of South Manchester NHS Foundation Trust'."""
    words = []
    for index, word in enumerate(ods_name.split()):
        if word in KEEP_UPPER:
            words.append(word)
        elif index and word in SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(part[:1] + part[1:].lower() for part in word.split("-")))
    return re.sub(r"\s+", " ", " ".join(words))


@lru_cache(maxsize=1)
def english_trusts() -> tuple[ReferenceTrust, ...]:
    """The 236 English trusts of the 2016 ODS list, with type, region and footprint."""
    trusts = []
    for row in _rows("trusts_2016_17_reference.csv"):
        trusts.append(ReferenceTrust(
            org_code=row["org_code"],
            name=display_name(row["name"]),
            ods_name=row["name"],
            trust_type=TRUST_TYPES[row["trust_type_derived"]],
            region=row["national_grouping_code"],
            footprint=row["stp_code"],
            open_date=_date(row["open_date"]),
            close_date=_date(row["close_date"]),
        ))
    return tuple(trusts)


@lru_cache(maxsize=1)
def footprints() -> tuple[dict, ...]:
    """The 44 STP footprints of 2017/18: code, name, region code."""
    return tuple(
        {"code": row["stp_code"], "name": row["stp_name"], "region": REGION_CODES[row["nhs_england_region_from_etr_2016"]]}
        for row in _rows("stps_2017_18.csv")
    )


@lru_cache(maxsize=1)
def stp_lookup() -> dict[str, dict]:
    """Acute trusts' STP footprints in 2017/18 by org code (includes trusts formed in 2017)."""
    return {row["org_code"]: row for row in _rows("trust_stp_lookup_2017_18.csv")}


@lru_cache(maxsize=1)
def successions() -> tuple[Succession, ...]:
    """Mergers: each predecessor's returns are its successor's from ``effective_from``."""
    return tuple(
        Succession(row["predecessor"], row["successor"], _date(row["effective_from"]), row["successor_name"])
        for row in _rows("successions.csv")
    )


def ods_etr_path() -> Path:
    return REFERENCE_DIR / "ods_trusts_etr_2016.csv"
