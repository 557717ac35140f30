"""Reads for the entitlement engine and the pages: rule data, engine inputs, stored results, and
recompute runs (the latest, those still waiting for a worker, uploads awaiting theirs)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from common.months import add_months
from finance import engine
from finance.eligibility import iso_utc
from finance.models import (
    Adjustment, AdjustmentState, Allocation, Entitlement, FinanceReturn, InputChange, RecomputeRun, RunState, Scheme, YearEndAward,
)
from performance.metrics import METRICS
from performance.models import PerformanceReturn, Trajectory
from trusts.models import Trust, Upload, UploadStatus
from trusts.successions import predecessor_cutoffs


def scheme_rules(scheme: Scheme) -> engine.SchemeRules:
    """The scheme's rule data as plain values (decimal strings become Decimals)."""
    comparison = scheme.comparison_scheme if scheme.comparison_scheme_id else None
    return engine.SchemeRules(
        code=scheme.code,
        start=scheme.start_date,
        pot=Decimal(scheme.pot),
        weights={metric: Decimal(str(value)) for metric, value in scheme.weights.items()},
        standards={metric: Decimal(str(value)) for metric, value in scheme.standards.items()},
        phasing=tuple(Decimal(str(value)) for value in scheme.phasing),
        applicability={trust_type: tuple(metrics) for trust_type, metrics in scheme.applicability.items()},
        rule_variant=scheme.rule_variant,
        q1_paid_on_trajectory=scheme.q1_paid_on_trajectory,
        year_end_method=scheme.year_end_method,
        year_end_bands=tuple((Decimal(str(band["up_to"])), Decimal(str(band["weight"])))
                             for band in scheme.year_end_bands or ()),
        comparison_code=comparison.code if comparison else None,
        comparison_start=comparison.start_date if comparison else None,
        scheme_id=scheme.pk,
    )


def _frame(queryset, fields, columns):
    return pd.DataFrame.from_records(list(queryset.values_list(*fields)), columns=columns)


def person_name(first_name="", last_name="", username="") -> str:
    """How a page and a reason name a person: their full name, else their username."""
    full = f"{first_name or ''} {last_name or ''}".strip()
    return full or username or "unknown"


def user_name(user) -> str:
    return person_name(user.first_name, user.last_name, user.get_username()) if user is not None else ""


def approved_adjustments(scheme_id, *, trust_ids=None) -> pd.DataFrame:
    """The scheme's approved adjustments on review as the engine reads them (one query)."""
    rows = Adjustment.objects.filter(scheme_id=scheme_id, state=AdjustmentState.APPROVED)
    if trust_ids is not None:
        rows = rows.filter(trust_id__in=list(trust_ids))
    records = [
        [trust_id, quarter, element, decision, pk, person_name(first, last, username), reason,
         iso_utc(approved_at)]
        for trust_id, quarter, element, decision, pk, first, last, username, reason, approved_at in rows.values_list(
            "trust_id", "quarter", "element", "decision", "pk", "approved_by__first_name", "approved_by__last_name",
            "approved_by__username", "reason", "approved_at").order_by("pk")
    ]
    return pd.DataFrame(records, columns=engine.ADJUSTMENT_COLUMNS)


def engine_inputs(rules: engine.SchemeRules, *, trust_ids=None) -> engine.EngineInputs:
    """Every input of one scheme for the whole country (or ``trust_ids``): seven queries in all
    (the approved adjustments on review among them).

    A successor trust's performance includes its predecessors' months before the merger."""
    start = rules.start
    end = rules.month(12)
    allocations = Allocation.objects.filter(scheme_id=rules.scheme_id)
    finance = FinanceReturn.objects.current().filter(month__gte=start, month__lt=end)
    perf_months = [(start, end)]
    if rules.comparison_start:
        perf_months.append((rules.comparison_start, add_months(rules.comparison_start, 12)))
    performance = PerformanceReturn.objects.current().filter(metric__in=rules.metrics)
    months_q = Q()
    for first, after in perf_months:
        months_q |= Q(month__gte=first, month__lt=after)
    performance = performance.filter(months_q)
    trajectories = Trajectory.objects.current().filter(month__gte=start, month__lt=end, metric__in=rules.metrics)
    lineage = predecessor_cutoffs()
    if trust_ids is not None:
        ids = list(trust_ids)
        lineage = {successor: links for successor, links in lineage.items() if successor in set(ids)}
        allocations = allocations.filter(trust_id__in=ids)
        finance = finance.filter(trust_id__in=ids)
        performance = performance.filter(
            trust_id__in=ids + [predecessor for links in lineage.values() for predecessor, _ in links])
        trajectories = trajectories.filter(trust_id__in=ids)
    performance_frame = engine.combine_predecessors(
        _frame(performance, engine.PERFORMANCE_COLUMNS, engine.PERFORMANCE_COLUMNS), lineage)
    if trust_ids is not None:
        performance_frame = performance_frame[performance_frame["trust_id"].isin(ids)]
    return engine.EngineInputs(
        allocations=_frame(
            allocations,
            ["trust_id", "trust__org_code", "trust__trust_type", "stf_allocation", "control_total",
             "control_total_accepted"],
            engine.ALLOCATION_COLUMNS,
        ),
        finance=_frame(finance, engine.FINANCE_COLUMNS, engine.FINANCE_COLUMNS),
        performance=performance_frame,
        trajectories=_frame(trajectories, engine.TRAJECTORY_COLUMNS, engine.TRAJECTORY_COLUMNS),
        adjustments=approved_adjustments(rules.scheme_id, trust_ids=None if trust_ids is None else ids),
    )


