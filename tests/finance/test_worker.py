"""The recompute through a real Celery worker on Redis, started here as a subprocess.

The worker runs the settings the product ships; it gets the test database through DATABASE_URL (a
file on SQLite: see tests/settings.py), and its own queue so that no other worker on the same Redis
takes the task.
"""
import datetime
import io
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal as D
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.db import connection, transaction

from finance import dispatch
from finance.models import Entitlement, InputChange, RecomputeRun
from tests.factories import (
    AllocationFactory, FinanceReturnFactory, PerformanceReturnFactory, TrustFactory, UploadFactory, scheme,
)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/1"


def database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def forget_broker_connections(app):
    """Drop the app's cached broker connections (as Celery does after a fork), so the next task is
    sent with the broker settings of the moment."""
    app._pool = None  # (kombu keeps the pools themselves, per broker URL, for whoever needs them next)
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_on_redis(tmp_path):
    """A real worker on its own queue, and the app switched to the real broker for the test."""
    from stftracker.celery import app

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.fail("The SQLite test database must be a file for the worker to see it (tests/settings.py).")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": database_url(), "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "stftracker.settings", "CELERY_TASK_SOFT_TIME_LIMIT": "60",
           "CELERY_TASK_TIME_LIMIT": "90"}
    celery = ROOT / ".venv" / "bin" / "celery"
    command = [str(celery) if celery.exists() else sys.executable, *([] if celery.exists() else ["-m", "celery"]),
               "-A", "stftracker", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
               "-n", f"{queue}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    saved = {key: app.conf.get(key) for key in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    forget_broker_connections(app)
    try:
        yield log_path
    finally:
        app.conf.update(saved)
        forget_broker_connections(app)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        client.delete(queue)
        print(log_path.read_text()[-5000:])  # shown by pytest when the test fails


def wait_for(run, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in ("done", "failed"):
            return run
        time.sleep(0.2)
    pytest.fail(f"The worker did not finish run {run.pk} in {seconds} s (state {run.state}).")


def wait_for_log(path, line, seconds=15):
    """The worker logs a task's outcome just after the task's own last write: wait for the line."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if line in path.read_text():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_recompute_through_a_real_worker(celery_worker_on_redis):
    # One transaction of input changes: it queues one catch-up recompute, sent to the worker on commit.
    with transaction.atomic():
        upload = UploadFactory()
        good, failing = TrustFactory(), TrustFactory()
        for trust in (good, failing):
            AllocationFactory(trust=trust, scheme=scheme("2016-17"), stf_allocation=D("1000000.02"))
        # Q2: plan -500,000.00; the good trust is on plan, the failing one £1 behind.
        FinanceReturnFactory(trust=good, month=datetime.date(2016, 9, 1), actual_ytd=D("-500000.00"), upload=upload)
        FinanceReturnFactory(trust=failing, month=datetime.date(2016, 9, 1), actual_ytd=D("-500001.00"), upload=upload)
        for month in (7, 8, 9):
            for metric, (num, den) in {"ae": (940, 1000), "rtt": (93, 100), "cancer62": (9, 10)}.items():
                PerformanceReturnFactory(trust=good, month=datetime.date(2016, month, 1), metric=metric, numerator=num,
                                         denominator=den, upload=upload)
    run = wait_for(RecomputeRun.objects.filter(catch_up=True).latest("id"))
    assert run.state == "done", run.message
    # It resolved every change of the transaction, and only those: the figures are current.
    assert set(run.resolved_changes.values_list("trust_id", flat=True)) == {good.pk, failing.pk}
    assert not InputChange.objects.filter(resolved_at__isnull=True).exists()
    assert run.rows_written == 8 and run.progress_done == 8 and run.duration_ms is not None
    assert run.started_at is not None and run.finished_at is not None
    # The task really ran on the worker process, which received it from Redis.
    assert wait_for_log(celery_worker_on_redis, f"Task finance.tasks.recompute_task[{run.task_id}] received")
    assert wait_for_log(celery_worker_on_redis, f"Task finance.tasks.recompute_task[{run.task_id}] succeeded")

    # By hand: Q2 = 1,000,000.02 x 25% = 250,000.005 -> 250,000.01. A&E 12.5% = 31,250.00125 -> 31,250.00
    # (94.00% < 95%, no trajectory: withheld); RTT and cancer met; earned = 250,000.01 - 31,250.00.
    good_q2 = Entitlement.objects.get(trust=good, quarter=2)
    assert (good_q2.status, good_q2.allocation, good_q2.earned, good_q2.withheld, good_q2.pending) == (
        "partial", D("250000.01"), D("218750.01"), D("31250.00"), D("0.00"))
    failing_q2 = Entitlement.objects.get(trust=failing, quarter=2)
    assert (failing_q2.status, failing_q2.withheld) == ("finance_failed", D("250000.01"))
    # Q4 takes the remainder: 1,000,000.02 - 3 x 250,000.01 = 249,999.99, pending (no return yet).
    q4 = Entitlement.objects.get(trust=good, quarter=4)
    assert (q4.status, q4.allocation, q4.pending) == ("pending", D("249999.99"), D("249999.99"))

    # The same run again is a no-op on the worker (idempotent), and a second run rewrites nothing.
    second = wait_for(dispatch.queue_recompute(scheme=scheme("2016-17"), trigger="test"))
    assert second.state == "done" and second.rows_written == 0
    assert RecomputeRun.objects.filter(state="done").count() == 2

    # manage.py recompute goes through the worker too when one is configured, and waits for it.
    out = io.StringIO()
    call_command("recompute", "--year", "2016-17", stdout=out)
    assert "on the Celery worker; waiting" in out.getvalue()
    assert "8 trust-quarters computed, 0 rows written" in out.getvalue()
