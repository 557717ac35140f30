"""The Celery task that sends the alerts due (``services.send_alerts``): every hour from beat
(CELERY_BEAT_SCHEDULE), and after a recompute that wrote figures (``dispatch``); in-process when
tasks are eager, as with ``make run``. Running it twice, or twice at once, sends nothing twice."""
from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="stftracker.alerts.tasks.send_alerts",
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    serializer="json",
)
def send_alerts():
    """Send the alerts due that were not sent before; counts of sent and skipped."""
    return services.send_alerts().as_dict()
