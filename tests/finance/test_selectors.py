"""Reads of recompute runs: the latest run of a scope, uploads still awaiting theirs (stale runs:
see test_dispatch)."""
import pytest

from finance.models import RecomputeRun
from finance.selectors import latest_run, uploads_awaiting_recompute
from tests.factories import UploadFactory, scheme


@pytest.mark.django_db
def test_uploads_awaiting_recompute_are_those_without_a_finished_run():
    waiting, done, nothing_to_do = UploadFactory(recompute_queued=True), UploadFactory(recompute_queued=True), UploadFactory()
    RecomputeRun.objects.create(upload=waiting, state="failed")
    RecomputeRun.objects.create(upload=done, state="done")
    assert list(uploads_awaiting_recompute()) == [waiting]


@pytest.mark.django_db
def test_the_latest_run_of_everything_of_a_scheme_and_of_an_upload():
    assert latest_run() is None
    upload, other = UploadFactory(), UploadFactory()
    first = RecomputeRun.objects.create(scheme=scheme("2016-17"), upload=upload, state="done")
    second = RecomputeRun.objects.create(scheme=scheme("2017-18"), upload=other, state="queued")
    third = RecomputeRun.objects.create(scheme=scheme("2016-17"), state="failed")
    assert latest_run() == third  # whatever its state or scope
    assert latest_run(scheme=scheme("2017-18")) == second
    assert latest_run(upload=upload) == first
    assert latest_run(scheme=scheme("2017-18"), upload=upload) is None
