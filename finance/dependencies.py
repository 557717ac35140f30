"""What a trust-quarter's figures depend on, and marking them for recompute when any of it changes.

RULES.md, "What a result depends on": a trust-quarter's result depends on its scheme's settings,
its allocation and control total, its trust type, its finance, performance and trajectory rows
(a successor's include its predecessors' performance), its approved adjustments on review (an
adjustment feeds its own trust and scheme, and only while approved: approving one, withdrawing an
approved one or deleting it changes the figures; a proposal does not), and, under the prior-year
rule, the same quarter of the comparison scheme. Every one of those models announces its writes
(:mod:`common.inputs`), whoever makes them: the intake, the admin, a service, a command or a data
migration. :func:`on_inputs_changed` turns the announced keys into (scheme, trust) pairs, scheme
settings and trust-wide changes meaning every trust of the scheme, and :func:`mark` records each
as an :class:`~finance.models.InputChange` in the same transaction and queues one catch-up
recompute for the whole transaction, sent to the worker when it commits.

A catch-up recompute (``services.recompute`` of a run with ``catch_up``) computes exactly what
is unresolved and resolves it; the pages and the API say the figures are being recomputed
while anything is unresolved (``finance.selectors.freshness``).
"""
from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager

from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from common.inputs import inputs_changed
from common.months import add_months
from finance import dispatch, services
from finance.models import Adjustment, AdjustmentState, Allocation, FinanceReturn, InputChange, Scheme
from performance.models import PerformanceReturn, Trajectory
from trusts.models import Succession, Trust
from trusts.successions import successors_of

EVERY_TRUST = None


class _Local(threading.local):
    def __init__(self):
        self.deferred = 0
        self.collecting = []  # the states of the enclosing collect() blocks, innermost last


_local = _Local()


@contextmanager
def deferred():
    """Record the changes made inside the block but queue no recompute for them: for a caller that
    recomputes everything afterwards (the demo loader). The figures say they are out of date until then."""
    _local.deferred += 1
    try:
        yield
    finally:
        _local.deferred -= 1


@contextmanager
def collect():
    """Gather the changes made inside the block into one recompute of their own, queued when the block
    ends and sent when the transaction commits: an upload's own run (``state.run``; None when nothing
    changed). Outside such a block each transaction gathers its changes into one run (the admin, the shell)."""
    state = _Transaction(register=False)
    _local.collecting.append(state)
    try:
        yield state
    finally:
        _local.collecting.remove(state)
    if state.run is not None:
        transaction.on_commit(state.commit)


# --- From changed rows to the figures they feed -------------------------------------------

def _schemes():
    """(id, first month, month after the last, comparison scheme id) of every scheme."""
    return [(pk, start, add_months(start, 12), comparison)
            for pk, start, comparison in Scheme.objects.values_list("id", "start_date", "comparison_scheme_id")]


def _with_dependents(scheme_ids, schemes):
    """``scheme_ids`` and every scheme that compares itself with one of them, at any depth."""
    found = set(scheme_ids)
    while True:
        more = {pk for pk, _, _, comparison in schemes if comparison in found and pk not in found}
        if not more:
            return found
        found |= more


def _schemes_of_month(month, schemes):
    return {pk for pk, start, after, _ in schemes if start <= month < after}


