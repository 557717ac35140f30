"""Importers of plans (allocations and control totals) and monthly finance returns:
``prepare_plans`` and ``prepare_finance`` diff parsed rows into a :class:`~common.versioning.Plan`
whose ``apply`` stores them. Bulk only.

Plans upsert one Allocation per trust and scheme, with simple_history records written in bulk.
Finance returns supersede: the earlier row for a trust and month stays, ``is_current=False``.
"""
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.errors import RowError
from common.tabular import Parsed
from common.versioning import BATCH, Plan, diff_versioned, supersede
from trusts.importers import resolve_org_codes, trust_codes

from .models import Allocation, FinanceReturn, Scheme

FINANCE_KEY = ["trust_id", "month"]
FINANCE_VALUES = ["plan_ytd", "actual_ytd", "forecast_outturn"]
ALLOCATION_VALUES = ["stf_allocation", "control_total", "control_total_accepted"]


def prepare_plans(parsed: Parsed, *, codes=None) -> Plan:
    plan = Plan(kind="plans", errors=list(parsed.errors), skipped=list(parsed.skipped))
    resolve_org_codes(parsed, plan, trust_codes() if codes is None else codes, skip_unknown=False)
    schemes = dict(Scheme.objects.values_list("code", "id"))
    rows = []
    for row in parsed.rows:
        scheme_id = schemes.get(row["year"])
        if scheme_id is None:
            plan.errors.append(RowError(row["row"], "year", row["year"],
                                        f"No STF scheme for year {row['year']!r} (known: {', '.join(sorted(schemes))})."))
            continue
        row["scheme_id"] = scheme_id
        rows.append(row)
    current = {}
    if rows:
        for allocation in Allocation.objects.filter(trust_id__in={row["trust_id"] for row in rows},
                                                    scheme_id__in={row["scheme_id"] for row in rows}):
            current[(allocation.trust_id, allocation.scheme_id)] = allocation
    for row in rows:
        row["label"] = f"{row['org_code']} {row['year']}"
        existing = current.get((row["trust_id"], row["scheme_id"]))
        plan.trust_ids.add(row["trust_id"])
        plan.scheme_ids.add(row["scheme_id"])
        plan.sort(row, existing, ALLOCATION_VALUES)

    def apply(*, upload, user):
        creates = [Allocation(trust_id=row["trust_id"], scheme_id=row["scheme_id"], upload=upload,
                              **{name: row[name] for name in ALLOCATION_VALUES}) for row in plan.new]
        updates = []
        for row in plan.changed:
            allocation = row["existing"]
            for name in ALLOCATION_VALUES:
                setattr(allocation, name, row[name])
            allocation.upload = upload
            updates.append(allocation)
        if creates:
            bulk_create_with_history(creates, Allocation, batch_size=BATCH, default_user=user,
                                     default_change_reason=f"upload {upload.pk}")
        if updates:
            bulk_update_with_history(updates, Allocation, ALLOCATION_VALUES + ["upload", "updated_at"],
                                     batch_size=BATCH, default_user=user, default_change_reason=f"upload {upload.pk}")

    plan.apply = apply
    return plan


def prepare_finance(parsed: Parsed, *, codes=None) -> Plan:
    plan = Plan(kind="finance", errors=list(parsed.errors), skipped=list(parsed.skipped))
    resolve_org_codes(parsed, plan, trust_codes() if codes is None else codes, skip_unknown=False)
    diff_versioned(plan, FinanceReturn, parsed.rows, key_fields=FINANCE_KEY, value_fields=FINANCE_VALUES,
                   label=lambda row: f"{row['org_code']} {row['month']:%Y-%m}")

    def apply(*, upload, user):
        supersede(FinanceReturn, plan, upload=upload, key_fields=FINANCE_KEY, value_fields=FINANCE_VALUES)

    plan.apply = apply
    return plan

