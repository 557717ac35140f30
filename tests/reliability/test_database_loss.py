"""Losing the database in the middle of a request: a clear 503, no stack trace, nothing stored."""
import datetime

import pytest
import requests
from django.db import OperationalError
from django.test import Client, override_settings

from finance.models import FinanceReturn
from tests.factories import FinanceReturnFactory, TrustFactory, UserFactory
from tests.reliability import builders
from tests.reliability.faults import DatabaseLoss, OnQuery, free_port, inserting_into, service_env, start_web, wait_until
from stftracker.intake.importing import UNFINISHED
from trusts.models import Upload, UploadStatus

TRACE_MARKERS = ("Traceback", "OperationalError", 'File "/', "site-packages")


def assert_no_trace(text):
    for marker in TRACE_MARKERS:
        assert marker not in text, f"{marker!r} leaked into the response"


@pytest.fixture
def analyst_client(db):
    user = UserFactory(username="reliability-analyst", role="analyst")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_page_that_loses_the_database_gets_a_503_page(analyst_client):
    with DatabaseLoss():
        response = analyst_client.get("/healthz")
        page = analyst_client.get("/uploads/")
    for each in (response, page):
        assert each.status_code == 503
        assert each["Retry-After"] == "30"
        assert each["Content-Type"].startswith("text/html")
        body = each.content.decode()
        assert "STF Tracker is unavailable just now" in body
        assert "could not be loaded" in body
        assert_no_trace(body)
    # The database is back: the same pages work again, with no restart.
    assert analyst_client.get("/healthz").status_code == 200
    assert analyst_client.get("/uploads/").status_code == 200


@pytest.mark.django_db
def test_the_api_gets_a_503_json_error(analyst_client):
    with DatabaseLoss():
        response = analyst_client.get("/api/v1/trusts/")
        post = analyst_client.post("/api/v1/uploads/", {"file": ("x.csv", b"org_code\n")})
    for each in (response, post):
        assert each.status_code == 503
        assert each.json()["code"] == "database_unavailable"
        assert int(each["Retry-After"]) > 0
        assert "unavailable" in each.json()["detail"]
    assert "nothing was saved" in post.json()["detail"].lower()
    assert_no_trace(response.content.decode() + post.content.decode())