def affected(model, keys) -> set[tuple[int, int | None]]:
    """The (scheme id, trust id or None for every trust) whose figures the changed ``keys`` of
    ``model`` feed (see the module's docstring)."""
    schemes = _schemes()
    all_ids = {pk for pk, _, _, _ in schemes}
    pairs = set()
    if model is Scheme:
        changed = {key["id"] for key in keys} & all_ids
        pairs = {(pk, EVERY_TRUST) for pk in _with_dependents(changed, schemes)}
    elif model is Allocation:
        pairs = {(key["scheme_id"], key["trust_id"]) for key in keys if key["scheme_id"] in all_ids}
    elif model is Adjustment:
        pairs = {(key["scheme_id"], key["trust_id"]) for key in keys
                 if key["state"] == AdjustmentState.APPROVED and key["scheme_id"] in all_ids}
    elif model is Trust:
        pairs = {(pk, key["id"]) for key in keys for pk in all_ids}
    elif model is Succession:
        trusts = {key["successor_id"] for key in keys}
        trusts |= successors_of(trusts)
        pairs = {(pk, trust) for trust in trusts for pk in all_ids}
    elif model in (FinanceReturn, Trajectory):
        pairs = {(pk, key["trust_id"]) for key in keys for pk in _schemes_of_month(key["month"], schemes)}
    elif model is PerformanceReturn:
        by_trust = {}
        for key in keys:
            by_trust.setdefault(key["trust_id"], set()).update(_schemes_of_month(key["month"], schemes))
        successors = {trust: successors_of([trust]) for trust in by_trust} if Succession.objects.exists() else {}
        for trust, scheme_ids in by_trust.items():
            for pk in _with_dependents(scheme_ids, schemes):
                pairs.update((pk, each) for each in {trust} | successors.get(trust, set()))
    return pairs


@receiver(inputs_changed, dispatch_uid="finance-dependencies")
def on_inputs_changed(sender, keys, **kwargs):
    """Mark the figures the changed rows feed (connected when the app is ready)."""
    mark(affected(sender, keys), source=sender._meta.label_lower)


# --- Recording the changes and queueing their recompute ----------------------------------

class _Transaction:
    """What this transaction has marked so far, and the one run it queued for it (sent on commit)."""

    def __init__(self, register=True):
        self.recorded = set()
        self.run = None
        self.task_id = None
        self.sent = False
        if register:
            transaction.on_commit(self.commit)

    def commit(self):
        self.sent = True
        if self.run is not None:
            dispatch.send_recompute(run_id=self.run.pk, task_id=self.task_id)

    def alive(self):
        """Still the open transaction that registered it (a rollback discards the callback), not yet committed."""
        if self.sent or not connection.in_atomic_block:
            return False
        return any(entry[1] == self.commit for entry in connection.run_on_commit)


def _state() -> _Transaction:
    """The innermost collect() block's record of changes, else this transaction's (mark opens one)."""
    if _local.collecting:
        return _local.collecting[-1]
    state = getattr(connection, "_figures_changes", None)
    if state is not None and state.alive():
        return state
    state = _Transaction()
    connection._figures_changes = state
    return state


def mark(pairs, *, source: str) -> None:
    """Record that the figures of each (scheme id, trust id or None) are out of date, and queue the
    recompute that brings them up to date once the transaction commits (unless :func:`deferred`)."""
    pairs = set(pairs)
    if not pairs:
        return
    with transaction.atomic(savepoint=False):  # autocommit: the change, its run and the send on commit, together
        state = _state()
        trusts = {trust for _, trust in pairs if trust is not None}
        existing = set(Trust.objects.filter(pk__in=trusts).values_list("pk", flat=True)) if trusts else set()
        # A trust that is gone (deleted in this transaction) leaves its scheme to be recomputed whole.
        pairs = {(scheme, trust if trust is None or trust in existing else EVERY_TRUST) for scheme, trust in pairs}
        new = sorted(pairs - state.recorded, key=lambda pair: (pair[0], pair[1] or 0))
        if new:
            now = timezone.now()
            InputChange.objects.bulk_create(
                [InputChange(scheme_id=scheme, trust_id=trust, source=source[:60], changed_at=now)
                 for scheme, trust in new],
                batch_size=1000,
            )
            state.recorded |= set(new)
        if not _local.deferred and state.run is None:
            state.task_id = str(uuid.uuid4())
            state.run = services.create_run(trigger="change", task_id=state.task_id, catch_up=True)
