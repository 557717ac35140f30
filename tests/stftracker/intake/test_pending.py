"""Previewed files wait in the database for their confirmation (any worker, no cache needed), a
few per user and for a while; files sent to the preview and the API share one allowance."""
import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from finance.models import FinanceReturn
from tests.api.conftest import token_client
from trusts.models import PendingUpload, Upload, UploadStatus

from .test_views import fixture_file, token_of


@pytest.fixture(autouse=True)
def fresh_throttle(fresh_cache):
    """Throttle counters live in the cache: every test starts with a full allowance."""


@pytest.fixture
def fd_client(client, director):
    client.force_login(director)
    return client


def finance_file(name, month=4):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f"org_code,period,plan_ytd,actual_ytd,forecast_outturn\nRAA,2016-{month:02d},-100000,-90000,-1200000\n"
    return SimpleUploadedFile(name, data.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_a_preview_waits_in_the_database_and_is_confirmed_without_the_cache(fd_client, home_trust, director):
    preview = fd_client.post("/uploads/preview/", {"file": fixture_file("finance.csv")})
    assert preview.status_code == 200
    pending = PendingUpload.objects.get()
    assert pending.user == director and pending.file_name == "finance.csv"
    assert bytes(pending.data) == (fixture_file("finance.csv").read()) and pending.size_bytes == len(pending.data)
    assert pending.token == token_of(preview)
    cache.clear()  # another worker, or Redis gone: the preview is still there
    confirmed = fd_client.post("/uploads/confirm/", {"token": token_of(preview)})
    assert confirmed.status_code == 302
    assert Upload.objects.get().status == UploadStatus.STORED and FinanceReturn.objects.count() == 3
    assert not PendingUpload.objects.exists()


@pytest.mark.django_db
@override_settings(UPLOAD_PREVIEW_MAX_PENDING=2)
def test_a_user_keeps_a_few_previews_the_oldest_dropped_first(fd_client, home_trust):
    tokens = [token_of(fd_client.post("/uploads/preview/", {"file": finance_file(f"m{m}.csv", m)})) for m in (4, 5, 6)]
    assert list(PendingUpload.objects.values_list("file_name", flat=True)) == ["m5.csv", "m6.csv"]
    oldest = fd_client.post("/uploads/confirm/", {"token": tokens[0]}, follow=True)
    assert "expired" in oldest.content.decode() and not Upload.objects.exists()
    assert fd_client.post("/uploads/confirm/", {"token": tokens[2]}).status_code == 302
    assert Upload.objects.get().file_name == "m6.csv"


@pytest.mark.django_db
def test_previews_are_capped_in_bytes_per_user(fd_client, home_trust):
    size = len(finance_file("x.csv").read())
    with override_settings(UPLOAD_PREVIEW_MAX_BYTES=size * 2 + 1):  # room for two
        for month in (4, 5, 6):
            fd_client.post("/uploads/preview/", {"file": finance_file(f"m{month}.csv", month)})
    assert list(PendingUpload.objects.values_list("file_name", flat=True)) == ["m5.csv", "m6.csv"]
    assert sum(PendingUpload.objects.values_list("size_bytes", flat=True)) == size * 2


@pytest.mark.django_db
def test_an_expired_preview_cannot_be_confirmed_and_is_cleared(fd_client, home_trust):
    token = token_of(fd_client.post("/uploads/preview/", {"file": finance_file("old.csv")}))
    PendingUpload.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = fd_client.post("/uploads/confirm/", {"token": token}, follow=True)
    assert "expired" in response.content.decode() and not Upload.objects.exists()
    fd_client.post("/uploads/preview/", {"file": finance_file("new.csv", 5)})
    assert list(PendingUpload.objects.values_list("file_name", flat=True)) == ["new.csv"]


@pytest.mark.django_db
@override_settings(UPLOAD_PREVIEW_SECONDS=120)
def test_a_preview_waits_for_the_time_the_settings_give(fd_client, home_trust):
    before = timezone.now()
    fd_client.post("/uploads/preview/", {"file": finance_file("a.csv")})
    waits = PendingUpload.objects.get().expires_at - before
    assert datetime.timedelta(seconds=119) < waits <= datetime.timedelta(seconds=121)


@pytest.mark.django_db
@override_settings(UPLOAD_THROTTLE_RATE="2/minute")
def test_the_preview_and_the_api_share_one_allowance(fd_client, home_trust, director):
    assert fd_client.post("/uploads/preview/", {"file": finance_file("a.csv")}).status_code == 200
    assert fd_client.post("/uploads/preview/", {"file": finance_file("b.csv", 5)}).status_code == 200
    refused = fd_client.post("/uploads/preview/", {"file": finance_file("c.csv", 6)})
    assert refused.status_code == 429 and "too many files" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 60
    api = token_client(director, read_only=False)
    response = api.post("/api/v1/uploads/", {"file": finance_file("d.csv", 7)}, format="multipart")
    assert response.status_code == 429
    # Nothing of the refused files was received: no record, nothing waiting.
    assert not Upload.objects.exists() and PendingUpload.objects.count() == 2


@pytest.mark.django_db
@override_settings(UPLOAD_THROTTLE_RATE="1/minute")
def test_the_allowance_is_per_user(home_trust, director, other_director):
    assert token_client(director, read_only=False).post(
        "/api/v1/uploads/", {"file": finance_file("a.csv")}, format="multipart").status_code == 201
    assert token_client(director, read_only=False).post(
        "/api/v1/uploads/", {"file": finance_file("b.csv", 5)}, format="multipart").status_code == 429
    other = token_client(other_director, read_only=False).post(
        "/api/v1/uploads/", {"file": finance_file("c.csv", 6)}, format="multipart")
    assert other.status_code != 429
    # Reading the list is not sending a file.
    assert token_client(director).get("/api/v1/uploads/").status_code == 200
