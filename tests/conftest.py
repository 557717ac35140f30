"""Suite-wide fixtures: the committed reference files, people, and the reference data that
transactional tests start from. Test-only settings are in tests/settings.py."""
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class ReferenceFiles:
    """The public NHS files committed beside the apps that own them, by file name:
    ``reference_data / "ae_attendances.csv"``."""

    def __init__(self):
        from performance.reference import REFERENCE_DIR as PERFORMANCE
        from trusts.reference import REFERENCE_DIR as TRUSTS

        self.paths = {path.name: path for folder in (TRUSTS, PERFORMANCE) for path in folder.glob("*.csv")}

    def __truediv__(self, name):
        if name not in self.paths:
            raise KeyError(f"{name} is not a committed reference file: {sorted(self.paths)}")
        return self.paths[name]


@pytest.fixture(scope="session")
def reference_data():
    return ReferenceFiles()


# --- People and their trusts ------------------------------------------------------------------
# One set for the whole suite. A folder whose files or assertions name other trusts overrides only
# ``home_trust`` / ``other_trust`` (and ``region``) in its conftest; the people follow.


@pytest.fixture
def password():
    from tests.factories import PASSWORD

    return PASSWORD


@pytest.fixture
def region(db):
    """The home trust's region."""
    from tests.factories import RegionFactory

    return RegionFactory(code="Y56", name="London")


@pytest.fixture
def home_trust(region):
    from tests.factories import FootprintFactory, TrustFactory

    footprint = FootprintFactory(code="E54000005", name="North Central London", region=region)
    return TrustFactory(org_code="RHOME", name="Home Hospitals NHS Trust", region=region, footprint=footprint)


@pytest.fixture
def other_trust(db):
    """Another trust, in another region, of another type, without a footprint."""
    from tests.factories import RegionFactory, TrustFactory

    north = RegionFactory(code="Y54", name="North of England")
    return TrustFactory(
        org_code="ROTHR", name="Other Mental Health NHS Trust", trust_type="mental_health", region=north, footprint=None
    )


@pytest.fixture
def analyst(db):
    from tests.factories import UserFactory

    return UserFactory(username="analyst", role="analyst")


@pytest.fixture
def admin_user_(db):
    from tests.factories import UserFactory

    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def director(home_trust):
    """Finance director of the home trust only."""
    from tests.factories import UserFactory

    return UserFactory(username="fd_home", role="finance_director", trusts=[home_trust])


@pytest.fixture
def other_director(other_trust):
    """Finance director of the other trust only."""
    from tests.factories import UserFactory

    return UserFactory(username="fd_other", role="finance_director", trusts=[other_trust])


@pytest.fixture
def nobody(db):
    """Logged in, but with no role and no trust."""
    from tests.factories import UserFactory

    return UserFactory(username="no_role")


@pytest.fixture
def people(analyst, admin_user_, director, other_director, nobody):
    """Everyone by role; ``anonymous`` is nobody logged in."""
    return {
        "anonymous": None,
        "analyst": analyst,
        "director": director,
        "other_director": other_director,
        "nobody": nobody,
        "admin": admin_user_,
    }


@pytest.fixture
def uploads(home_trust, other_trust, director):
    """Uploads of the home trust, of the other, of both; one the director sent that was rejected
    before any trust was known; and one with no uploader (its user since deleted)."""
    from tests.factories import UploadFactory

    home = UploadFactory(file_name="home.csv")
    home.trusts.add(home_trust)
    other = UploadFactory(file_name="other.csv")
    other.trusts.add(other_trust)
    both = UploadFactory(file_name="both.csv", kind="performance")
    both.trusts.add(home_trust, other_trust)
    mine = UploadFactory(file_name="mine-rejected.csv", status="rejected", kind="", uploaded_by=director)
    nobodys = UploadFactory(file_name="no-uploader.csv", uploaded_by=None)
    return {"home": home, "other": other, "both": both, "mine": mine, "nobodys": nobodys}


def _is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return any(name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """Transactional tests start from the same reference data as every other test."""
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")
        from tests.reference import restore_reference_data

        restore_reference_data()


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test: throttle counts, cached answers and re-send marks
    of another test (whose rows may have the same ids) must not leak in."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
