"""Celery beat task that re-sends recompute runs left queued (see finance.reliability)."""
from celery import shared_task

from finance import reliability


@shared_task(name="finance.reliability_tasks.requeue_stale_runs_task", ignore_result=True, serializer="json")
def requeue_stale_runs_task():
    return {"resent": reliability.requeue_stale_runs()}
