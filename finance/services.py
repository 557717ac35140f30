"""Writes of the entitlement engine: recompute runs and the recompute itself (in bulk, one
transaction per scheme), year-end awards, and the what-if calculation (which writes nothing).

Sending a recompute to a worker is ``finance.dispatch``'s job; nothing here imports it or the tasks."""
from __future__ import annotations

import logging
import math
import time
from decimal import Decimal
from fractions import Fraction

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from common.errors import DomainError
from common.months import month_name
from finance import engine, reopenings, selectors
from finance.eligibility import not_in_scheme_message, result_record
from finance.models import Allocation, Entitlement, InputChange, RecomputeRun, RunState, Scheme, YearEndAward

logger = logging.getLogger(__name__)

ENTITLEMENT_UPDATE_FIELDS = [
    "status", "allocation", "earned", "withheld", "pending", "finance_met", "detail", "fingerprint", "computed_at",
]
BATCH_SIZE = 500


class RecomputeError(DomainError):
    """A recompute that cannot run as asked (e.g. an unknown scheme)."""


def _lock_scheme(scheme):
    """Serialise recomputes of one scheme: a row lock on PostgreSQL, the write lock on SQLite."""
    if connection.features.has_select_for_update:
        list(Scheme.objects.select_for_update().filter(pk=scheme.pk).values_list("pk", flat=True))
    else:
        # Take SQLite's write lock now, at the start of the transaction, rather than on first write
        # (the plain queryset's update: locking changes no input, so it is not announced as one).
        QuerySet.update(Scheme.objects.filter(pk=scheme.pk), pot=F("pot"))


def _entitlement_rows(scheme, results, now):
    return [
        Entitlement(
            trust_id=result.trust_id, scheme=scheme, quarter=result.quarter, status=result.status,
            allocation=result.allocation, earned=result.earned, withheld=result.withheld, pending=result.pending,
            finance_met=result.finance_met, detail=result.detail, fingerprint=result.fingerprint, computed_at=now,
        )
        for result in results
    ]


def write_entitlements(*, scheme, results, trust_ids=None, now=None) -> int:
    """Upsert the results of one scheme; rows whose fingerprint is unchanged are not rewritten.

    Stored rows in scope that the engine no longer produces (an allocation removed) are deleted.
    Returns the number of rows written or deleted.
    """
    now = now or timezone.now()
    stored = Entitlement.objects.filter(scheme=scheme)
    if trust_ids is not None:
        stored = stored.filter(trust_id__in=list(trust_ids))
    existing = {(t, q): fp for t, q, fp in stored.values_list("trust_id", "quarter", "fingerprint")}
    changed = [r for r in results if existing.get((r.trust_id, r.quarter)) != r.fingerprint]
    if changed:
        Entitlement.objects.bulk_create(
            _entitlement_rows(scheme, changed, now),
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["trust", "scheme", "quarter"],
            update_fields=ENTITLEMENT_UPDATE_FIELDS,
        )
    keep = {(r.trust_id, r.quarter) for r in results}
    stale = [key for key in existing if key not in keep]
    deleted = 0
    for start in range(0, len(stale), BATCH_SIZE):  # rare: only when allocations were removed
        condition = Q()
        for trust_id, quarter in stale[start:start + BATCH_SIZE]:
            condition |= Q(trust_id=trust_id, quarter=quarter)
        deleted += Entitlement.objects.filter(condition, scheme=scheme).delete()[0]
    return len(changed) + deleted


def write_year_end(*, scheme, now=None) -> engine.YearEnd:
    """Compute the year end of a scheme from its stored quarters by its method (incentive and
    bonus, or general distribution) and store one award per trust, the reasons and figures in its
    detail; clear it while any quarter is undecided, when the pool is negative (refused) or when
    the scheme has no year end."""
    now = now or timezone.now()
    rules = selectors.scheme_rules(scheme)
    outcome = engine.compute_year_end(rules, selectors.year_end_inputs(scheme), named=settings.YEAR_END_WAITS_NAMED)
    if not outcome.decided:
        YearEndAward.objects.filter(scheme=scheme).delete()
        return outcome
    YearEndAward.objects.bulk_create(
        [
            YearEndAward(trust_id=line.trust_id, scheme=scheme, eligible=line.eligible, incentive=line.incentive,
                         bonus=line.bonus, general_distribution=line.general_distribution, detail=line.detail,
                         computed_at=now)
            for line in outcome.lines
        ],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["trust", "scheme"],
        update_fields=["eligible", "incentive", "bonus", "general_distribution", "detail", "computed_at"],
    )
    YearEndAward.objects.filter(scheme=scheme).exclude(trust_id__in=[line.trust_id for line in outcome.lines]).delete()
    return outcome


