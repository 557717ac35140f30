"""What every answer says about caching, input no view should see (NUL characters), and the
what-if panel's limits: numbers too large to compute with and how often one person may ask."""
import datetime

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from knox.models import AuthToken

from tests import builders
from tests.builders import allocate, returns

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed_trust(director, home_trust):
    """The home trust (whose finance director is ``director``) with 2016-17 Q1 computed."""
    allocate(home_trust, control_total="-2000000.00")
    returns(home_trust, 1, performance={"ae": (9500, 10000), "rtt": (9300, 10000), "cancer62": (9000, 10000)})
    builders.recompute("2016-17", trust_ids=[home_trust.pk])
    return home_trust


@pytest.fixture
def director_client(director):
    client = Client()
    client.force_login(director)
    return client


TRUST = "/trusts/RHOME/?year=2016-17&quarter=1"
PRIVATE_PAGES = [
    "/",
    "/regions/",
    TRUST,
    TRUST + "&format=csv&chart=waterfall",
    TRUST + "&format=csv&chart=uploads",
    TRUST + "&what_if=1&perf_ae=90",
    "/uploads/",
    "/uploads/history/",
    "/accounts/",
    "/accounts/tokens/",
    "/api/v1/returns/finance/",
    "/api/v1/eligibility/?format=csv",
    "/api/v1/trusts/",
]


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_signed_in_answers_are_never_stored_by_a_cache(director_client, computed_trust, path):
    response = director_client.get(path)
    assert response.status_code == 200, path
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "private" in directives
    assert "no-store" in directives or {"max-age=0", "must-revalidate"} <= directives
    assert "public" not in directives


def _vary(response):
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def test_token_answers_vary_on_authorization_and_cookie(director, computed_trust):
    _, secret = AuthToken.objects.create(user=director, expiry=datetime.timedelta(days=1))
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    for path in ("/api/v1/returns/finance/", "/api/v1/trusts/", "/api/v1/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert {"authorization", "cookie"} <= _vary(response), path
        assert "no-store" in response["Cache-Control"], path
    # A refusal varies on them too: the same URL answers differently with a token.
    refused = Client().get("/api/v1/returns/finance/")
    assert refused.status_code == 401
    assert {"authorization", "cookie"} <= _vary(refused)


def test_eligibility_api_keeps_answering_304_and_says_revalidate(director, computed_trust):
    _, secret = AuthToken.objects.create(user=director, expiry=datetime.timedelta(days=1))
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    first = client.get("/api/v1/eligibility/?year=2016-17")
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, max-age=0, must-revalidate"
    again = client.get("/api/v1/eligibility/?year=2016-17", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert {"authorization", "cookie"} <= _vary(again)


# --- NUL characters ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/regions/%00/", "/audit/?user=%00", "/trusts/RHOME/?year=%00", "/api/v1/trusts/?region=a%00b"])
def test_a_nul_character_in_the_path_or_query_is_a_plain_400(analyst, path):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    response = client.get(path)
    assert response.status_code == 400, path
    assert "NUL" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_a_nul_character_in_a_form_field_is_a_plain_400(analyst):
    client = Client(raise_request_exception=False, enforce_csrf_checks=False)
    client.force_login(analyst)
    response = client.post("/accounts/tokens/", "name=bad%00name", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "the form field 'name' contains a NUL character" in response.content.decode()


def test_a_nul_character_in_an_api_query_is_a_json_400(analyst):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    response = client.get("/api/v1/returns/finance/?org_code=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "NUL" in response.json()["detail"]


# --- What-if ----------------------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["1e10000", "-1e10000", "99999999999999999", "1e-10000"])
def test_a_what_if_amount_too_large_or_too_precise_is_a_form_error(director_client, computed_trust, amount):
    response = director_client.get(TRUST + f"&what_if=1&actual_ytd={amount}")
    assert response.status_code == 200
    assert response.context["what_if"] is None
    assert [field for field, _ in response.context["what_if_errors"]] == ["actual_ytd"]
    assert "There is a problem" in response.content.decode()


def test_the_largest_what_if_amount_the_returns_can_hold_is_accepted(director_client, computed_trust):
    # Money is stored as 16 digits, 2 after the point: 99,999,999,999,999.99 is the largest.
    response = director_client.get(TRUST + "&what_if=1&actual_ytd=-99999999999999.99")
    assert response.context["what_if_errors"] == []
    assert response.context["what_if"]["status"] == "finance_failed"


@override_settings(WHAT_IF_THROTTLE_RATE="2/hour")
def test_what_if_is_limited_per_user(director_client, computed_trust, analyst):
    cache.clear()
    for _ in range(2):
        response = director_client.get(TRUST + "&what_if=1&perf_ae=90")
        assert response.status_code == 200
        assert response.context["what_if"]["status"] == "partial"
    refused = director_client.get(TRUST + "&what_if=1&perf_ae=90")
    assert refused.status_code == 429
    assert refused.context["what_if"] is None
    assert "what-if" in refused.context["what_if_message"]
    assert int(refused["Retry-After"]) > 0
    # The page itself (no what-if) is not limited, and another person has an allowance of their own.
    assert director_client.get(TRUST).status_code == 200
    other = Client()
    other.force_login(analyst)
    assert other.get(TRUST + "&what_if=1&perf_ae=90").context["what_if"]["status"] == "partial"
    cache.clear()

