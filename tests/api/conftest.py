"""API clients and a fresh throttle for the API tests (people and trusts: tests/conftest.py)."""
import datetime

import pytest
from rest_framework.test import APIClient

from stftracker.accounts.tokens import create_token

COMPUTED_AT = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)  # stamps the engine's rows


@pytest.fixture(autouse=True)
def fresh_throttle(fresh_cache):
    """Throttle counters live in the cache: every test starts with a full allowance."""


def api_client(user=None, *, token=None):
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    elif user is not None:
        client.force_authenticate(user)
    return client


def token_client(user, *, read_only=True, days=None):
    _, secret = create_token(user=user, name="test", read_only=read_only, days=days)
    return api_client(token=secret)