def _update_run(run, **fields):
    RecomputeRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        if not hasattr(value, "resolve_expression"):
            setattr(run, name, value)


def _allocation_count(schemes, trust_ids):
    """The trusts in the schemes (a £0.00 allocation is not in it: the engine gives it no quarters)."""
    allocations = Allocation.objects.filter(scheme__in=schemes if isinstance(schemes, list) else [schemes],
                                            stf_allocation__gt=0)
    if trust_ids is not None:
        allocations = allocations.filter(trust_id__in=trust_ids)
    return allocations.count()


def _trust_scope(trust_ids) -> list[int] | None:
    """Trust ids sorted and without repeats; None (every trust) stays None."""
    return sorted({int(t) for t in trust_ids}) if trust_ids is not None else None


def create_run(*, scheme=None, trust_ids=None, upload=None, trigger="manual", task_id="",
               catch_up=False) -> RecomputeRun:
    """Record a recompute request (state queued) for ``recompute`` to carry out, in-process or on a
    worker. ``trust_ids`` are stored sorted and without repeats; None means every trust.
    ``catch_up``: recompute whatever input changes are unresolved when it runs (scope unused)."""
    return RecomputeRun.objects.create(
        scheme=scheme, trust_ids=_trust_scope(trust_ids), upload=upload, trigger=trigger, state=RunState.QUEUED,
        task_id=task_id, catch_up=catch_up,
    )


def _unresolved(scheme_id, up_to=None):
    changes = InputChange.objects.filter(scheme_id=scheme_id, resolved_at__isnull=True)
    return changes.filter(id__lte=up_to) if up_to is not None else changes


def _pending_scope(scheme_id, up_to=None):
    """(any change at all, the trusts to recompute or None for every trust) of a scheme's unresolved changes."""
    trusts = set(_unresolved(scheme_id, up_to).values_list("trust_id", flat=True).distinct())
    if not trusts:
        return False, []
    return True, (None if None in trusts else sorted(trusts))


def _resolve(scheme_id, trust_ids, up_to, run, now):
    """Mark the scheme's unresolved changes up to ``up_to`` that ``trust_ids`` covers as included."""
    changes = _unresolved(scheme_id, up_to)
    if trust_ids is not None:
        changes = changes.filter(trust_id__in=trust_ids)
    return changes.update(resolved_by_run=run, resolved_at=now)


