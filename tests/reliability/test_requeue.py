"""Re-sending recomputes left queued, the fail-safe cache, and the settings they rely on."""
import datetime
import json
import subprocess

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from finance import reliability
from finance.models import RecomputeRun
from stftracker.cache import FailSafeRedisCache
from tests.reliability.faults import PYTHON, ROOT, service_env


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()  # the re-send marks of another test's runs (same ids) must not leak in
    yield
    cache.clear()


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
    assert reliability.requeue_stale_runs(older_than_seconds=120) == [stale.pk]
    assert [run_id for run_id, _ in sent] == [stale.pk]
    stale.refresh_from_db()
    assert stale.state == "queued" and stale.task_id == sent[0][1] != "first-task"
    assert "Sent again" in stale.message and "first-task" in stale.message
    # Within the same period it is not sent a second time.
    assert reliability.requeue_stale_runs(older_than_seconds=120) == []
    assert len(sent) == 1


@pytest.mark.django_db
def test_with_the_broker_down_runs_stay_queued_and_say_why(monkeypatch, broker):
    from django.core.cache import cache

    from finance.tasks import recompute_task

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(recompute_task, "apply_async", down)
    first, second = make_run(age_seconds=300), make_run(age_seconds=200)
    assert reliability.send_recompute(run_id=first.pk) is False
    assert reliability.requeue_stale_runs(older_than_seconds=120) == []
    for run in (first, second):
        run.refresh_from_db()
        assert run.state == "queued"
    first.refresh_from_db()
    assert first.message == reliability.QUEUE_DOWN_MESSAGE
    # The failed attempt does not count: the next beat tick tries again at once.
    assert cache.get(f"recompute-resent:{first.pk}") is None


def test_the_fail_safe_cache_turns_redis_errors_into_misses(redis_proxy):
    cache = FailSafeRedisCache(redis_proxy.url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})
    cache.set("page", "cached", 60)
    assert cache.get("page") == "cached"
    redis_proxy.cut()
    assert cache.get("page") is None
    assert cache.get("page", "default") == "default"
    assert cache.add("other", 1) is False
    cache.set("page", "new")  # no error
    assert cache.get_many(["page", "other"]) == {}
    assert cache.has_key("page") is False
    assert cache.incr("counter", 3) == 3
    cache.delete("page")
    redis_proxy.restore()
    assert cache.get("page") == "cached"  # Redis itself kept it; the cut changed nothing


def _settings_in_a_process(**env):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'transport': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'imports': s.CELERY_IMPORTS, "
        "'beat': {k: [v['task'], str(v['schedule'])] for k, v in s.CELERY_BEAT_SCHEDULE.items()}, "
        "'cache': s.CACHES['default']['BACKEND'], 'middleware': s.MIDDLEWARE}))"
    )
    done = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=service_env(database_url="sqlite:///unused.sqlite3", DJANGO_SETTINGS_MODULE="stftracker.settings", **env),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_redelivery_requeueing_and_the_cache_are_configured_from_the_environment():
    configured = _settings_in_a_process(CELERY_VISIBILITY_TIMEOUT=45, RECOMPUTE_REQUEUE_INTERVAL=15,
                                        REDIS_URL="redis://127.0.0.1:6379/2")
    assert configured["transport"]["visibility_timeout"] == 45
    assert configured["transport"]["unacked_restore_interval"] == 4
    assert configured["beat"]["requeue-stale-recomputes"] == ["finance.reliability_tasks.requeue_stale_runs_task", "15.0"]
    assert "finance.reliability_tasks" in configured["imports"]
    assert configured["cache"] == "stftracker.cache.FailSafeRedisCache"
    assert configured["middleware"][1] == "stftracker.middleware.DatabaseUnavailableMiddleware"
    default = _settings_in_a_process()
    assert default["transport"]["visibility_timeout"] == 600  # longer than the hard time limit
    assert default["beat"]["requeue-stale-recomputes"][1] == "60.0"
