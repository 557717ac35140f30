"""A worker killed (SIGKILL) in the middle of a national recompute: the task comes back, the
result equals an undisturbed run, and no reader ever sees a half-written scheme."""
import os
import signal
import threading
import time

import pytest
from django.db import connection
from django.db.models import F

from finance import dependencies, dispatch, services
from finance.models import Allocation, Entitlement, RecomputeRun, Scheme
from tests.factories import UserFactory
from tests.reliability import builders
from tests.reliability.faults import celery_broker, service_env, start_worker, wait_until

CODES = builders.org_codes(30, prefix="RW")
YEARS = ["2016-17", "2017-18", "2018-19"]
FIELDS = ("trust_id", "quarter", "status", "allocation", "earned", "withheld", "pending", "finance_met")


def snapshot():
    """Every scheme's stored entitlements, each scheme read in one statement."""
    return {
        scheme.code: frozenset(Entitlement.objects.filter(scheme=scheme).values_list(*FIELDS))
        for scheme in Scheme.objects.order_by("start_date")
    }


class Reader(threading.Thread):
    """Polls the entitlements of every scheme, on its own connection, while the recompute runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seen = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                self.seen.append(snapshot())
                time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()


def marker_lines(path):
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.services
@pytest.mark.parametrize("victim", ["pool_process", "whole_worker"])
def test_recompute_survives_a_killed_worker(victim, live_pg, redis_proxy, log_dir, tmp_path):
    builders.load_country(UserFactory(username="worker-analyst", role="analyst"), CODES, years=YEARS,
                          failing=CODES[:5])
    before = snapshot()
    assert all(before[year] for year in YEARS)
    # New inputs for every scheme: each allocation grows, so every stored row must change. They queue
    # no run of their own: the run under test, the nightly below, is the only one sent.
    with dependencies.deferred():
        Allocation.objects.update(stf_allocation=F("stf_allocation") + 400000)

    marker = tmp_path / "writes.txt"
    slow_env = service_env(database_url=live_pg.url(), redis_url=redis_proxy.url,
                           STF_FAULT_SLOW_WRITE=2, STF_FAULT_MARKER=marker)
    reader = Reader()
    with celery_broker(redis_proxy.url):
        run = dispatch.queue_recompute(trigger="nightly")  # every scheme, every trust
        reader.start()
        worker = start_worker(env=slow_env, log_dir=log_dir, name="doomed")
        try:
            # Kill while the second scheme's rows are written but not committed.
            wait_until(lambda: len(marker_lines(marker)) >= 2, timeout=40,
                       message=f"the second scheme's write\n{worker.log()[-3000:]}")
            child_pid = int(marker_lines(marker)[1].split()[0])
            if victim == "pool_process":
                os.kill(child_pid, signal.SIGKILL)  # the parent sees the loss and requeues at once
            else:
                worker.kill(signal.SIGKILL)
                worker.process.wait(timeout=10)
            middle = snapshot()
            assert RecomputeRun.objects.get(pk=run.pk).state == "running"
            assert middle[YEARS[0]] != before[YEARS[0]]  # the first scheme was committed
            assert middle[YEARS[1]] == before[YEARS[1]]  # the second was rolled back whole

            if victim == "pool_process":
                survivor = worker
            else:
                # A new worker takes the unacknowledged task back after the visibility timeout.
                fresh_env = service_env(database_url=live_pg.url(), redis_url=redis_proxy.url,
                                        CELERY_VISIBILITY_TIMEOUT=3)
                survivor = start_worker(env=fresh_env, log_dir=log_dir, name="fresh")
            try:
                wait_until(lambda: RecomputeRun.objects.get(pk=run.pk).state == "done", timeout=60,
                           message=f"the redelivered recompute\n{survivor.log()[-3000:]}")
            finally:
                survivor.stop()
        finally:
            worker.stop()
            reader.stop.set()
            reader.join(timeout=10)

    run.refresh_from_db()
    assert run.attempts >= 2
    after = snapshot()
    # An undisturbed recompute of the same data, in-process, changes nothing.
    services.recompute()
    undisturbed = snapshot()
    assert after == undisturbed
    for year in YEARS:
        assert undisturbed[year] != before[year]

    # The reader saw, for every scheme, either the old rows or the new ones: never a mix.
    assert reader.error is None, reader.error
    assert len(reader.seen) > 10
    for seen in reader.seen:
        for year in YEARS:
            assert seen[year] in (before[year], undisturbed[year]), f"{year} was seen half-written"
    assert any(seen[YEARS[0]] == undisturbed[YEARS[0]] and seen[YEARS[1]] == before[YEARS[1]] for seen in reader.seen)