def recompute(*, scheme=None, trust_ids=None, run=None) -> RecomputeRun:
    """Recompute entitlements synchronously, in-process.

    ``scheme=None`` means every scheme, ``trust_ids=None`` every trust. Each scheme is computed
    and written in its own transaction, holding that scheme's lock, so that two recomputes of the
    same scope never interleave their writes. Progress and the outcome are stored on ``run``
    (created when not given); a failure is recorded there (state failed, message) and re-raised.
    """
    trust_ids = _trust_scope(trust_ids)
    if run is None:
        run = create_run(scheme=scheme, trust_ids=trust_ids)
    started = time.perf_counter()
    try:
        schemes = [scheme] if scheme is not None else list(Scheme.objects.order_by("start_date"))
        if run.catch_up:  # an estimate for the progress: the scope is read again under each scheme's lock
            scopes = {each.pk: _pending_scope(each.pk) for each in schemes}
            schemes = [each for each in schemes if scopes[each.pk][0]]
            total = sum(_allocation_count(each, scopes[each.pk][1]) for each in schemes)
        else:
            total = _allocation_count(schemes, trust_ids)
        _update_run(
            run, state=RunState.RUNNING, started_at=timezone.now(), finished_at=None, duration_ms=None,
            message="", attempts=F("attempts") + 1, progress_done=0, progress_total=total * 4, rows_written=0,
        )
        summary = []
        written_total = 0
        version = None
        for each in schemes:
            with transaction.atomic():
                _lock_scheme(each)
                # Every change committed before this point is in the inputs read below.
                up_to = InputChange.objects.aggregate(newest=Max("id"))["newest"]
                version = max(version or 0, up_to or 0)
                scope = trust_ids
                if run.catch_up:
                    anything, scope = _pending_scope(each.pk, up_to)
                    if not anything:  # another run caught up meanwhile
                        continue
                rules = selectors.scheme_rules(each)
                results = engine.compute_entitlements(rules, selectors.engine_inputs(rules, trust_ids=scope))
                now = timezone.now()
                written = write_entitlements(scheme=each, results=results, trust_ids=scope, now=now)
                year_end = write_year_end(scheme=each, now=now) if rules.has_year_end else None
                if up_to is not None:
                    _resolve(each.pk, scope, up_to, run, now)
                reopenings.close_decided(scheme=each, trust_ids=scope, run=run, now=now)
            written_total += written
            _update_run(run, progress_done=F("progress_done") + len(results), rows_written=F("rows_written") + written)
            text = f"{each.code}: {len(results)} trust-quarters, {written} written"
            if year_end is not None:
                text += f"; year end: {year_end.message}"
            summary.append(text)
        if version is not None:
            _update_run(run, inputs_version=version)
        elapsed = int((time.perf_counter() - started) * 1000)
        _update_run(run, state=RunState.DONE, finished_at=timezone.now(), duration_ms=elapsed,
                    message="; ".join(summary) or ("Nothing had changed: the figures were current."
                                                   if run.catch_up else "No scheme to compute."))
        run.refresh_from_db()
        return run
    except Exception as exc:
        elapsed = int((time.perf_counter() - started) * 1000)
        logger.exception("Recompute %s failed", run.pk)
        try:
            _update_run(run, state=RunState.FAILED, finished_at=timezone.now(), duration_ms=elapsed,
                        message=f"{type(exc).__name__}: {exc}"[:2000])
        except Exception:  # noqa: BLE001 - the database itself may be gone; the task retries
            logger.exception("Could not record the failure of recompute %s", run.pk)
        raise


OVERRIDE_LIMIT = 2**40  # the largest count a scaled what-if quarter may hold: the engine multiplies in int64


def _performance_override(frame: pd.DataFrame, trust_id, metric, months, percent) -> pd.DataFrame:
    """The performance rows with ``metric``'s quarter overridden at ``percent``.

    Months already in keep their figures and the months not yet in are taken to reach ``percent``
    at the average denominator so far (as the outlook counts them: ``finance.engine.outlook``); with
    every month in, or none, or no case so far, the whole quarter is ``percent``. To keep the counts
    whole, the quarter's months of that metric are all multiplied by the same factor (the quarter's
    percentage is unchanged by it)."""
    share = Fraction(Decimal(str(percent))) / 100
    if not 0 <= share <= 1:
        raise RecomputeError(f"Performance must be a percent between 0 and 100, not {percent}.")
    mine = ((frame["trust_id"] == trust_id) & (frame["metric"] == metric) & (frame["month"].isin(months))
            if len(frame) else pd.Series([], dtype=bool))
    present = frame[mine] if len(frame) else frame
    rest = frame[~mine] if len(frame) else frame
    have = set(present["month"]) if len(present) else set()
    missing = [m for m in months if m not in have]
    count, den = len(have), int(present["denominator"].sum()) if len(present) else 0
    if not missing or not count or not den:
        extra = [[trust_id, month, metric, share.numerator, share.denominator] for month in months]
        kept = [rest]
    else:
        month_den = Fraction(den, count)
        month_num = month_den * share
        factor = math.lcm(month_den.denominator, month_num.denominator)
        if factor * max(den, 1) * 3 >= OVERRIDE_LIMIT:
            raise RecomputeError(f"Performance {percent}% has too many decimal places for this quarter's counts.")
        scaled = present.assign(numerator=present["numerator"].astype(object) * factor,
                                denominator=present["denominator"].astype(object) * factor)
        extra = [[trust_id, month, metric, int(month_num * factor), int(month_den * factor)] for month in missing]
        kept = [rest, scaled]
    added = pd.DataFrame(extra, columns=engine.PERFORMANCE_COLUMNS)
    parts = [part for part in kept if len(part)] + [added]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else added


