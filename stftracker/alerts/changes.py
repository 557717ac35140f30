"""Notice what changed in the stored results since the alerts last looked.

Every trust-quarter's status and earned are kept as the alerts last saw them (``ResultState``).
:func:`notice_changes` compares them with the stored entitlements and records a ``ResultChange``
for each trust-quarter whose status or earned differs (a new fingerprint alone, with the same
status and earned, is no change). A trust-quarter seen for the first time is noted, not counted
as a change: new quarters start pending, and a new subscriber is not told of the past. Two runs at
once record a change once (its version is unique per trust-quarter). A fixed number of queries
whatever the number of trusts, and the writes in batches.
"""
from django.db import transaction
from django.utils import timezone

from finance.models import Entitlement

from .models import ResultChange, ResultState

BATCH_SIZE = 500
FIELDS = ("trust_id", "scheme_id", "quarter", "status", "earned", "withheld", "pending", "allocation",
          "fingerprint", "computed_at")


def notice_changes(*, now=None) -> list[ResultChange]:
    """Record the changes since the last look and bring the states up to date; returns the changes
    this call recorded."""
    now = now or timezone.now()
    seen = {(row.trust_id, row.scheme_id, row.quarter): row for row in ResultState.objects.all()}
    changes, first_seen, moved = [], [], []
    for row in Entitlement.objects.values(*FIELDS).order_by().iterator(chunk_size=2000):
        key = (row["trust_id"], row["scheme_id"], row["quarter"])
        state = seen.get(key)
        if state is None:
            first_seen.append(ResultState(trust_id=key[0], scheme_id=key[1], quarter=key[2], status=row["status"],
                                          earned=row["earned"], version=0, seen_at=now))
            continue
        if state.status == row["status"] and state.earned == row["earned"]:
            continue
        changes.append(ResultChange(
            trust_id=key[0], scheme_id=key[1], quarter=key[2], version=state.version + 1,
            old_status=state.status, new_status=row["status"], old_earned=state.earned, new_earned=row["earned"],
            withheld=row["withheld"], pending=row["pending"], allocation=row["allocation"],
            fingerprint=row["fingerprint"], computed_at=row["computed_at"], noticed_at=now,
        ))
        state.status, state.earned, state.version, state.seen_at = row["status"], row["earned"], state.version + 1, now
        moved.append(state)
    with transaction.atomic():
        ResultState.objects.bulk_create(first_seen, batch_size=BATCH_SIZE, ignore_conflicts=True)
        ResultChange.objects.bulk_create(changes, batch_size=BATCH_SIZE, ignore_conflicts=True)
        ResultState.objects.bulk_update(moved, ["status", "earned", "version", "seen_at"], batch_size=BATCH_SIZE)
    return changes
