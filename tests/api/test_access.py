"""Who may call the API: log-in or token, expired and read-only tokens, throttling, errors."""
import datetime
import os

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.throttling import UserRateThrottle

from common.errors import FileError
from stftracker.accounts.tokens import create_token
from tests.api.conftest import api_client, token_client
from tests.otp import verified_login
from trusts.api import TrustViewSet

GET_ENDPOINTS = [
    "/api/v1/",
    "/api/v1/eligibility/",
    "/api/v1/eligibility/?format=csv",
    "/api/v1/trusts/",
    "/api/v1/trusts/RHOME/",
    "/api/v1/trusts/RHOME/eligibility/",
    "/api/v1/schemes/",
    "/api/v1/schemes/2016-17/",
    "/api/v1/returns/finance/",
    "/api/v1/returns/performance/",
    "/api/v1/uploads/",
    "/api/v1/schema/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", GET_ENDPOINTS)
def test_anonymous_requests_are_refused_with_401(url, home_trust):
    response = api_client().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_anonymous_uploads_are_refused_with_401():
    assert api_client().post("/api/v1/uploads/", {}).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("url", GET_ENDPOINTS)
def test_a_token_opens_every_endpoint(url, analyst, home_trust):
    assert token_client(analyst).get(url).status_code == 200


@pytest.mark.django_db
def test_a_logged_in_session_opens_the_api(client, director):
    client.force_login(director)
    assert client.get("/api/v1/trusts/", HTTP_ACCEPT="application/json").status_code == 200


@pytest.mark.django_db
def test_an_expired_token_gets_401_saying_so(analyst):
    token, secret = create_token(user=analyst, name="old")
    AuthToken.objects.filter(pk=token.auth_token_id).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = api_client(token=secret).get("/api/v1/trusts/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert AuthToken.objects.filter(pk=token.auth_token_id).exists()  # a GET writes nothing


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Token nonsense", "Token " + "a" * 64, "Token", "Token a b"])
def test_a_wrong_token_gets_401(analyst, header):
    create_token(user=analyst, name="real")
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/trusts/").status_code == 401


@pytest.mark.django_db
def test_a_read_only_token_may_read_but_not_post(director):
    client = token_client(director, read_only=True)
    assert client.get("/api/v1/uploads/").status_code == 200
    response = client.post("/api/v1/uploads/", {})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


@pytest.mark.django_db
def test_a_read_write_token_may_post(director):
    response = token_client(director, read_only=False).post("/api/v1/uploads/", {})
    assert response.status_code == 400  # past the permission checks: the file is missing
    assert "file" in response.json()


@pytest.mark.django_db
def test_a_user_without_a_role_may_read_but_not_upload(nobody):
    client = token_client(nobody, read_only=False)
    assert client.get("/api/v1/eligibility/").status_code == 200
    response = client.post("/api/v1/uploads/", {})
    assert response.status_code == 403
    assert "may not upload" in response.json()["detail"]


@pytest.mark.django_db
def test_throttling_answers_429_with_retry_after(monkeypatch, analyst, director):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/minute")  # DEFAULT_THROTTLE_RATES
    client = token_client(analyst)
    assert [client.get("/api/v1/schemes/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/schemes/")
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json()["detail"] == f"Too many requests: the limit is 3/minute per user. Try again in {wait} seconds."
    # The allowance is per user: another user is not held up.
    assert token_client(director).get("/api/v1/schemes/").status_code == 200


@pytest.mark.django_db
def test_the_allowance_is_shared_by_a_users_tokens(monkeypatch, analyst):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/minute")
    first, second = token_client(analyst), token_client(analyst)
    assert first.get("/api/v1/schemes/").status_code == 200
    assert second.get("/api/v1/schemes/").status_code == 200
    assert second.get("/api/v1/schemes/").status_code == 429


@pytest.mark.django_db
def test_a_domain_error_becomes_a_400_with_its_message(monkeypatch, analyst):
    def fail(self, request, *args, **kwargs):
        raise FileError("The file is empty.")

    monkeypatch.setattr(TrustViewSet, "list", fail)
    response = token_client(analyst).get("/api/v1/trusts/")
    assert response.status_code == 400
    assert response.json() == {"detail": "The file is empty."}


@pytest.mark.django_db
def test_a_django_validation_error_becomes_a_400_naming_the_fields(monkeypatch, analyst):
    def fail(self, request, *args, **kwargs):
        raise DjangoValidationError({"weights": ["Weights add up to 120%, more than 100%."]})

    monkeypatch.setattr(TrustViewSet, "list", fail)
    response = token_client(analyst).get("/api/v1/trusts/")
    assert response.status_code == 400
    assert response.json() == {"weights": ["Weights add up to 120%, more than 100%."]}


@pytest.mark.django_db
def test_a_plain_bug_is_not_dressed_as_a_400(monkeypatch, analyst):
    def fail(self, request, *args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(TrustViewSet, "list", fail)
    client = token_client(analyst)
    client.raise_request_exception = False
    assert client.get("/api/v1/trusts/").status_code == 500


@pytest.mark.django_db
def test_database_unavailable_becomes_a_503(monkeypatch, analyst):
    client = token_client(analyst)

    def fail(self, request, *args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(TrustViewSet, "list", fail)
    response = client.get("/api/v1/trusts/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json()["code"] == "database_unavailable"


@pytest.mark.django_db
def test_a_token_made_outside_the_token_service_is_read_only(director):
    _, secret = AuthToken.objects.create(user=director, expiry=datetime.timedelta(days=1))
    client = api_client(token=secret)
    assert client.get("/api/v1/uploads/").status_code == 200
    assert client.post("/api/v1/uploads/", {}).status_code == 403


@pytest.mark.django_db
def test_head_requests_are_answered_without_a_body(analyst, home_trust):
    response = token_client(analyst).head("/api/v1/eligibility/")
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"]


@pytest.mark.django_db
def test_a_token_without_an_expiry_is_refused(director):
    _, secret = AuthToken.objects.create(user=director, expiry=None)
    response = api_client(token=secret).get("/api/v1/trusts/")
    assert response.status_code == 401
    assert "no expiry" in response.json()["detail"]


def test_knox_admin_is_not_a_way_round_the_token_service(client, admin_user_):
    verified_login(client, admin_user_)
    assert client.get("/admin/knox/authtoken/add/").status_code == 404


def test_the_allowance_is_drf_s_user_rate_read_from_api_throttle_rate(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["rest_framework.throttling.UserRateThrottle"]
    assert UserRateThrottle().rate == settings.API_THROTTLE_RATE == os.environ.get("API_THROTTLE_RATE", "2000/hour")
