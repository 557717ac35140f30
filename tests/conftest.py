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


@pytest.fixture
def analyst(db):
    from tests.factories import UserFactory

    return UserFactory(username="analyst", role="analyst")


@pytest.fixture
def admin_user_(db):
    from tests.factories import UserFactory

    return UserFactory(username="admin", is_staff=True, is_superuser=True)


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
