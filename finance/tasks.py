"""The Celery task that recomputes entitlements on a worker: it takes a run id, loads the run and
calls ``services.recompute``. Celery retries it, with exponential backoff, when the database goes
away; the run says so meanwhile. Sending it is ``finance.dispatch``'s job."""
import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from finance import services
from finance.models import RecomputeRun, RunState

logger = logging.getLogger(__name__)

RETRY_ON = (OperationalError, InterfaceError, ConnectionError)
MAX_RETRIES = 5
# Seconds before retry number n (n = 1, 2, ...): RETRY_BACKOFF * 2**(n - 1) = 5, 10, 20, 40, 80,
# at most RETRY_BACKOFF_MAX; no jitter, so that the run can say when the next attempt comes.
RETRY_BACKOFF = 5
RETRY_BACKOFF_MAX = 300


def _drop_connection():
    """Close a broken connection so that the next query opens a fresh one (never mid-transaction)."""
    if not connection.in_atomic_block:
        connection.close()


class RecomputeTask(Task):
    """Keeps the run's state and message true while Celery retries or stops the recompute."""

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        """The database went away and Celery sent the task again: the run waits for that attempt."""
        _drop_connection()
        run_id = args[0] if args else kwargs["run_id"]
        # The delay autoretry has just used: Celery's own function with the task's options (exact: no jitter).
        countdown = get_exponential_backoff_interval(
            factor=self.retry_backoff, retries=self.request.retries, maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )
        try:
            RecomputeRun.objects.filter(pk=run_id).update(
                state=RunState.QUEUED,
                message=f"The database was unavailable ({exc}); retrying in {countdown} s "
                        f"(attempt {self.request.retries + 2} of {self.max_retries + 1}).",
            )
        except RETRY_ON:
            _drop_connection()

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """The last attempt failed (the run says why: ``services.recompute`` recorded it) or the
        soft time limit stopped the recompute (said here)."""
        if isinstance(exc, RETRY_ON):
            _drop_connection()
        elif isinstance(exc, SoftTimeLimitExceeded):
            run_id = args[0] if args else kwargs["run_id"]
            RecomputeRun.objects.filter(pk=run_id).update(
                state=RunState.FAILED,
                message=f"The recompute took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s and was stopped.",
            )


@shared_task(
    base=RecomputeTask,
    name="finance.tasks.recompute_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    autoretry_for=RETRY_ON,
    max_retries=MAX_RETRIES,
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=False,
    serializer="json",
)
def recompute_task(run_id):
    """Run the recompute of RecomputeRun ``run_id``. Idempotent: a finished run is not redone, and
    a redelivered one rewrites the same rows (an upsert keyed by trust, scheme and quarter)."""
    run = RecomputeRun.objects.select_related("scheme").filter(pk=run_id).first()
    if run is None:
        logger.warning("Recompute run %s does not exist", run_id)
        return {"run": run_id, "state": "missing"}
    if run.state == RunState.DONE:
        return {"run": run.pk, "state": run.state, "rows_written": run.rows_written}
    run = services.recompute(scheme=run.scheme, trust_ids=run.trust_ids, run=run)
    return {"run": run.pk, "state": run.state, "rows_written": run.rows_written, "duration_ms": run.duration_ms}