def year_end_missing(scheme: Scheme) -> dict:
    """{trust_id: {"finance" or metric: [first days of months]}}: the returns each trust's pending
    quarters wait for, as their stored detail names them (one query). A quarter stored before its
    detail named them says only that its last month's finance return is missing, when it is."""
    waits = {}
    rows = Entitlement.objects.filter(scheme=scheme, pending__gt=0).order_by("trust_id", "quarter")
    for trust_id, quarter, detail in rows.values_list("trust_id", "quarter", "detail"):
        detail = detail or {}
        missing = detail.get("missing")
        if missing is None and (detail.get("finance") or {}).get("ytd_plan") is None:
            missing = {"finance": [f"{add_months(scheme.start_date, quarter * 3 - 1):%Y-%m}"]}
        trust = waits.setdefault(trust_id, {})
        for kind, months in (missing or {}).items():
            trust.setdefault(kind, []).extend(
                datetime.strptime(month, "%Y-%m").date() for month in months)
    # Finance first, then the metrics in their order: the same on every database (PostgreSQL's
    # jsonb keeps object keys in its own order).
    order = {kind: index for index, kind in enumerate(("finance", *(metric.code for metric in METRICS)))}
    return {
        trust_id: {kind: sorted(set(months))
                   for kind, months in sorted(kinds.items(), key=lambda item: order.get(item[0], len(order)))}
        for trust_id, kinds in waits.items()
    }


def year_end_inputs(scheme: Scheme) -> pd.DataFrame:
    """One row per allocated trust: allocation, control total, month-12 actual, the year's sums,
    and the returns its pending quarters wait for. Four queries."""
    allocations = _frame(
        Allocation.objects.filter(scheme=scheme),
        ["trust_id", "trust__org_code", "trust__name", "stf_allocation", "control_total", "control_total_accepted"],
        ["trust_id", "org_code", "trust_name", "stf_allocation", "control_total", "control_total_accepted"],
    )
    last_month = add_months(scheme.end_date, -1)
    actuals = dict(
        FinanceReturn.objects.current().filter(month=last_month).values_list("trust_id", "actual_ytd")
    )
    sums = {
        row["trust_id"]: row
        for row in Entitlement.objects.filter(scheme=scheme).values("trust_id").annotate(
            quarters=Count("id"), earned=Sum("earned"), withheld=Sum("withheld"), pending=Sum("pending")
        )
    }
    zero = Decimal("0.00")
    missing = year_end_missing(scheme)
    allocations["missing"] = [missing.get(t, {}) for t in allocations["trust_id"]]
    allocations["actual_m12"] = [actuals.get(t) for t in allocations["trust_id"]]
    allocations["quarters"] = [sums.get(t, {}).get("quarters", 0) for t in allocations["trust_id"]]
    for name in ("earned", "withheld", "pending"):
        allocations[name] = [sums.get(t, {}).get(name) or zero for t in allocations["trust_id"]]
    return allocations


