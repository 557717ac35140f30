"""Many uploads at once: 20 for different trusts and 5 for the same trust and month, each in its
own thread with its own database connection, against a live database of each vendor."""
import threading

import pytest
from django.db import connection
from django.db.models import Count

from finance import services
from stftracker.intake.importing import ingest
from finance.models import Entitlement, FinanceReturn, RecomputeRun
from tests.factories import UserFactory
from tests.reliability import builders
from trusts.models import Upload, UploadStatus

CODES = builders.org_codes(21, prefix="RC")
SHARED = CODES[-1]
FIELDS = ("trust__org_code", "scheme__code", "quarter", "status", "earned", "withheld", "pending")


def june_files():
    """20 files of one trust each (every fourth trust misses its plan), then 5 for SHARED's June."""
    files = {}
    for index, code in enumerate(CODES[:-1]):
        actual = -350000 if index % 4 == 0 else -290000
        files[f"june-{code}.csv"] = builders.finance_csv([(code, "2016-06", -300000, actual)])
    for version in range(5):
        actual = -300000 + (version - 2) * 25000  # -350000 ... -250000: some fail, some pass
        files[f"june-{SHARED}-v{version}.csv"] = builders.finance_csv([(SHARED, "2016-06", -300000, actual)])
    return files


def entitlements():
    return sorted(Entitlement.objects.values_list(*FIELDS))


@pytest.mark.services
def test_concurrent_uploads_are_all_stored_with_one_current_value(live_db):
    analyst = UserFactory(username="concurrent-analyst", role="analyst")
    # Trusts, plans and April-May returns: June, the end of Q1, comes with the concurrent uploads.
    builders.load_country(analyst, CODES, finance_months=2)
    files = june_files()
    barrier = threading.Barrier(len(files))
    outcomes, crashes = {}, []

    def upload(name, data):
        try:
            barrier.wait(timeout=30)
            outcomes[name] = ingest(data=data, file_name=name, user=analyst)
        except Exception as exc:  # noqa: BLE001 - reported below
            crashes.append(f"{name}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=item) for item in files.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert crashes == []

    # Every upload recorded. Those for different trusts are all stored; of the five racing for
    # the same trust and month, the database's one-current-row constraint lets the first to commit
    # through and the others are refused whole, each telling its user to upload it again.
    recorded = Upload.objects.filter(file_name__in=list(files))
    assert recorded.count() == len(files)
    assert {name: r.upload.pk for name, r in outcomes.items()} == dict(recorded.values_list("file_name", "pk"))
    for name, result in outcomes.items():
        if SHARED not in name:
            assert result.ok and result.upload.status == UploadStatus.STORED, (name, result.errors)
        elif not result.ok:
            assert result.upload.status == UploadStatus.FAILED
            assert result.errors[0]["message"].endswith("upload it again."), result.errors
            assert not FinanceReturn.objects.filter(upload=result.upload).exists()
    racing = {name: r for name, r in outcomes.items() if SHARED in name}
    assert sum(r.ok for r in racing.values()) >= 1

    # As told, the refused ones are sent again (one after another): now every file is stored.
    last = None
    for name, result in sorted(racing.items()):
        if not result.ok:
            again = ingest(data=files[name], file_name=name, user=analyst)
            assert again.ok and again.upload.status == UploadStatus.STORED, again.errors
            last = name

    # Exactly one current value per trust and month; SHARED's June has all five, one current.
    duplicates = (FinanceReturn.objects.current().values("trust_id", "month").annotate(n=Count("id"))
                  .filter(n__gt=1))
    assert list(duplicates) == []
    june = FinanceReturn.objects.filter(trust__org_code=SHARED, month="2016-06-01")
    uploaded_values = {-350000, -325000, -300000, -275000, -250000}
    assert set(june.values_list("actual_ytd", flat=True)) == uploaded_values
    assert june.count() == 5
    current = june.get(is_current=True)
    if last is not None:  # the last file sent again is the one now current
        assert current.upload.file_name == last
    for code in CODES[:-1]:
        assert FinanceReturn.objects.current().filter(trust__org_code=code).count() == 3

    # Every recompute finished, and the stored entitlements equal a serial recompute of the data.
    assert not RecomputeRun.objects.exclude(state="done").exists()
    concurrent = entitlements()
    services.recompute()
    assert entitlements() == concurrent
    shared_q1 = Entitlement.objects.get(trust__org_code=SHARED, scheme__code="2016-17", quarter=1)
    expected = "full" if current.actual_ytd >= -300000 else "finance_failed"
    assert shared_q1.status == expected
    failing = {code for index, code in enumerate(CODES[:-1]) if index % 4 == 0}
    for code in CODES[:-1]:
        q1 = Entitlement.objects.get(trust__org_code=code, scheme__code="2016-17", quarter=1)
        assert q1.status == ("finance_failed" if code in failing else "full"), code
