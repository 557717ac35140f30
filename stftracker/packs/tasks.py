"""The Celery task that builds a quarterly review pack: it takes a build id and calls
``services.run_build``. Retried with backoff when the database goes away; a finished build is not
redone. Sending it is ``stftracker.packs.dispatch``'s job."""
from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services

RETRY_ON = (OperationalError, InterfaceError, ConnectionError)


@shared_task(
    name="stftracker.packs.tasks.build_pack_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    autoretry_for=RETRY_ON,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=False,
    serializer="json",
)
def build_pack_task(build_id):
    """Build the pack of PackBuild ``build_id`` (its state and progress are on the row)."""
    build = services.run_build(build_id)
    if build is None:
        return {"build": build_id, "state": "missing"}
    return {"build": build.pk, "state": build.state, "size": build.size, "duration_ms": build.duration_ms}
