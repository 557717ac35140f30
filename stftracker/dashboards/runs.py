"""Recompute now: an analyst brings every figure up to date and follows the run's progress.

The figures normally catch up by themselves (every input change queues its recompute on commit);
this is for when they say they are out of date and the analyst does not want to wait for the
queue's next retry, or after a change made outside the product.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from finance import dispatch, selectors
from finance.models import RecomputeRun, RunState
from trusts.roles import is_analyst

MANUAL = "manual"
UNDER_WAY = (RunState.QUEUED, RunState.RUNNING)
# What asked for a run (RecomputeRun.trigger), as the page says it.
TRIGGER_WORDS = {
    "manual": "an analyst's Recompute now",
    "upload": "an upload",
    "change": "a change to the inputs",
    "nightly": "the nightly check",
    "command": "the recompute command",
}


def trigger_words(trigger):
    return TRIGGER_WORDS.get(trigger, "another request")


def _analyst_only(request):
    if not is_analyst(request.user):
        raise PermissionDenied("Only analysts may recompute the figures.")


@login_required
@require_POST
def recompute_now(request):
    """Queue a recompute of every scheme and trust, unless one asked for by hand is under way."""
    _analyst_only(request)
    with transaction.atomic():
        run = (RecomputeRun.objects.select_for_update()
               .filter(trigger=MANUAL, scheme__isnull=True, trust_ids__isnull=True, state__in=UNDER_WAY)
               .order_by("-id").first())
        if run is not None:
            messages.info(request, f"Recompute {run.pk} of every figure is already under way: its progress is below.")
        else:
            run = dispatch.queue_recompute(trigger=MANUAL)
            messages.success(request, f"Recompute {run.pk} of every figure is queued.")
    return redirect("recompute-run", pk=run.pk)


@login_required
@require_GET
def recompute_run(request, pk):
    """One run's state and progress; the page refreshes itself until the run has finished."""
    _analyst_only(request)
    run = get_object_or_404(RecomputeRun.objects.select_related("scheme", "upload"), pk=pk)
    under_way = run.state in UNDER_WAY
    return render(request, "dashboard/recompute.html", {
        "title": f"Recompute {run.pk}", "run": run, "refresh": under_way, "trigger": trigger_words(run.trigger),
        "percent": round(100 * run.progress_done / run.progress_total) if run.progress_total else None,
        "still_stale": None if under_way else selectors.staleness(),
    })
