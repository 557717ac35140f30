"""``manage.py import_returns``: kind from the header, a row-level report, non-zero exit on error."""
import datetime

import pytest
from django.core.management import CommandError, call_command

from finance.models import FinanceReturn
from performance.models import PerformanceReturn
from tests.conftest import FIXTURES
from tests.factories import UserFactory
from trusts.models import Upload


@pytest.fixture
def admin_account(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_returns", *[str(a) for a in args], stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.django_db
def test_imports_several_files_and_reports_each(admin_account, home_trust, other_trust):
    out, error = run(FIXTURES / "finance.csv", FIXTURES / "ae_nhse.csv")
    assert error is None, out
    assert "== " + str(FIXTURES / "finance.csv") in out
    assert "kind: finance (Monthly finance returns); rows: 3; status: stored" in out
    assert "kind: ae_nhse (NHS England A&E monthly CSV); rows: 4; status: stored" in out
    assert "1 row: England total row (no organisation code)" in out
    assert "1 row: not an NHS trust in the trust register" in out
    assert FinanceReturn.objects.count() == 3 and PerformanceReturn.objects.count() == 2
    assert set(Upload.objects.values_list("source", "uploaded_by__username")) == {("command", "root")}


@pytest.mark.django_db
def test_errors_are_printed_row_by_row_and_the_exit_is_non_zero(admin_account, home_trust):
    out, error = run(FIXTURES / "bad" / "one_bad_row_among_good.csv", FIXTURES / "performance.csv")
    assert error is not None and error.returncode == 1
    assert "1 of 2 files had errors" in str(error)
    assert ("ERROR row 4, column actual_ytd ('(290,000'): '(290,000' is not a sum of money "
            "(use 1234.56, -1234, £1,234 or (1,234)).") in out
    assert FinanceReturn.objects.count() == 0
    assert PerformanceReturn.objects.filter(month=datetime.date(2016, 4, 1)).count() == 3  # the good file stands


@pytest.mark.django_db
def test_missing_file_and_dry_run(admin_account, home_trust):
    out, error = run(FIXTURES / "nope.csv")
    assert error is not None and "ERROR file: cannot read" in out
    out, error = run("--dry-run", FIXTURES / "finance.csv")
    assert error is None and "status: preview" in out
    assert FinanceReturn.objects.count() == 0 and Upload.objects.count() == 0
