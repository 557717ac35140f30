"""The tasks celery beat starts on a schedule (see CELERY_BEAT_SCHEDULE): the nightly full
recompute and the re-send of recomputes left queued. Each queues or sends through
``finance.dispatch``, which sends ``finance.tasks.recompute_task``."""
from celery import shared_task

from finance import dispatch


@shared_task(name="finance.periodic.nightly_recompute_task", acks_late=True, serializer="json")
def nightly_recompute_task():
    """The nightly full recompute: every scheme, every trust."""
    run = dispatch.queue_recompute(trigger="nightly")
    return {"run": run.pk}


@shared_task(name="finance.periodic.requeue_stale_runs_task", ignore_result=True, serializer="json")
def requeue_stale_runs_task():
    """Send again the recomputes left queued (Redis was down when they were sent)."""
    return {"resent": dispatch.requeue_stale_runs()}
