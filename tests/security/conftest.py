"""The security tests' trusts: both acute, each in a region of its own (the audit tests name the
other trust and its region). The people are the suite's (tests/conftest.py)."""
import pytest

from tests.factories import RegionFactory, TrustFactory


@pytest.fixture
def region(db):
    return RegionFactory(code="YHOME", name="Home Region")


@pytest.fixture
def home_trust(region):
    return TrustFactory(org_code="RHOME", name="Home Hospitals NHS Trust", region=region)


@pytest.fixture
def other_trust(db):
    return TrustFactory(org_code="ROTHR", name="Other Hospitals NHS Trust", region=RegionFactory(code="YOTHR", name="Other Region"))