def _filtered(queryset, **lookups):
    """The queryset narrowed by each lookup that was given (an empty or None value filters nothing)."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})


def eligibility_queryset(*, year=None, quarter=None, org_code=None, region=None, footprint=None,
                         trust_type=None, status=None):
    """Stored entitlements with their trust, region, footprint and scheme, filtered."""
    queryset = Entitlement.objects.select_related("trust", "trust__region", "trust__footprint", "scheme")
    queryset = _filtered(queryset, scheme__code=year, quarter=quarter, trust__org_code=org_code,
                         trust__region__code=region, trust__footprint__code=footprint,
                         trust__trust_type=trust_type, status=status)
    return queryset.order_by("scheme__start_date", "quarter", "trust__org_code")


def schemes_not_in(*, org_code, year=None) -> list[tuple[str, Decimal | None]]:
    """The schemes (or the scheme ``year``) a trust is not in, oldest first, as (code, allocation):
    a £0.00 allocation, or None where no allocation is recorded. Nothing for an unknown trust. One query."""
    allocations = Allocation.objects.filter(scheme=OuterRef("pk"), trust__org_code=org_code)
    schemes = (Scheme.objects.filter(Exists(Trust.objects.filter(org_code=org_code)))
               .exclude(Exists(allocations.filter(stf_allocation__gt=0)))
               .annotate(allocation=Subquery(allocations.values("stf_allocation")[:1])))
    if year:
        schemes = schemes.filter(code=year)
    return list(schemes.order_by("start_date").values_list("code", "allocation"))


def year_end_awards(scheme: Scheme):
    """The year-end incentive and bonus lines of a scheme, with their trusts."""
    return (
        YearEndAward.objects.filter(scheme=scheme)
        .select_related("trust", "trust__region", "trust__footprint", "scheme")
        .order_by("trust__org_code")
    )


def latest_run(*, scheme=None, upload=None):
    """The most recent recompute run, whatever its state (one query): of ``scheme``, of the run
    ``upload`` queued, or of any scope when neither is given."""
    queryset = RecomputeRun.objects.all()
    if scheme is not None:
        queryset = queryset.filter(scheme=scheme)
    if upload is not None:
        queryset = queryset.filter(upload=upload)
    return queryset.order_by("-created_at", "-id").first()


QUEUE_DOWN_MESSAGE = (
    "Recompute queued: the task queue is unavailable just now. The upload is stored and the "
    "recompute will be sent automatically when the queue is back."
)


@dataclass(frozen=True)
class Staleness:
    """Inputs changed that the stored figures do not include yet.

    ``since`` is when the oldest of them changed, ``changes`` how many (scheme, trust) scopes wait.
    ``delayed`` when the recompute that includes them is overdue: the task queue could not be
    reached, or the oldest change is older than ``RECOMPUTE_REQUEUE_AFTER`` seconds.
    """

    since: datetime
    changes: int
    delayed: bool

    @property
    def header(self) -> str:
        """The ``Figures-Status`` header value of an API answer built from these figures."""
        state = "stale-delayed" if self.delayed else "stale"
        return f'{state}; since="{self.since.isoformat()}"; changes={self.changes}'


def staleness(*, year=None, trust=None, org_code=None, now=None) -> Staleness | None:
    """Whether the stored figures in scope are out of date (None when they are current).

    Scope: every scheme, or the scheme ``year``; every trust, or ``trust`` (an id or a Trust, as a
    page has it) or ``org_code`` (as the API is asked): that trust's own changes and those of every
    trust at once. One query when current, at most two when not, whatever the number of trusts or changes.
    """
    changes = InputChange.objects.filter(resolved_at__isnull=True)
    if year is not None:
        changes = changes.filter(scheme__code=year)
    if trust is not None:
        changes = changes.filter(Q(trust=trust) | Q(trust__isnull=True))
    if org_code is not None:
        changes = changes.filter(Q(trust__org_code=org_code) | Q(trust__isnull=True))
    found = changes.aggregate(since=Min("changed_at"), changes=Count("id"))
    if not found["changes"]:
        return None
    now = now or timezone.now()
    delayed = found["since"] < now - timedelta(seconds=settings.RECOMPUTE_REQUEUE_AFTER) or (
        RecomputeRun.objects.filter(state=RunState.QUEUED, message=QUEUE_DOWN_MESSAGE).exists()
    )
    return Staleness(since=found["since"], changes=found["changes"], delayed=delayed)


def data_as_at():
    """When the newest input the stored figures include changed: the newest change a recompute has
    resolved; for figures computed before changes were recorded, when they were computed."""
    newest = InputChange.objects.filter(resolved_at__isnull=False).aggregate(at=Max("changed_at"))["at"]
    return newest or Entitlement.objects.aggregate(at=Max("computed_at"))["at"]


def stale_runs(*, older_than_seconds, now=None):
    """Runs still waiting for a worker: queued, never started, created before the cut-off."""
    now = now or timezone.now()
    return RecomputeRun.objects.filter(
        state=RunState.QUEUED, started_at__isnull=True, created_at__lt=now - timedelta(seconds=older_than_seconds)
    ).order_by("created_at", "id")


def uploads_awaiting_recompute():
    """Stored uploads that asked for a recompute and have no finished run yet."""
    done = RecomputeRun.objects.filter(upload=OuterRef("pk"), state=RunState.DONE)
    return Upload.objects.filter(status=UploadStatus.STORED, recompute_queued=True).exclude(Exists(done))


def adjustments(*, year=None, quarter=None, org_code=None, state=None, trust=None):
    """Adjustments on review with their trust, scheme and people, newest first, filtered (one query)."""
    rows = Adjustment.objects.select_related("trust", "scheme", "proposed_by", "approved_by", "withdrawn_by")
    rows = _filtered(rows, scheme__code=year, quarter=quarter, trust__org_code=org_code, state=state)
    if trust is not None:
        rows = rows.filter(trust=trust)
    return rows.order_by("-proposed_at", "-id")
