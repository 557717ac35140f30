"""Two recomputes of the same scheme never interleave their writes: the second waits for the first."""
import threading
import time

import pytest
from django.db import connection, transaction

from finance import services
from finance.models import Entitlement
from tests.factories import AllocationFactory, TrustFactory, scheme


@pytest.mark.django_db(transaction=True)
def test_a_recompute_waits_for_the_one_holding_the_scheme():
    AllocationFactory(trust=TrustFactory(), scheme=scheme("2016-17"))
    holding = threading.Event()
    released_at = []

    def first_recompute_holding_the_lock():
        try:
            with transaction.atomic():
                services._lock_scheme(scheme("2016-17"))
                holding.set()
                time.sleep(1.5)
                released_at.append(time.monotonic())
        finally:
            connection.close()

    other = threading.Thread(target=first_recompute_holding_the_lock)
    other.start()
    assert holding.wait(10)
    run = services.recompute(scheme=scheme("2016-17"))
    finished_at = time.monotonic()
    other.join(10)
    assert run.state == "done" and Entitlement.objects.count() == 4
    assert released_at and finished_at >= released_at[0]
