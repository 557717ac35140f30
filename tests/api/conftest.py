"""API clients and a fresh throttle for the API tests (people and trusts: tests/conftest.py)."""
import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from finance.models import Entitlement, Scheme
from stftracker.accounts.tokens import create_token

COMPUTED_AT = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Throttle counters live in the cache: every test starts with a full allowance."""
    cache.clear()
    yield
    cache.clear()


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


def entitlement(trust, *, year="2016-17", quarter=2, status="full", allocation="250000.00", earned=None,
                withheld="0.00", pending="0.00", computed_at=COMPUTED_AT, reasons=None):
    """An Entitlement written directly (not by the engine), reconciling to the penny.

    ``earned`` defaults to allocation - withheld - pending; the detail holds a finance element of
    70% and an A&E element of 12.5% as the 2016-17 scheme would.
    """
    allocation, withheld, pending = Decimal(allocation), Decimal(withheld), Decimal(pending)
    earned = allocation - withheld - pending if earned is None else Decimal(earned)
    ae_element = (allocation * Decimal("0.125")).quantize(Decimal("0.01"))
    detail = {
        "finance": {
            "met": status not in {"finance_failed", "pending", "no_control_total"},
            "element": f"{allocation - ae_element:.2f}",
            "ytd_plan": "-500000.00",
            "ytd_actual": "-400000.00",
        },
        "metrics": [
            {"metric": "ae", "applicable": True, "element": f"{ae_element:.2f}", "met": status == "full",
             "performance": "91.20", "trajectory": "92.00", "standard": "95.00"},
        ],
        "reasons": reasons if reasons is not None else [f"{trust.org_code} Q{quarter}: {status}"],
    }
    return Entitlement.objects.create(
        trust=trust, scheme=Scheme.objects.get(code=year), quarter=quarter, status=status,
        allocation=allocation, earned=earned, withheld=withheld, pending=pending,
        finance_met=detail["finance"]["met"], detail=detail, fingerprint=f"{trust.org_code}-{year}-{quarter}",
        computed_at=computed_at,
    )
