"""The eligibility record of DESIGN.md (API, export and pages), and its flat CSV form."""
from __future__ import annotations

import datetime

from common.money import money_text as money
from performance.models import METRIC_CODES

METRIC_FIELDS = ["applicable", "element", "met", "performance", "trajectory", "standard"]
CSV_FIELDS = [
    "org_code", "trust_name", "year", "quarter", "status", "allocation", "earned", "withheld", "pending",
    "finance_met", "finance_element", "ytd_plan", "ytd_actual",
    *[f"{metric}_{name}" for metric in METRIC_CODES for name in METRIC_FIELDS],
    "reasons", "adjustments", "scheme", "computed_at",
]
YEAR_END_CSV_FIELDS = ["org_code", "trust_name", "year", "eligible", "incentive", "bonus", "reasons", "computed_at"]


def not_in_scheme_message(year, allocation) -> str:
    """What a page and the API say of a trust that is not in a scheme (RULES.md, "Trusts with
    nothing at stake"): its allocation is £0.00 (``allocation`` 0) or none is recorded (None)."""
    if allocation is None:
        return f"Not in the scheme for {year}: no allocation is recorded, so there is no status."
    return (f"Not in the scheme for {year}: the allocation is £0.00, so there is no status and nothing "
            f"is earned, withheld or pending.")


def not_in_scheme_record(*, org_code, year, allocation) -> dict:
    """One entry of the eligibility list's ``not_in_scheme``: a scheme the trust asked about is not in."""
    return {"org_code": org_code, "year": year, "allocation": None if allocation is None else money(allocation),
            "message": not_in_scheme_message(year, allocation)}


def iso_utc(moment):
    """ISO 8601 in UTC with a Z: "2026-11-22T10:00:00Z"."""
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_record(*, org_code, trust_name, year, quarter, status, allocation, earned, withheld, pending,
                 detail, computed_at):
    return {
        "org_code": org_code,
        "trust_name": trust_name,
        "year": year,
        "quarter": quarter,
        "status": status,
        "allocation": money(allocation),
        "earned": money(earned),
        "withheld": money(withheld),
        "pending": money(pending),
        "finance": dict(detail.get("finance", {})),
        "metrics": [dict(row) for row in detail.get("metrics", [])],
        "reasons": list(detail.get("reasons", [])),
        "adjustments": [dict(row) for row in detail.get("adjustments", [])],
        "scheme": year,
        "computed_at": iso_utc(computed_at),
    }


def entitlement_record(entitlement) -> dict:
    """The DESIGN.md eligibility record of a stored Entitlement (select_related trust and scheme)."""
    return build_record(
        org_code=entitlement.trust.org_code,
        trust_name=entitlement.trust.name,
        year=entitlement.scheme.code,
        quarter=entitlement.quarter,
        status=entitlement.status,
        allocation=entitlement.allocation,
        earned=entitlement.earned,
        withheld=entitlement.withheld,
        pending=entitlement.pending,
        detail=entitlement.detail or {},
        computed_at=entitlement.computed_at,
    )


def result_record(result, *, trust, scheme_code, computed_at) -> dict:
    """The record of an engine QuarterResult that was not stored (what-if)."""
    return build_record(
        org_code=trust.org_code, trust_name=trust.name, year=scheme_code, quarter=result.quarter,
        status=result.status, allocation=result.allocation, earned=result.earned, withheld=result.withheld,
        pending=result.pending, detail=result.detail, computed_at=computed_at,
    )


def adjustment_text(adjustment) -> str:
    """An approved adjustment in one CSV cell: "12: ae pay, approved by A. Analyst 2026-11-22T10:00:00Z: <reason>"."""
    return (f"{adjustment['id']}: {adjustment['element']} {adjustment['decision']}, approved by "
            f"{adjustment['approved_by']} {adjustment['approved_at'] or ''}: {adjustment['reason']}")


def flat_record(record) -> dict:
    """One flat CSV row per record: finance and each metric of METRIC_CODES become columns."""
    finance = record.get("finance") or {}
    row = {key: record.get(key) for key in
           ("org_code", "trust_name", "year", "quarter", "status", "allocation", "earned", "withheld", "pending",
            "scheme", "computed_at")}
    row.update(
        finance_met=finance.get("met"), finance_element=finance.get("element"),
        ytd_plan=finance.get("ytd_plan"), ytd_actual=finance.get("ytd_actual"),
        reasons=" | ".join(record.get("reasons") or []),
        adjustments=" | ".join(adjustment_text(a) for a in record.get("adjustments") or []),
    )
    by_metric = {m["metric"]: m for m in record.get("metrics") or []}
    for metric in METRIC_CODES:
        values = by_metric.get(metric, {})
        for name in METRIC_FIELDS:
            row[f"{metric}_{name}"] = values.get(name)
    return row