class LosesTheDatabaseMiddleware:
    """Stands for any middleware that reads the database (sessions, lock-outs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("could not connect to server: Connection refused")


def test_a_database_error_outside_the_view_gets_the_same_503():
    from django.conf import settings

    # Just inside the session middleware, where the session and the login lock-out are read.
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                      f"{__name__}.LosesTheDatabaseMiddleware")
    with override_settings(MIDDLEWARE=middleware):
        client = Client(raise_request_exception=False)
        page = client.get("/accounts/login/")
        api = client.get("/api/v1/trusts/", HTTP_ACCEPT="application/json")
    assert page.status_code == 503 and "STF Tracker is unavailable just now" in page.content.decode()
    assert api.status_code == 503 and api.json()["code"] == "database_unavailable"
    assert_no_trace(page.content.decode())


class BuggyMiddleware(LosesTheDatabaseMiddleware):
    def __call__(self, request):
        raise RuntimeError("a bug, not the database")


def test_other_errors_are_not_disguised_as_database_loss():
    from django.conf import settings

    with override_settings(MIDDLEWARE=list(settings.MIDDLEWARE) + [f"{__name__}.BuggyMiddleware"]):
        response = Client(raise_request_exception=False).get("/accounts/login/")
    assert response.status_code == 500
    assert "unavailable just now" not in response.content.decode()


def test_an_upload_that_loses_the_database_mid_write_stores_nothing_and_asks_to_retry(live_db):
    # A live database (no test transaction around the request), as in production.
    analyst_client = Client(raise_request_exception=False)
    analyst_client.force_login(UserFactory(username="reliability-analyst", role="analyst"))
    trust = TrustFactory(org_code="RLX01")
    FinanceReturnFactory(trust=trust, month=datetime.date(2016, 4, 1))
    uploads_before, rows_before = Upload.objects.count(), FinanceReturn.objects.count()
    data = builders.finance_csv([("RLX01", "2016-04", -100000, -90000), ("RLX01", "2016-05", -200000, -150000)])
    preview = analyst_client.post("/uploads/preview/", {"file": _file("june.csv", data)})
    assert preview.status_code == 200
    token = preview.context["confirm"].initial["token"]

    with DatabaseLoss(when=inserting_into("finance_financereturn")) as loss:
        response = analyst_client.post("/uploads/confirm/", {"token": token})
    assert loss.lost, "the fault never fired: the upload did not write finance rows"
    assert response.status_code == 503
    body = response.content.decode()
    assert "nothing was saved" in body and "Not saved" in body and "send it again" in body
    assert_no_trace(body)
    # Nothing stored: no rows, the old row still current; the file's record, written before it was
    # read, says the import did not finish.
    assert_unfinished_upload(uploads_before)
    assert FinanceReturn.objects.count() == rows_before
    assert FinanceReturn.objects.current().get(trust=trust, month=datetime.date(2016, 4, 1)).actual_ytd == -400000


def assert_unfinished_upload(uploads_before):
    """One upload more than before: the lost one, failed, saying its import did not finish."""
    assert Upload.objects.count() == uploads_before + 1
    lost = Upload.objects.order_by("-id").first()
    assert lost.status == UploadStatus.FAILED and [error["message"] for error in lost.errors] == [UNFINISHED]


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


# -- the real thing: PostgreSQL behind a proxy that is cut --------------------------------------------
@pytest.mark.services
def test_an_api_upload_cut_off_from_postgresql_mid_write_stores_nothing(live_db_factory, pg_proxy):
    from django.db import connection

    from stftracker.accounts.tokens import create_token

    live_db_factory("postgresql", port=pg_proxy.port)
    user = UserFactory(username="proxy-analyst", role="analyst")
    _, secret = create_token(user=user, name="uploads", read_only=False)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {secret}")
    codes = builders.org_codes(3, prefix="RP")
    assert client.post("/api/v1/uploads/", {"file": _file("trusts.csv", builders.trusts_csv(codes))}).status_code == 201
    uploads_before = Upload.objects.count()
    data = builders.finance_csv([(code, "2016-04", -100000, -90000) for code in codes])

    with OnQuery(when=inserting_into("finance_financereturn"), action=pg_proxy.cut) as cut:
        response = client.post("/api/v1/uploads/", {"file": _file("april.csv", data)})
    assert cut.lost, "the upload never reached its write"
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert "nothing was saved" in response.json()["detail"].lower()
    assert_no_trace(response.content.decode())

    pg_proxy.restore()
    connection.close()  # the test client keeps the dead connection; a server drops it after the request
    assert_unfinished_upload(uploads_before)
    assert not FinanceReturn.objects.exists()
    # Sent again once the database is back, it is stored.
    again = client.post("/api/v1/uploads/", {"file": _file("april.csv", data)})
    assert again.status_code == 201, again.content
    assert FinanceReturn.objects.current().count() == 3


@pytest.mark.services
def test_the_production_server_answers_503_without_postgresql_and_recovers(live_db_factory, pg_proxy, log_dir):
    from stftracker.accounts.tokens import create_token

    live = live_db_factory("postgresql")
    user = UserFactory(username="gunicorn-analyst", role="analyst")
    _, secret = create_token(user=user, name="monitoring", read_only=False)
    port = free_port()
    env = service_env(database_url=live.url(pg_proxy.port), DEBUG=0, SECRET_KEY="x" * 50,
                      ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT=0, CONN_MAX_AGE=60,
                      redis_url="redis://127.0.0.1:6379/2")  # production needs a shared cache
    web = start_web(env=env, log_dir=log_dir, port=port)
    base = f"http://127.0.0.1:{port}"
    api = {"Authorization": f"Token {secret}"}

    def get(path, **kwargs):
        try:
            return requests.get(base + path, timeout=10, **kwargs)
        except requests.ConnectionError:
            return None

    try:
        wait_until(lambda: (r := get("/healthz")) is not None and r.status_code == 200, timeout=30,
                   message=f"gunicorn to start\n{web.log()[-2000:]}")
        assert get("/api/v1/trusts/", headers=api).status_code == 200

        pg_proxy.cut()
        page = get("/healthz")
        listing = get("/api/v1/trusts/", headers=api)
        upload = requests.post(base + "/api/v1/uploads/", headers=api, timeout=10,
                               files={"file": ("x.csv", builders.trusts_csv(["RPX01"]))})
        assert page.status_code == 503 and "STF Tracker is unavailable just now" in page.text
        assert listing.status_code == 503 and listing.json()["code"] == "database_unavailable"
        assert upload.status_code == 503 and "nothing was saved" in upload.json()["detail"].lower()
        for response in (page, listing, upload):
            assert int(response.headers["Retry-After"]) > 0
            assert_no_trace(response.text)

        pg_proxy.restore()
        wait_until(lambda: get("/healthz").status_code == 200, timeout=20, message="the server to recover")
        assert get("/api/v1/trusts/", headers=api).status_code == 200
    finally:
        web.stop()
    assert "Database unavailable while serving" in web.log()  # logged for the operators, one line each
