"""Tidy rows of entitlements and the sums the dashboard pages show from them. Pure: no database.

A tidy row is one trust-quarter as a flat dict (trust, area, period, status, money, the finance
variance and A&E performance, and why money was withheld), read from the selectors' one query.
"""
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .charts import REASON_LABELS, STATUS_ORDER

ZERO = Decimal("0.00")
MONEY_FIELDS = ("allocation", "earned", "withheld", "pending")


@dataclass(frozen=True)
class Period:
    """A scheme's quarter: what the pages' ``year`` and ``quarter`` parameters choose."""

    scheme: str
    start_date: datetime.date
    quarter: int

    @property
    def label(self):
        return f"{self.scheme} Q{self.quarter}"

    @property
    def key(self):
        return (self.start_date, self.quarter)


def _decimal(value):
    if value is None or value == "":
        return None
    return Decimal(str(value))


def flatten(values_row):
    """One ``values()`` row of Entitlement as a flat tidy row (pure)."""
    detail = values_row.get("detail") or {}
    finance = detail.get("finance") or {}
    metrics = {m.get("metric"): m for m in detail.get("metrics") or [] if isinstance(m, dict)}
    ytd_plan, ytd_actual = _decimal(finance.get("ytd_plan")), _decimal(finance.get("ytd_actual"))
    ae = metrics.get("ae") or {}
    row = {
        "org_code": values_row["trust__org_code"],
        "trust_name": values_row["trust__name"],
        "trust_type": values_row["trust__trust_type"],
        "region_code": values_row["trust__region__code"],
        "region_name": values_row["trust__region__name"],
        "footprint_code": values_row["trust__footprint__code"] or "",
        "footprint_name": values_row["trust__footprint__name"] or "",
        "scheme": values_row["scheme__code"],
        "period": Period(values_row["scheme__code"], values_row["scheme__start_date"], values_row["quarter"]),
        "quarter": values_row["quarter"],
        "status": values_row["status"],
        "finance_met": values_row["finance_met"],
        "ytd_plan": ytd_plan,
        "ytd_actual": ytd_actual,
        "variance": None if ytd_plan is None or ytd_actual is None else ytd_actual - ytd_plan,
        "ae_applicable": bool(ae.get("applicable")),
        "ae_performance": _decimal(ae.get("performance")) if ae.get("applicable") else None,
        "ae_met": ae.get("met") if ae.get("applicable") else None,
        "metrics": [m for m in detail.get("metrics") or [] if isinstance(m, dict)],
        "finance": finance,
        "reasons": list(detail.get("reasons") or []),
        "computed_at": values_row["computed_at"],
    }
    for field in MONEY_FIELDS:
        row[field] = values_row[field]
    row["withheld_by_reason"] = withheld_reasons(row)
    return row


def withheld_reasons(row):
    """Why the money of one trust-quarter was withheld: {reason: Decimal}, reasons as in
    ``charts.REASON_LABELS``. The whole quarter for no control total or a failed finance test;
    otherwise each applicable metric that was missed; anything left over is ``other``."""
    withheld = row["withheld"]
    if not withheld:
        return {}
    if row["status"] == "no_control_total":
        return {"no_control_total": withheld}
    if row["status"] == "finance_failed":
        return {"finance": withheld}
    reasons, explained = {}, ZERO
    for metric in row["metrics"]:
        if metric.get("applicable") and metric.get("met") is False and metric.get("metric") in REASON_LABELS:
            amount = _decimal(metric.get("element")) or ZERO
            reasons[metric["metric"]] = reasons.get(metric["metric"], ZERO) + amount
            explained += amount
    if withheld - explained:
        reasons["other"] = withheld - explained
    return reasons


def headline(rows):
    """Totals of a set of trust-quarters: money, withheld by reason, trusts by status (pure)."""
    totals = {field: sum((r[field] for r in rows), ZERO) for field in MONEY_FIELDS}
    reasons = defaultdict(lambda: ZERO)
    for row in rows:
        for reason, amount in row["withheld_by_reason"].items():
            reasons[reason] += amount
    statuses = Counter(r["status"] for r in rows)
    return {
        **totals,
        "trusts": len(rows),
        "withheld_by_reason": [(reason, REASON_LABELS[reason], reasons[reason]) for reason in REASON_LABELS
                               if reason in reasons],
        "by_status": [(status, statuses.get(status, 0)) for status in STATUS_ORDER],
    }


def reason_rows(rows):
    """Tidy {period, measure, amount} per quarter for ``charts.reason_bars`` (pure)."""
    sums = defaultdict(lambda: ZERO)
    periods = sorted({r["period"] for r in rows}, key=lambda p: p.key)
    for row in rows:
        label = row["period"].label
        sums[(label, "earned")] += row["earned"]
        sums[(label, "pending")] += row["pending"]
        for reason, amount in row["withheld_by_reason"].items():
            sums[(label, f"withheld_{reason}")] += amount
    measures = ["earned"] + [f"withheld_{r}" for r in REASON_LABELS] + ["pending"]
    return [
        {"period": period.label, "measure": measure, "amount": sums[(period.label, measure)]}
        for period in periods for measure in measures if (period.label, measure) in sums
    ]


def group_totals(rows, key):
    """Money per group (``key`` a row field, e.g. footprint_name) and period, for small multiples."""
    sums = {}
    for row in sorted(rows, key=lambda r: (not r[key], r[key] or "", r["period"].key)):  # "No footprint" last
        group = row[key] or "No footprint"
        entry = sums.setdefault((group, row["period"].label),
                                {"group": group, "period": row["period"].label, "earned": ZERO,
                                 "withheld": ZERO, "pending": ZERO, "allocation": ZERO})
        for field in MONEY_FIELDS:
            entry[field] += row[field]
    return list(sums.values())


def area_summary(rows, *, code_key, name_key):
    """One row per area (region or footprint): trusts, money, and ``n_<status>`` trusts by status (pure)."""
    areas = {}
    for row in rows:
        entry = areas.setdefault(row[code_key], {"code": row[code_key], "name": row[name_key], "trusts": 0,
                                                 **{f: ZERO for f in MONEY_FIELDS},
                                                 **{f"n_{s}": 0 for s in STATUS_ORDER}})
        entry["trusts"] += 1
        entry[f"n_{row['status']}"] += 1
        for field in MONEY_FIELDS:
            entry[field] += row[field]
    return sorted(areas.values(), key=lambda a: a["name"])


def failing_trusts(rows, *, periods, threshold=3):
    """Trusts that failed the finance test or A&E in at least ``threshold`` of ``periods`` (pure)."""
    wanted = {p.key for p in periods}
    by_trust = {}
    for row in rows:
        if row["period"].key not in wanted:
            continue
        entry = by_trust.setdefault(row["org_code"], {"org_code": row["org_code"], "trust_name": row["trust_name"],
                                                      "region_name": row["region_name"], "failed": {},
                                                      "finance_failed": 0, "ae_failed": 0})
        finance = row["status"] == "finance_failed"
        ae = row["ae_met"] is False
        entry["finance_failed"] += finance
        entry["ae_failed"] += ae
        if finance or ae:
            entry["failed"][row["period"].label] = " and ".join(
                word for word, failed in (("finance", finance), ("A&E", ae)) if failed)
    failing = [e for e in by_trust.values() if len(e["failed"]) >= threshold]
    for entry in failing:
        entry["quarters_failed"] = len(entry["failed"])
        entry["periods"] = [(p.label, entry["failed"].get(p.label, "")) for p in periods]
    return sorted(failing, key=lambda e: (-e["quarters_failed"], e["trust_name"]))
