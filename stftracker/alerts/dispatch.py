"""When the alerts go out besides beat's hourly run: after a recompute task that wrote figures (a
result may have changed), when ALERTS_AFTER_RECOMPUTE is on and anyone subscribes; and a worker
that starts without EMAIL_URL in production says at once that it cannot send mail. The one
sender of ``tasks.send_alerts`` outside beat."""
import logging

from celery.signals import task_success, worker_ready
from django.conf import settings

from .mailconfig import NOT_CONFIGURED, NOT_CONFIGURED_MESSAGE

logger = logging.getLogger(__name__)

RECOMPUTE_TASK = "finance.tasks.recompute_task"


def after_recompute(sender=None, result=None, **kwargs):
    """Queue the alerts after a recompute that wrote rows (in-process when tasks are eager)."""
    if getattr(sender, "name", None) != RECOMPUTE_TASK or not settings.ALERTS_AFTER_RECOMPUTE:
        return
    if not isinstance(result, dict) or result.get("state") != "done" or not result.get("rows_written"):
        return
    from .models import Subscription
    from .tasks import send_alerts

    try:
        if Subscription.objects.filter(active=True).exists():
            send_alerts.apply_async()
    except Exception:  # noqa: BLE001 - the recompute is done; the hourly run sends them instead
        logger.exception("Could not queue the alerts after a recompute")


def say_if_mail_is_not_configured(sender=None, **kwargs):
    if settings.EMAIL_BACKEND == NOT_CONFIGURED:
        logger.error(NOT_CONFIGURED_MESSAGE)


def connect():
    """Listen for recomputes and worker starts (the app's ``ready``)."""
    task_success.connect(after_recompute, dispatch_uid="stftracker.alerts.dispatch.after_recompute")
    worker_ready.connect(say_if_mail_is_not_configured, dispatch_uid="stftracker.alerts.dispatch.mail_configured")
