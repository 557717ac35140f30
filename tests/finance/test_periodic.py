"""The tasks celery beat starts: the nightly full recompute and the re-send of runs left queued."""
import datetime

import pytest
from django.utils import timezone

from finance.models import Entitlement, RecomputeRun
from finance.periodic import nightly_recompute_task, requeue_stale_runs_task
from tests.builders import country

pytestmark = pytest.mark.django_db


def test_the_nightly_task_queues_a_recompute_of_every_scheme_and_trust(django_capture_on_commit_callbacks):
    trusts = country(2, quarters=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        result = nightly_recompute_task.apply()  # sent on commit; in-process in tests, so it runs then
    run = RecomputeRun.objects.get(pk=result.result["run"])
    assert (run.trigger, run.scheme, run.trust_ids, run.state) == ("nightly", None, None, "done")
    assert Entitlement.objects.filter(trust__in=trusts).count() == 8


def test_the_requeue_task_sends_again_the_runs_left_queued():
    waiting = RecomputeRun.objects.create(trigger="upload", task_id="first-task")
    RecomputeRun.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert requeue_stale_runs_task.apply().result == {"resent": [waiting.pk]}
    waiting.refresh_from_db()
    assert waiting.state == "done"  # in-process in tests: run as it was sent
