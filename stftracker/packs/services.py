"""Writes for the quarterly review pack: asking for a pack (served again, built at once, or queued)
and building one, recording its progress and its bytes on the ``PackBuild``.

A pack of the figures as they stand now is served again if one was built at the same inputs'
version (``selectors.inputs_version``); otherwise a quarter of at most ``PACK_INLINE_MAX_TRUSTS``
trusts is built in the request (under a second, see bench/pack.py) and a larger one is queued for
a Celery task (``stftracker.packs.dispatch``), which runs in-process when tasks are eager.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.errors import DomainError
from finance.models import RunState
from stftracker.models import PackBuild

from . import selectors, workbook

PROGRESS_INTERVAL = 0.5  # seconds between progress writes while a build runs


class NoFigures(DomainError):
    """There is nothing to put in the pack (no figures computed for the quarter)."""


@dataclass
class Requested:
    """What a request for a pack got: a build, and whether it is ``ready`` to download now."""

    build: PackBuild
    ready: bool
    queued: bool = False


def request_pack(*, scheme, quarter, user=None, queue) -> Requested:
    """The pack of ``scheme``'s ``quarter`` as the figures stand: a finished build of the same
    version, else a new one built now (small) or handed to ``queue(build)`` (large), unless one of
    the same version is already under way. Raises NoFigures when the quarter has no figures."""
    version = selectors.inputs_version(scheme)
    done = selectors.finished_build(scheme, quarter, version)
    if done is not None:
        return Requested(done, ready=True)
    under_way = selectors.build_under_way(scheme, quarter, version)
    if under_way is not None:
        return Requested(under_way, ready=False)
    trusts = selectors.trusts_in_quarter(scheme, quarter)
    if not trusts:
        raise NoFigures(f"No figures have been computed for {scheme.code} Q{quarter} yet, so there is no pack.")
    build = PackBuild.objects.create(scheme=scheme, quarter=quarter, requested_by=user, inputs_version=version,
                                     progress_total=0)
    if trusts <= settings.PACK_INLINE_MAX_TRUSTS:
        build = run_build(build.pk)
        return Requested(build, ready=build.state == RunState.DONE)
    with transaction.atomic():
        queue(build)
    build.refresh_from_db()  # a task that ran in-process has finished it
    return Requested(build, ready=build.state == RunState.DONE, queued=True)


def _update(build_id, **fields):
    PackBuild.objects.filter(pk=build_id).update(**fields)


def run_build(build_id) -> PackBuild | None:
    """Build the pack of PackBuild ``build_id`` from the stored figures and keep its bytes.

    Idempotent: a finished build is left as it is. Progress (rows of the workbook written) is
    written every PROGRESS_INTERVAL seconds; a failure is recorded on the build and raised. Once
    done, the older finished builds of the same quarter are removed (their figures are superseded)."""
    build = selectors.build_for_poll(build_id)
    if build is None:
        return None
    if build.state == RunState.DONE:
        return selectors.build_with_content(build_id)
    started, clock = timezone.now(), time.perf_counter()
    _update(build.pk, state=RunState.RUNNING, started_at=started, message="")
    last = [time.perf_counter()]

    def report(done, total):
        if done < total and time.perf_counter() - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = time.perf_counter()
        _update(build.pk, progress_done=done, progress_total=total)

    try:
        pack = selectors.pack_data(build.scheme, build.quarter, now=started)
        _update(build.pk, progress_total=pack.row_count)
        data = workbook.workbook_bytes(workbook.build_workbook(pack, on_progress=report))
    except Exception as exc:
        _update(build.pk, state=RunState.FAILED, finished_at=timezone.now(),
                message=f"The pack could not be built: {exc.__class__.__name__}: {exc}")
        raise
    finished = timezone.now()
    _update(build.pk, state=RunState.DONE, content=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            progress_done=pack.row_count, progress_total=pack.row_count, finished_at=finished,
            duration_ms=int((time.perf_counter() - clock) * 1000))
    (PackBuild.objects.filter(scheme=build.scheme_id, quarter=build.quarter, created_at__lt=build.created_at)
     .exclude(state__in=selectors.UNDER_WAY).delete())
    return selectors.build_with_content(build.pk)


def mark_unsent(build_id, reason):
    """The task queue could not take the build: it failed, and the next request starts another."""
    _update(build_id, state=RunState.FAILED, finished_at=timezone.now(),
            message=f"The task queue is unavailable just now ({reason}). Ask for the pack again in a minute.")
