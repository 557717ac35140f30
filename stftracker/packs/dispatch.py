"""Get a pack build to a Celery worker once the transaction that recorded it commits (in-process
when tasks are eager, as with ``make run`` and the tests). The one importer of ``tasks``."""
import logging
import uuid

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from stftracker.models import PackBuild

from . import services
from .tasks import build_pack_task

logger = logging.getLogger(__name__)

PUBLISH_ERRORS = (KombuOperationalError, RedisError, ConnectionError, TimeoutError, OSError)


def send_build(build_id, task_id):
    """Send the task; a broker that cannot be reached fails the build (the next request starts another)."""
    try:
        build_pack_task.apply_async(args=[build_id], task_id=task_id)
    except PUBLISH_ERRORS as exc:
        logger.warning("Could not send pack build %s to the task queue: %s", build_id, exc)
        services.mark_unsent(build_id, exc)


def queue_build(build):
    """Queue ``build`` for the task, sent when the surrounding transaction commits."""
    task_id = str(uuid.uuid4())
    PackBuild.objects.filter(pk=build.pk).update(task_id=task_id)
    transaction.on_commit(lambda: send_build(build.pk, task_id))
