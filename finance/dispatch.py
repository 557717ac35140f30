"""Get recomputes to a Celery worker, and keep them from being lost when the queue (Redis) is down.

A recompute is recorded as a ``RecomputeRun`` (state ``queued``) in the same transaction as the
upload that asks for it, and only sent to Celery once that transaction commits. If the send fails
(Redis down), the run stays ``queued`` and the upload stays stored; ``requeue_stale_runs`` sends
such runs again once the queue is back. Sending twice is harmless: the task skips a finished run
and the recompute is an upsert. It runs from celery beat (``finance.periodic``), when a worker
starts, and after web requests at most once per RECOMPUTE_REQUEUE_INTERVAL
(``requeue_stale_runs_if_due``, see ``stftracker.middleware``): beat needs Redis, and a process
that dies between committing a run and sending it (or, with no Redis, running it) leaves it
queued whether or not beat is there.

With no Redis configured (CELERY_TASK_ALWAYS_EAGER) the task runs in-process when sent.
This is the one module that sends ``finance.tasks.recompute_task``.
"""
import logging
import uuid

from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from finance import selectors, services
from finance.selectors import QUEUE_DOWN_MESSAGE
from finance.models import RecomputeRun, RunState
from finance.tasks import recompute_task

logger = logging.getLogger(__name__)

PUBLISH_ERRORS = (KombuOperationalError, RedisError, ConnectionError, TimeoutError, OSError)
REQUEUE_CHECKED_KEY = "recompute-requeue-checked"


def runs_in_process() -> bool:
    """True when a sent recompute runs at once in this process (no worker: tasks are eager)."""
    return bool(recompute_task.app.conf.task_always_eager)


def send_recompute(*, run_id, task_id=None) -> bool:
    """Send ``finance.tasks.recompute_task(run_id)`` to Celery; False (and the run left queued,
    with a message saying so) when the broker cannot be reached. Never raises for a broker error."""
    task_id = task_id or str(uuid.uuid4())
    if runs_in_process():  # nothing to reach, errors are the task's own
        recompute_task.apply_async(args=[run_id], task_id=task_id)
        return True
    try:
        recompute_task.apply_async(args=[run_id], task_id=task_id)
    except PUBLISH_ERRORS as exc:
        logger.warning("Could not send recompute run %s to the task queue: %s", run_id, exc)
        RecomputeRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(message=QUEUE_DOWN_MESSAGE)
        return False
    return True


def queue_recompute(*, scheme=None, trust_ids=None, upload=None, trigger="upload") -> RecomputeRun:
    """Create a queued run and send it to Celery once the surrounding transaction commits."""
    task_id = str(uuid.uuid4())
    run = services.create_run(scheme=scheme, trust_ids=trust_ids, upload=upload, trigger=trigger, task_id=task_id)
    # Redis down: the run stays queued (and says so) and beat sends it again later.
    transaction.on_commit(lambda: send_recompute(run_id=run.pk, task_id=task_id))
    return run


def requeue_stale_runs(*, older_than_seconds=None, now=None, limit=100) -> list[int]:
    """Send again the runs left ``queued`` for more than ``older_than_seconds``.

    A run is re-sent at most once per ``older_than_seconds`` (a short-lived cache key), so that a
    long backlog behind busy workers is not multiplied. Stops at the first send that fails: the
    queue is still down and the next beat tick will try again. Returns the ids re-sent.
    """
    older_than = older_than_seconds if older_than_seconds is not None else settings.RECOMPUTE_REQUEUE_AFTER
    sent = []
    waiting = selectors.stale_runs(older_than_seconds=older_than, now=now).values_list("id", "task_id")[:limit]
    for run_id, task_id in waiting:
        mark = f"recompute-resent:{run_id}"
        if cache.get(mark) is not None:  # sent again lately (a cache that is down answers None)
            continue
        new_task_id = str(uuid.uuid4())
        if not send_recompute(run_id=run_id, task_id=new_task_id):
            break
        cache.set(mark, 1, timeout=max(1, int(older_than)))
        RecomputeRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
            task_id=new_task_id,
            message=f"Sent again to the task queue at {timezone.now():%Y-%m-%d %H:%M:%S %Z} "
                    f"(waiting since it was queued; earlier task {task_id or 'none'}).",
        )
        sent.append(run_id)
    if sent:
        logger.warning("Re-sent %d recompute run(s) left queued: %s", len(sent), sent)
    return sent


def requeue_stale_runs_if_due() -> list[int]:
    """``requeue_stale_runs`` unless the processes sharing the cache looked within the last
    RECOMPUTE_REQUEUE_INTERVAL seconds (``cache.add`` claims the interval; a cache that is down
    claims nothing, and then the queue, Redis too, is down). Returns the ids re-sent."""
    if not cache.add(REQUEUE_CHECKED_KEY, 1, timeout=max(1, int(settings.RECOMPUTE_REQUEUE_INTERVAL))):
        return []
    return requeue_stale_runs()


@worker_ready.connect(dispatch_uid="finance.dispatch.requeue_on_worker_start")
def requeue_on_worker_start(sender=None, **kwargs):
    """A starting worker sends again what waited for it (a run whose sender died, with no beat)."""
    try:
        requeue_stale_runs()
    except Exception:  # the worker starts all the same; beat or a request will try again
        logger.exception("Could not re-send the recomputes left queued as the worker started")
