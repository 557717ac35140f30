"""Queueing, sending and re-sending recomputes: on commit, with the broker down, runs left queued."""
import datetime

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from finance import dispatch
from finance.models import Entitlement, RecomputeRun
from tests.factories import UploadFactory, scheme
from tests.builders import country


@pytest.fixture(autouse=True)
def empty_cache(fresh_cache):
    """The re-send marks of another test's runs (same ids) must not leak in."""


@pytest.fixture
def broker():
    """Tasks go to a broker (not in-process), as in production."""
    from stftracker.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def sent(monkeypatch, broker):
    """Record what would be sent to Celery instead of sending it."""
    from finance.tasks import recompute_task

    calls = []
    monkeypatch.setattr(recompute_task, "apply_async", lambda args, task_id: calls.append((args[0], task_id)))
    return calls


def test_a_recompute_runs_in_process_while_tasks_are_eager():
    assert dispatch.runs_in_process() is True  # the tests' Celery set-up (tests/conftest.py)


def test_a_recompute_goes_to_a_worker_when_there_is_a_broker(broker):
    assert dispatch.runs_in_process() is False


def make_run(*, age_seconds, state="queued", started=False):
    run = RecomputeRun.objects.create(state=state, trigger="upload", task_id="first-task")
    created = timezone.now() - datetime.timedelta(seconds=age_seconds)
    RecomputeRun.objects.filter(pk=run.pk).update(created_at=created, started_at=created if started else None)
    return run


@pytest.mark.django_db
def test_only_runs_queued_and_never_started_for_longer_than_the_limit_are_sent_again(sent):
    stale = make_run(age_seconds=300)
    make_run(age_seconds=30)  # young: its message is probably on its way
    make_run(age_seconds=300, state="running", started=True)
    make_run(age_seconds=300, state="done", started=True)
    make_run(age_seconds=300, state="queued", started=True)  # waiting for a retry of the task
    assert dispatch.requeue_stale_runs(older_than_seconds=120) == [stale.pk]
    assert [run_id for run_id, _ in sent] == [stale.pk]
    stale.refresh_from_db()
    assert stale.state == "queued" and stale.task_id == sent[0][1] != "first-task"
    assert "Sent again" in stale.message and "first-task" in stale.message
    # Within the same period it is not sent a second time.
    assert dispatch.requeue_stale_runs(older_than_seconds=120) == []
    assert len(sent) == 1


@pytest.mark.django_db
def test_with_the_broker_down_runs_stay_queued_and_say_why(monkeypatch, broker):
    from django.core.cache import cache

    from finance.tasks import recompute_task

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(recompute_task, "apply_async", down)
    first, second = make_run(age_seconds=300), make_run(age_seconds=200)
    assert dispatch.send_recompute(run_id=first.pk) is False
    assert dispatch.requeue_stale_runs(older_than_seconds=120) == []
    for run in (first, second):
        run.refresh_from_db()
        assert run.state == "queued"
    first.refresh_from_db()
    assert first.message == dispatch.QUEUE_DOWN_MESSAGE
    # The failed attempt does not count: the next beat tick tries again at once.
    assert cache.get(f"recompute-resent:{first.pk}") is None


@pytest.mark.django_db
def test_queue_recompute_waits_for_the_commit(django_capture_on_commit_callbacks):
    country(1, quarters=(1,))
    upload = UploadFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = dispatch.queue_recompute(scheme=scheme("2016-17"), trust_ids=[], upload=upload)
    assert run.state == "queued" and run.task_id and len(callbacks) == 1
    assert not Entitlement.objects.exists()
    callbacks[0]()  # the commit: the task runs (in-process in tests)
    run.refresh_from_db()
    assert run.state == "done" and run.upload == upload and run.trust_ids == []