def _finance_override(rules, finance: pd.DataFrame, trust_id, last_month, *, actual_ytd, ytd_plan) -> pd.DataFrame:
    """The finance rows with the quarter's last month's YTD actual (and plan) overridden. While that
    month's return has not arrived, a row is added: the plan given, else the latest plan known of
    the year up to that month; the actual must be given."""
    finance = finance.copy()
    mine = (finance["trust_id"] == trust_id) if len(finance) else pd.Series([], dtype=bool)
    at_end = mine & (finance["month"] == last_month) if len(finance) else mine
    if len(finance) and at_end.any():
        if actual_ytd is not None:
            finance["actual_ytd"] = [Decimal(str(actual_ytd)) if hit else value
                                     for hit, value in zip(at_end, finance["actual_ytd"])]
        if ytd_plan is not None:
            finance["plan_ytd"] = [Decimal(str(ytd_plan)) if hit else value
                                   for hit, value in zip(at_end, finance["plan_ytd"])]
        return finance
    month = month_name(last_month)
    if actual_ytd is None:
        raise RecomputeError(f"The finance return for {month} has not arrived: enter the YTD actual to judge finance.")
    plan = ytd_plan
    if plan is None:
        known = finance[mine & (finance["month"] < last_month)] if len(finance) else finance
        if not len(known):
            raise RecomputeError(f"No finance return of {rules.code} has arrived yet: enter the YTD plan for {month} "
                                 f"as well as the actual.")
        plan = known.sort_values("month")["plan_ytd"].iloc[-1]
    row = pd.DataFrame([[trust_id, last_month, Decimal(str(plan)), Decimal(str(actual_ytd))]],
                       columns=engine.FINANCE_COLUMNS)
    return pd.concat([finance, row], ignore_index=True) if len(finance) else row


def what_if(*, trust, scheme, quarter, performance=None, actual_ytd=None, ytd_plan=None) -> dict:
    """The eligibility record of one trust-quarter with overrides, by the same engine; writes nothing.

    ``performance``: {"ae": Decimal("93.10")}, percent: for the months of the quarter not yet in
    (at the average denominator so far), or the whole quarter when every month or none is in.
    ``actual_ytd`` (and ``ytd_plan``): the YTD figures at the quarter's last month; while its return
    has not arrived the plan defaults to the latest plan known of the year (see
    :func:`_finance_override`). A pending quarter can so be worked out as if its returns were in.
    """
    if quarter not in (1, 2, 3, 4):
        raise RecomputeError(f"Quarter must be 1 to 4, not {quarter!r}.")
    rules = selectors.scheme_rules(scheme)
    inputs = selectors.engine_inputs(rules, trust_ids=[trust.pk])
    months = [rules.month((quarter - 1) * 3 + k) for k in range(3)]
    for metric, percent in (performance or {}).items():
        if metric not in rules.weights:
            raise RecomputeError(f"{scheme.code} does not judge {metric!r}.")
        inputs.performance = _performance_override(inputs.performance, trust.pk, metric, months, percent)
    if actual_ytd is not None or ytd_plan is not None:
        inputs.finance = _finance_override(rules, inputs.finance, trust.pk, months[-1], actual_ytd=actual_ytd,
                                           ytd_plan=ytd_plan)
    results = [r for r in engine.compute_entitlements(rules, inputs) if r.quarter == quarter]
    if not results:
        allocation = next(iter(inputs.allocations["stf_allocation"]), None) if len(inputs.allocations) else None
        raise RecomputeError(f"{trust.org_code}: {not_in_scheme_message(scheme.code, allocation)}")
    return result_record(results[0], trust=trust, scheme_code=scheme.code, computed_at=timezone.now())
