"""What a demo country is, whichever way it was made: plain rows per data set, the files an import
would take, and the exact money helpers both builders share. Nothing here touches the database."""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

DEFAULT_SEED = 2016
YEARS = ["2016-17", "2017-18", "2018-19"]
# Months of finance returns (and simulated RTT, cancer) received per year: the current year
# (2018-19) has its first half only, so the demo shows pending quarters.
MONTHS_RECEIVED = {"2016-17": 12, "2017-18": 12, "2018-19": 6}
REGIONS = [
    ("Y54", "North of England"),
    ("Y55", "Midlands and East of England"),
    ("Y56", "London"),
    ("Y57", "South of England"),
]
THOUSAND = Decimal(1000)
PENNY = Decimal("0.01")
PUBLISHED, SIMULATED = "published", "simulated"

FILE_HEADERS = {
    "trusts": ["org_code", "name", "trust_type", "region", "footprint"],
    "plans": ["org_code", "year", "stf_allocation", "control_total", "control_total_accepted"],
    "finance": ["org_code", "period", "plan_ytd", "actual_ytd", "forecast_outturn"],
    "performance": ["org_code", "period", "metric", "numerator", "denominator"],
    "trajectories": ["org_code", "period", "metric", "trajectory_pct"],
}


@dataclass
class DemoFile:
    """One generated data set as the CSV file an import would take (DESIGN.md formats)."""

    kind: str
    file_name: str
    content: bytes
    org_codes: list[str]
    row_count: int

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Country:
    seed: int
    scale: float
    regions: list[tuple[str, str]]
    footprints: list[dict]  # code, name, region
    trusts: list[dict]  # org_code, name, trust_type, region, footprint (code or "")
    plans: dict[str, list[dict]]  # year -> org_code, stf_allocation, control_total, control_total_accepted
    finance: dict[str, list[dict]]  # year -> org_code, month, plan_ytd, actual_ytd, forecast_outturn
    performance: dict[str, list[dict]]  # year -> org_code, month, metric, numerator, denominator
    trajectories: dict[str, list[dict]]  # year -> org_code, month, metric, percent
    finance_director_org_code: str
    failing: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # year -> finance / ae -> codes
    # Real England only: mergers, and NHS England's published A&E as the file it comes in.
    successions: list[dict] = field(default_factory=list)  # predecessor, successor, effective_from
    published_ae: list[dict] = field(default_factory=list)  # org_code, month, metric, numerator, denominator
    published_ae_file: DemoFile | None = None
    ae_gaps: list[tuple[str, datetime.date]] = field(default_factory=list)  # simulated in place of published
    description: str = ""

    def provenance(self, kind: str) -> str:
        """Whether a data set holds published statistics or simulated figures."""
        if kind == "trusts" and self.successions:
            return PUBLISHED
        return PUBLISHED if kind == "ae_tidy" else SIMULATED

    def notes(self, demo_file: DemoFile) -> dict:
        """What the upload record of ``demo_file`` says of its figures."""
        notes = {"generator": "stftracker.demo", "seed": self.seed, "scale": self.scale,
                 "provenance": self.provenance(demo_file.kind)}
        if demo_file.kind == "performance" and self.ae_gaps:
            year = demo_file.file_name.removeprefix("demo-performance-").removesuffix(".csv")
            start = datetime.date(int(year[:4]), 4, 1)
            months = [f"{code} {month:%Y-%m}" for code, month in self.ae_gaps
                      if start <= month < datetime.date(start.year + 1, 4, 1)]
            if months:
                notes["simulated_ae_months"] = months
        return notes

    def files(self) -> list[DemoFile]:
        """Every data set as a CSV file, in load order."""
        all_codes = [t["org_code"] for t in self.trusts]
        files = [
            demo_file("trusts", "demo-trusts.csv", [
                [t["org_code"], t["name"], t["trust_type"], t["region"], t["footprint"]] for t in self.trusts
            ], all_codes)
        ]
        for year in YEARS:
            files.append(demo_file("plans", f"demo-plans-{year}.csv", [
                [p["org_code"], year, p["stf_allocation"], p["control_total"], "yes" if p["control_total_accepted"] else "no"]
                for p in self.plans[year]
            ], [p["org_code"] for p in self.plans[year]]))
            files.append(demo_file("finance", f"demo-finance-{year}.csv", [
                [r["org_code"], f"{r['month']:%Y-%m}", r["plan_ytd"], r["actual_ytd"], r["forecast_outturn"]]
                for r in self.finance[year]
            ], codes_of(self.finance[year])))
            files.append(demo_file("performance", f"demo-performance-{year}.csv", [
                [r["org_code"], f"{r['month']:%Y-%m}", r["metric"], r["numerator"], r["denominator"]]
                for r in self.performance[year]
            ], codes_of(self.performance[year])))
            files.append(demo_file("trajectories", f"demo-trajectories-{year}.csv", [
                [r["org_code"], f"{r['month']:%Y-%m}", r["metric"], r["percent"]] for r in self.trajectories[year]
            ], codes_of(self.trajectories[year])))
        if self.published_ae_file is not None:
            files.append(self.published_ae_file)
        return files


def codes_of(rows):
    return sorted({row["org_code"] for row in rows})


def demo_file(kind, file_name, rows, org_codes):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FILE_HEADERS[kind])
    writer.writerows(rows)
    return DemoFile(kind, file_name, buffer.getvalue().encode("utf-8"), list(org_codes), len(rows))


def round_money(value, unit=THOUSAND):
    """A drawn amount rounded to whole ``unit``s of pounds, as a 2-dp Decimal.

    The draws are floats; every amount leaves the generator as a Decimal, and every sum that
    must be exact is made exact in Decimal (see ``apportion`` and ``_control_totals``).
    """
    return (Decimal(int(round(value / float(unit)))) * unit).quantize(PENNY)


def apportion(total: Decimal, weights: list[float], keys: list[str], unit=THOUSAND) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` in whole ``unit``s, exactly (largest remainder)."""
    units = int(total / unit)
    weight_sum = sum(weights)
    exact = [units * w / weight_sum for w in weights]
    shares = [int(math.floor(x)) for x in exact]
    leftover = units - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), keys[i]))
    for i in order[:leftover]:
        shares[i] += 1
    remainder = total - units * unit  # pennies that do not make a whole unit go to the largest share
    result = [(Decimal(s) * unit).quantize(PENNY) for s in shares]
    if remainder and result:
        biggest = max(range(len(result)), key=lambda i: (result[i], keys[i]))
        result[biggest] += remainder
    return result


def weighted_pick(rng, candidates, weights, n):
    if n <= 0 or not candidates:
        return []
    n = min(n, len(candidates))
    p = np.asarray(weights, dtype=float)
    index = rng.choice(len(candidates), size=n, replace=False, p=p / p.sum())
    return sorted(candidates[i] for i in index)


def clip_percent(value):
    return Decimal(str(min(max(value, 0.0), 100.0))).quantize(PENNY, rounding=ROUND_HALF_UP)

