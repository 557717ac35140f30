"""Celery application.

With ``REDIS_URL`` set, tasks go to Redis and run on ``celery -A stftracker worker``.
Without it (the embedded default), ``CELERY_TASK_ALWAYS_EAGER`` runs them in-process.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stftracker.settings")

app = Celery("stftracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
