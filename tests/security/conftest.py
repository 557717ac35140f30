"""People and trusts for the security tests: an analyst, an admin, and two finance directors."""
import pytest

from tests.factories import PASSWORD, RegionFactory, TrustFactory, UserFactory


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def home_trust(db):
    return TrustFactory(org_code="RHOME", name="Home Hospitals NHS Trust", region=RegionFactory(code="YHOME", name="Home Region"))


@pytest.fixture
def other_trust(db):
    return TrustFactory(org_code="ROTHR", name="Other Hospitals NHS Trust", region=RegionFactory(code="YOTHR", name="Other Region"))


@pytest.fixture
def director(home_trust):
    """Finance director of the home trust only."""
    return UserFactory(username="fd_home", role="finance_director", trusts=[home_trust])


@pytest.fixture
def other_director(other_trust):
    return UserFactory(username="fd_other", role="finance_director", trusts=[other_trust])


@pytest.fixture
def people(db, analyst, admin_user_, director, other_director):
    return {
        "anonymous": None,
        "analyst": analyst,
        "director": director,
        "other_director": other_director,
        "admin": admin_user_,
    }


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client
