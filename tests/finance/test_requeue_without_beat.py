"""Runs left queued are sent again without celery beat: when a worker starts, and after requests
(at most once per RECOMPUTE_REQUEUE_INTERVAL), so a process that died between committing a run
and sending it loses nothing even where beat is not running (it needs Redis)."""
import datetime

import pytest
from celery.signals import worker_ready
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from finance import dispatch
from finance.models import Entitlement, RecomputeRun
from tests.builders import country

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache(fresh_cache):
    """The re-send marks and the last check of another test must not leak in."""


@pytest.fixture
def sent(monkeypatch):
    """Tasks go to a broker, as in production; record what would be sent instead of sending it."""
    from finance.tasks import recompute_task
    from stftracker.celery import app

    calls = []
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    monkeypatch.setattr(recompute_task, "apply_async", lambda args, task_id: calls.append(args[0]))
    yield calls
    app.conf.task_always_eager = saved


def left_queued(*, age_seconds):
    """A run committed ``age_seconds`` ago whose message never reached a worker."""
    run = RecomputeRun.objects.create(state="queued", trigger="upload", task_id="lost-task")
    RecomputeRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=age_seconds))
    return run


def test_a_starting_worker_sends_again_the_runs_left_queued(sent):
    lost, young = left_queued(age_seconds=600), left_queued(age_seconds=5)
    worker_ready.send(sender=None)
    assert sent == [lost.pk]
    lost.refresh_from_db()
    assert lost.task_id != "lost-task" and "Sent again" in lost.message
    young.refresh_from_db()
    assert young.task_id == "lost-task"


@override_settings(RECOMPUTE_REQUEUE_ON_REQUEST=True, RECOMPUTE_REQUEUE_INTERVAL=60)
def test_requests_send_again_the_runs_left_queued_once_per_interval(sent):
    first = left_queued(age_seconds=600)
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert sent == [first.pk]
    # Within the interval, requests do not look again (one query per interval, not per request).
    second = left_queued(age_seconds=600)
    client.get("/healthz")
    client.get("/accounts/login/")
    assert sent == [first.pk]
    # Once the interval is over (its cache key gone), the next request does.
    cache.delete(dispatch.REQUEUE_CHECKED_KEY)
    client.get("/healthz")
    assert sent == [first.pk, second.pk]


@override_settings(RECOMPUTE_REQUEUE_ON_REQUEST=False)
def test_requests_leave_runs_alone_when_told_to(sent):
    left_queued(age_seconds=600)
    Client().get("/healthz")
    assert sent == []


@override_settings(RECOMPUTE_REQUEUE_ON_REQUEST=True)
def test_without_a_broker_the_run_left_queued_is_computed_after_a_request():
    # Tasks run in-process (no Redis): the web process that committed the run died before running it.
    country(1, quarters=(1,))
    lost = left_queued(age_seconds=600)
    assert not Entitlement.objects.exists()
    Client().get("/healthz")
    lost.refresh_from_db()
    assert lost.state == "done"
    assert Entitlement.objects.filter(scheme__code="2016-17", quarter=1).count() == 1
