"""The recompute task: Celery retries it when the database goes away, and the run says so."""
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError

from finance import services
from finance.models import Entitlement, RecomputeRun
from finance.tasks import MAX_RETRIES, recompute_task
from tests.factories import scheme
from tests.builders import country

pytestmark = pytest.mark.django_db


def test_the_task_retries_when_the_database_goes_away():
    trust = country(1, quarters=(1,))[0]
    real = services.recompute
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    run = RecomputeRun.objects.create(scheme=scheme("2016-17"), trust_ids=[trust.pk])
    with mock.patch("finance.tasks.services.recompute", side_effect=flaky):
        # As in production without a worker: eager, errors not propagated, so Celery runs the retry.
        result = recompute_task.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert len(calls) == 2 and run.state == "done" and result.result["state"] == "done"
    assert Entitlement.objects.filter(trust=trust).count() == 4


def test_the_task_gives_up_after_its_retries_and_the_run_says_failed():
    run = RecomputeRun.objects.create(scheme=scheme("2016-17"))
    with mock.patch("finance.services.selectors.engine_inputs", side_effect=OperationalError("connection lost")):
        recompute_task.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert run.state == "failed" and "connection lost" in run.message
    assert run.attempts == MAX_RETRIES + 1


def test_a_finished_run_is_not_redone():
    country(1, quarters=(1,))
    run = services.recompute(scheme=scheme("2016-17"))
    with mock.patch("finance.tasks.services.recompute") as again:
        recompute_task.apply(args=[run.pk])
    assert not again.called


def test_while_it_retries_the_run_says_when_the_next_attempt_comes():
    run = RecomputeRun.objects.create(scheme=scheme("2016-17"))
    seen = []

    def lost(**kwargs):
        stored = RecomputeRun.objects.get(pk=run.pk)
        seen.append((stored.state, stored.message))
        raise OperationalError("connection lost")

    with mock.patch("finance.tasks.services.recompute", side_effect=lost):
        result = recompute_task.apply(args=[run.pk], throw=False)
    assert seen == [("queued", "")] + [
        ("queued", f"The database was unavailable (connection lost); retrying in {seconds} s (attempt {attempt} of 6).")
        for attempt, seconds in [(2, 5), (3, 10), (4, 20), (5, 40), (6, 80)]
    ]
    assert result.state == "FAILURE" and isinstance(result.result, OperationalError)


def test_a_recompute_stopped_by_the_soft_time_limit_says_so():
    run = RecomputeRun.objects.create(scheme=scheme("2016-17"))
    with mock.patch("finance.services.selectors.engine_inputs", side_effect=SoftTimeLimitExceeded()):
        result = recompute_task.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert result.state == "FAILURE" and run.state == "failed" and run.attempts == 1  # not retried
    assert run.message == f"The recompute took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s and was stopped."
