"""Celery tasks: each takes ids, loads the rows and calls one service."""
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from finance import services
from finance.models import RecomputeRun, RunState

logger = logging.getLogger(__name__)

RETRY_ON = (OperationalError, InterfaceError, ConnectionError)
MAX_RETRIES = 5


def _backoff(retries):
    """Seconds before retry number ``retries + 1``: 5, 10, 20, 40, 80 (at most 300)."""
    return min(300, 5 * 2**retries)


def _drop_connection():
    """Close a broken connection so that the next query opens a fresh one (never mid-transaction)."""
    if not connection.in_atomic_block:
        connection.close()


@shared_task(
    bind=True,
    name="finance.tasks.recompute_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=MAX_RETRIES,
    serializer="json",
)
def recompute_task(self, run_id):
    """Run the recompute of RecomputeRun ``run_id``. Idempotent: a finished run is not redone, and
    a redelivered one rewrites the same rows (an upsert keyed by trust, scheme and quarter)."""
    run = RecomputeRun.objects.select_related("scheme").filter(pk=run_id).first()
    if run is None:
        logger.warning("Recompute run %s does not exist", run_id)
        return {"run": run_id, "state": "missing"}
    if run.state == RunState.DONE:
        return {"run": run.pk, "state": run.state, "rows_written": run.rows_written}
    try:
        run = services.recompute(scheme=run.scheme, trust_ids=run.trust_ids, run=run)
    except RETRY_ON as exc:
        _drop_connection()
        if self.request.retries >= MAX_RETRIES:
            raise
        countdown = _backoff(self.request.retries)
        try:
            RecomputeRun.objects.filter(pk=run_id).update(
                state=RunState.QUEUED,
                message=f"The database was unavailable ({exc}); retrying in {countdown} s "
                        f"(attempt {self.request.retries + 2} of {MAX_RETRIES + 1}).",
            )
        except RETRY_ON:
            _drop_connection()
        raise self.retry(exc=exc, countdown=countdown)
    except SoftTimeLimitExceeded:
        RecomputeRun.objects.filter(pk=run_id).update(
            state=RunState.FAILED,
            message=f"The recompute took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s and was stopped.",
        )
        raise
    return {"run": run.pk, "state": run.state, "rows_written": run.rows_written, "duration_ms": run.duration_ms}

