"""Reads of recompute runs: uploads still awaiting theirs (stale runs: see test_dispatch)."""
import pytest

from finance.models import RecomputeRun
from finance.selectors import uploads_awaiting_recompute
from tests.factories import UploadFactory


@pytest.mark.django_db
def test_uploads_awaiting_recompute_are_those_without_a_finished_run():
    waiting, done, nothing_to_do = UploadFactory(recompute_queued=True), UploadFactory(recompute_queued=True), UploadFactory()
    RecomputeRun.objects.create(upload=waiting, state="failed")
    RecomputeRun.objects.create(upload=done, state="done")
    assert list(uploads_awaiting_recompute()) == [waiting]
