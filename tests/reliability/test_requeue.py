"""The fail-safe cache, and the settings that re-sending recomputes left queued and the cache rely on
(the re-sending itself: tests/finance/test_dispatch.py)."""
import json
import subprocess

from stftracker.cache import FailSafeRedisCache
from tests.reliability.faults import PYTHON, ROOT, service_env


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
        env=service_env(database_url="sqlite:///unused.sqlite3", **env),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_redelivery_requeueing_and_the_cache_are_configured_from_the_environment():
    configured = _settings_in_a_process(CELERY_VISIBILITY_TIMEOUT=45, RECOMPUTE_REQUEUE_INTERVAL=15,
                                        REDIS_URL="redis://127.0.0.1:6379/2")
    assert configured["transport"]["visibility_timeout"] == 45
    assert configured["transport"]["unacked_restore_interval"] == 4
    assert configured["beat"]["requeue-stale-recomputes"] == ["finance.periodic.requeue_stale_runs_task", "15.0"]
    assert "finance.periodic" in configured["imports"]
    assert configured["cache"] == "stftracker.cache.FailSafeRedisCache"
    assert configured["middleware"][1] == "stftracker.middleware.DatabaseUnavailableMiddleware"
    default = _settings_in_a_process()
    assert default["transport"]["visibility_timeout"] == 600  # longer than the hard time limit
    assert default["beat"]["requeue-stale-recomputes"][1] == "60.0"
