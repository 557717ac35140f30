"""Redis (broker and cache) down during an upload: the upload is stored with its recompute
queued, pages keep working, and the recompute runs once Redis is back."""
import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from finance.dispatch import requeue_stale_runs
from finance.models import Entitlement, FinanceReturn, RecomputeRun
from finance.selectors import uploads_awaiting_recompute
from stftracker.accounts.tokens import create_token
from tests.factories import UserFactory
from tests.reliability import builders
from tests.reliability.faults import (
    celery_broker, failsafe_cache_settings, service_env, start_worker, wait_until,
)
from trusts.models import Upload, UploadStatus

CODES = builders.org_codes(4)
Q1_ALLOCATION = "300000.00"  # £1,200,000 a year, a quarter each in 2016/17


def q1(code):
    return Entitlement.objects.get(trust__org_code=code, scheme__code="2016-17", quarter=1)


def may_correction_csv():
    # A corrected May for RL001: still on plan, so nothing changes but the data.
    return builders.finance_csv([(CODES[1], "2016-05", -200000, -185000)])


def june_failure_csv():
    # RL000's June actual falls below plan: it fails the finance test and loses all of Q1.
    return builders.finance_csv([(CODES[0], "2016-06", -300000, -400000)])


@pytest.mark.services
def test_upload_while_redis_is_down_is_stored_queued_and_recomputed_when_it_is_back(live_pg, redis_proxy, log_dir):
    analyst = UserFactory(username="redis-analyst", role="analyst")
    # Trusts, plans and a first quarter in which every trust earns everything (recomputed in-process).
    builders.load_country(analyst, CODES)
    assert q1(CODES[0]).status == "full" and str(q1(CODES[0]).earned) == Q1_ALLOCATION
    _, secret = create_token(user=analyst, name="client", read_only=False)

    # A worker with its beat (re-sending runs queued for more than 2 s, every second) is running
    # when Redis goes away.
    env = service_env(database_url=live_pg.url(), redis_url=redis_proxy.url,
                      RECOMPUTE_REQUEUE_INTERVAL=1, RECOMPUTE_REQUEUE_AFTER=2)
    worker = start_worker(env=env, log_dir=log_dir, beat=True)
    try:
        with celery_broker(redis_proxy.url), override_settings(CACHES=failsafe_cache_settings(redis_proxy.url)):
            wait_until(lambda: " ready." in worker.log(), timeout=30, message=f"the worker\n{worker.log()[-2000:]}")
            redis_proxy.cut()
            uploads, runs = upload_while_redis_is_down(analyst, secret)

            # While Redis is still down, re-sending fails quietly and leaves the runs queued.
            assert requeue_stale_runs(older_than_seconds=0) == []
            assert set(runs.values_list("state", flat=True)) == {"queued"}

            # Redis is back: the worker reconnects, its beat re-sends the runs left queued, they run.
            redis_proxy.restore()
            wait_until(lambda: not runs.exclude(state="done").exists(), timeout=60,
                       message=f"the queued recomputes to run\n{worker.log()[-3000:]}")
    finally:
        worker.stop()
    assert "requeue_stale_runs_task" in worker.log()

    failed = q1(CODES[0])
    assert failed.status == "finance_failed"
    assert str(failed.earned) == "0.00" and str(failed.withheld) == Q1_ALLOCATION
    assert q1(CODES[1]).status == "full"
    assert list(uploads_awaiting_recompute()) == []
    client = Client()
    client.force_login(analyst)
    june = uploads.get(file_name="june.csv")
    assert "Done" in client.get(f"/uploads/{june.pk}/").content.decode()


def upload_while_redis_is_down(analyst, secret):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    # The pages keep working without the cache.
    assert client.get("/").status_code == 200
    assert client.get(f"/trusts/{CODES[0]}/").status_code == 200
    assert client.get("/api/v1/eligibility/?year=2016-17&quarter=1").status_code == 200
    assert cache.get("anything", "missed") == "missed"

    # An upload through the API (a token; the throttle's cache is down too) ...
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {secret}")
    response = api.post("/api/v1/uploads/", {"file": SimpleUploadedFile("may.csv", may_correction_csv())})
    assert response.status_code == 201, response.content.decode()[:2000]
    assert response.json()["status"] == "stored" and response.json()["run_state"] == "queued"

    # ... and one through the upload pages (preview, then confirm).
    preview = client.post("/uploads/preview/", {"file": SimpleUploadedFile("june.csv", june_failure_csv())})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    confirm = client.post("/uploads/confirm/", {"token": preview.context["confirm"].initial["token"]})
    assert confirm.status_code == 302, confirm.content.decode()[:2000]
    upload = Upload.objects.get(file_name="june.csv")
    assert confirm["Location"] == f"/uploads/{upload.pk}/"

    # Both stored, and marked as waiting for their recompute.
    uploads = Upload.objects.filter(file_name__in=["may.csv", "june.csv"])
    assert {(u.status, u.recompute_queued) for u in uploads} == {(UploadStatus.STORED, True)}
    june = FinanceReturn.objects.current().get(trust__org_code=CODES[0], month=datetime.date(2016, 6, 1))
    assert june.actual_ytd == -400000 and june.upload_id == upload.pk
    runs = RecomputeRun.objects.filter(upload__in=uploads)
    assert runs.count() == 2
    assert {(r.state, r.started_at) for r in runs} == {("queued", None)}
    detail = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "Queued" in detail and "task queue is unavailable" in detail
    assert q1(CODES[0]).status == "full"  # not recomputed yet
    assert set(uploads_awaiting_recompute()) == set(uploads)
    return uploads, runs
