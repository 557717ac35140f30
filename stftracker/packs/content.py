"""What a quarterly review pack holds, from the tidy rows of one quarter. Pure: no database.

``selectors.pack_data`` reads the stored figures in a fixed number of queries and hands them
here; :func:`assemble` sums them into the national summary, one line per region and per
footprint, and one line per trust, and :mod:`stftracker.packs.workbook` lays the result out.
Every sum is a ``Decimal`` sum of the stored Entitlement rows, so each table reconciles to the
penny with the others: the regions (and the footprints) add up to the national figures.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from common.dates import moment_label
from performance.metrics import PAGE_NAMES
from stftracker.dashboards.charts import REASON_LABELS, STATUS_ORDER, STATUS_STYLE
from trusts.models import TrustType

TRUST_TYPES = dict(TrustType.choices)

ZERO = Decimal("0.00")
MONEY_FIELDS = ("allocation", "earned", "withheld", "pending")
NO_FOOTPRINT = "No footprint"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FiguresState:
    """Whether the figures include every input (``since`` None) or wait for a recompute."""

    since: datetime.datetime | None = None
    changes: int = 0
    delayed: bool = False

    @property
    def text(self):
        if self.since is None:
            return "Current: the figures include every input."
        overdue = " (the recompute is overdue)" if self.delayed else ""
        waiting = "1 change waits" if self.changes == 1 else f"{self.changes} changes wait"
        return f"Out of date since {moment_label(self.since)}: {waiting} for a recompute{overdue}."


@dataclass
class Pack:
    """Everything one pack shows. Money is Decimal; percentages are fractions (0.912 for 91.2%)."""

    scheme: str
    scheme_name: str
    quarter: int
    metrics: list
    reasons: list
    summary: dict
    regions: list
    footprints: list
    trusts: list
    year_end: list | None
    year_end_method: str
    data_as_at: datetime.datetime | None
    figures: FiguresState
    built_at: datetime.datetime
    tz: datetime.tzinfo = datetime.timezone.utc  # the pages' time zone, for the times the pack shows

    @property
    def title(self):
        return f"STF quarterly review pack, {self.scheme} Q{self.quarter}"

    @property
    def filename(self):
        return f"stf-review-pack-{self.scheme}-Q{self.quarter}.xlsx"

    @property
    def row_count(self):
        """Rows the workbook writes (its tables' lines), the unit of a build's progress."""
        return (len(self.summary["lines"]) + len(self.regions) + len(self.footprints) + len(self.trusts)
                + len(self.year_end or ()))


def reasons_of(metrics, rows=()):
    """The withheld-by-reason keys a pack lists: no control total, finance, each of the scheme's
    metrics, and ``other`` only when some money is withheld for another reason (an adjustment)."""
    keys = ["no_control_total", "finance", *[m for m in metrics if m in REASON_LABELS]]
    if any("other" in row["withheld_by_reason"] for row in rows):
        keys.append("other")
    return keys


def share(part, whole):
    """``part`` as a fraction of ``whole`` (a percent format shows it), None when ``whole`` is nothing."""
    if not whole:
        return None
    return part / whole


def percent_fraction(value):
    """A record's percentage ("91.20") as the fraction a percent format shows (0.912); None stays None."""
    if value is None or value == "":
        return None
    return Decimal(str(value)) / HUNDRED


def totals(rows, reasons):
    """Money, withheld by reason and trusts by status of a set of tidy rows."""
    found = {name: sum((row[name] for row in rows), ZERO) for name in MONEY_FIELDS}
    found["trusts"] = len(rows)
    found["earned_share"] = share(found["earned"], found["allocation"])
    for reason in reasons:
        found[f"withheld_{reason}"] = sum((row["withheld_by_reason"].get(reason, ZERO) for row in rows), ZERO)
    for status in STATUS_ORDER:
        found[f"n_{status}"] = sum(1 for row in rows if row["status"] == status)
    return found


def summary(rows, reasons, *, year_end=None, year_end_method=""):
    """The national figures as (section, measure, value, kind, note) lines."""
    found = totals(rows, reasons)
    added = found["earned"] + found["withheld"] + found["pending"]
    difference = found["allocation"] - added
    lines = [
        ("National", "Trusts in the scheme", found["trusts"], "count", ""),
        ("National", "Allocation", found["allocation"], "money", "The quarter's share of the annual allocations"),
        ("National", "Earned", found["earned"], "money", ""),
        ("National", "Withheld", found["withheld"], "money", ""),
        ("National", "Pending", found["pending"], "money", "Awaiting returns: neither earned nor withheld"),
        ("National", "Earned + withheld + pending", added, "money", ""),
        ("National", "Allocation − (earned + withheld + pending)", difference, "money", "Nil when the figures reconcile"),
        ("National", "Check: earned + withheld + pending = allocation",
         "Reconciles to the penny" if difference == 0 else "Does not reconcile", "text", ""),
        ("National", "Earned, share of the allocation", found["earned_share"], "percent", ""),
    ]
    explained = ZERO
    for reason in reasons:
        amount = found[f"withheld_{reason}"]
        explained += amount
        lines.append(("Withheld by reason", REASON_LABELS[reason], amount, "money", ""))
    lines.append(("Withheld by reason", "All reasons", explained, "money", "Equals Withheld"))
    for status in STATUS_ORDER:
        lines.append(("Trusts by status", STATUS_STYLE[status]["label"], found[f"n_{status}"], "count", ""))
    if year_end is not None:
        lines.append(("Year end", "Method", year_end_method, "text", "The scheme's year-end method"))
        lines.append(("Year end", "Trusts eligible", sum(1 for award in year_end if award["eligible"]), "count", ""))
        for key, label in (("incentive", "Incentive"), ("bonus", "Bonus"),
                           ("general_distribution", "General distribution"), ("total", "All year-end awards")):
            lines.append(("Year end", label, sum((award[key] for award in year_end), ZERO), "money", ""))
    return {"lines": lines, "totals": found}


def areas(rows, reasons, *, code_key, name_key, blank_name=None, region_of=False):
    """One line per area (region or footprint), by name; trusts with no area under ``blank_name``."""
    groups = {}
    for row in rows:
        code = row[code_key] or ""
        groups.setdefault(code, []).append(row)
    lines = []
    for code, members in groups.items():
        name = members[0][name_key] or blank_name or ""
        line = {"code": code, "name": name, **totals(members, reasons)}
        if region_of:
            regions = sorted({row["region_name"] for row in members})
            line["region_name"] = regions[0] if len(regions) == 1 and code else ""
        lines.append(line)
    return sorted(lines, key=lambda line: (not line["code"], line["name"]))


FINANCE_WORDS = {True: "Met", False: "Failed", None: "Not judged"}


def metric_words(metric):
    if not metric:
        return "Not in the scheme"
    if not metric.get("applicable"):
        return "Not applicable"
    return {True: "Met", False: "Missed", None: "Pending"}[metric.get("met")]


def _decimal(value):
    if value is None or value == "":
        return None
    return Decimal(str(value))


def trust_line(row, metrics):
    """One trust's line: its figures, each test and its reasons (newline-joined)."""
    finance = row.get("finance") or {}
    by_metric = {m.get("metric"): m for m in row["metrics"]}
    line = {
        "org_code": row["org_code"], "trust_name": row["trust_name"],
        "trust_type": TRUST_TYPES.get(row["trust_type"], row["trust_type"]),
        "region_name": row["region_name"], "footprint_name": row["footprint_name"],
        "status": STATUS_STYLE.get(row["status"], {"label": row["status"]})["label"],
        **{name: row[name] for name in MONEY_FIELDS},
        "finance_met": FINANCE_WORDS.get(row["finance_met"], "Not judged"),
        "finance_element": _decimal(finance.get("element")),
        "ytd_plan": _decimal(finance.get("ytd_plan")), "ytd_actual": _decimal(finance.get("ytd_actual")),
        "reasons": "\n".join(row["reasons"]),
    }
    for metric in metrics:
        values = by_metric.get(metric)
        line[f"{metric}_met"] = metric_words(values)
        values = values or {}
        line[f"{metric}_element"] = _decimal(values.get("element"))
        for name in ("performance", "trajectory", "standard"):
            line[f"{metric}_{name}"] = percent_fraction(values.get(name))
    return line


def year_end_line(award, method_label):
    reasons = (award.get("detail") or {}).get("reasons") or []
    incentive, bonus, distribution = award["incentive"], award["bonus"], award["general_distribution"]
    return {
        "org_code": award["org_code"], "trust_name": award["trust_name"], "region_name": award["region_name"],
        "method": method_label, "eligible": "Yes" if award["eligible"] else "No",
        "incentive": incentive, "bonus": bonus, "general_distribution": distribution,
        "total": incentive + bonus + distribution,
        "reasons": "\n".join(reasons if isinstance(reasons, list) else [str(reasons)]),
    }


def assemble(*, scheme, scheme_name, quarter, metrics, rows, awards, year_end_method, data_as_at, figures,
             built_at, tz=datetime.timezone.utc):
    """The pack of a scheme's quarter from its tidy rows (``dashboards.tidy.flatten``) and its
    year-end awards (plain dicts; None or empty while the year end is not decided)."""
    metrics = [m for m in PAGE_NAMES if m in set(metrics)]
    reasons = reasons_of(metrics, rows)
    rows = sorted(rows, key=lambda row: row["org_code"])
    year_end = [year_end_line(award, year_end_method) for award in awards] if awards else None
    national = summary(rows, reasons, year_end=year_end, year_end_method=year_end_method)
    national["lines"][:0] = [
        ("Pack", "Scheme", f"{scheme}: {scheme_name}", "text", ""),
        ("Pack", "Quarter", quarter, "count", "Q1 = April to June"),
        ("Pack", "Data as at", data_as_at, "datetime", "When the newest input the figures include changed (UK time)"),
        ("Pack", "Figures", figures.text, "text", ""),
        ("Pack", "Built", built_at, "datetime", "UK time"),
    ]
    return Pack(
        scheme=scheme, scheme_name=scheme_name, quarter=quarter, metrics=metrics, reasons=reasons,
        summary=national,
        regions=areas(rows, reasons, code_key="region_code", name_key="region_name"),
        footprints=areas(rows, reasons, code_key="footprint_code", name_key="footprint_name",
                         blank_name=NO_FOOTPRINT, region_of=True),
        trusts=[trust_line(row, metrics) for row in rows],
        year_end=year_end, year_end_method=year_end_method,
        data_as_at=data_as_at, figures=figures, built_at=built_at, tz=tz,
    )
