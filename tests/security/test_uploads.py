"""Upload forms refuse requests without a CSRF token and files over the size limit, storing nothing."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from finance.models import FinanceReturn
from stftracker.accounts.tokens import create_token
from trusts.models import Upload, UploadStatus


def finance_file(org_code):
    return (
        "org_code,period,plan_ytd,actual_ytd,forecast_outturn\n"
        + "".join(f"{org_code},2016-{month:02d},-200000,-100000,-900000\n" for month in (4, 5, 6))
    ).encode()


def _file(data, name="returns.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _nothing_stored(org_code):
    return not FinanceReturn.objects.filter(trust__org_code=org_code).exists() and not Upload.objects.filter(
        status=UploadStatus.STORED
    ).exists()


@pytest.mark.django_db
def test_upload_form_without_csrf_token_is_refused(director, home_trust):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    response = client.post("/uploads/preview/", {"file": _file(finance_file("RHOME"))})
    assert response.status_code == 403
    assert "The form could not be checked" in response.content.decode()
    assert client.post("/uploads/confirm/", {"token": "anything"}).status_code == 403
    assert not Upload.objects.exists()
    assert _nothing_stored("RHOME")


@pytest.mark.django_db
def test_upload_form_with_its_csrf_token_is_accepted(director, home_trust):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    page = client.get("/uploads/")
    token = page.cookies["csrftoken"].value
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    response = client.post("/uploads/preview/", {"file": _file(finance_file("RHOME")), "csrfmiddlewaretoken": token})
    assert response.status_code == 200


@pytest.mark.django_db
def test_api_upload_with_a_session_needs_the_csrf_token_but_not_with_an_api_token(director, home_trust):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    response = client.post("/api/v1/uploads/", {"file": _file(finance_file("RHOME"))})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert _nothing_stored("RHOME")
    _, secret = create_token(user=director, name="script", read_only=False, days=1, created_by=director)
    scripted = Client(enforce_csrf_checks=True)
    response = scripted.post(
        "/api/v1/uploads/", {"file": _file(finance_file("RHOME"))}, HTTP_AUTHORIZATION=f"Token {secret}"
    )
    assert response.status_code == 201, response.content
    assert FinanceReturn.objects.filter(trust__org_code="RHOME").count() == 3


@pytest.mark.django_db
def test_read_only_token_cannot_upload(director, home_trust):
    _, secret = create_token(user=director, name="reader", read_only=True, days=1, created_by=director)
    response = Client().post(
        "/api/v1/uploads/", {"file": _file(finance_file("RHOME"))}, HTTP_AUTHORIZATION=f"Token {secret}"
    )
    assert response.status_code == 403
    assert _nothing_stored("RHOME")


@pytest.mark.django_db
def test_web_upload_refuses_a_file_over_the_limit(client, director, home_trust):
    data = finance_file("RHOME")
    client.force_login(director)
    with override_settings(UPLOAD_MAX_BYTES=len(data) - 1):
        response = client.post("/uploads/preview/", {"file": _file(data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"The file is {len(data):,} bytes, over the limit of {len(data) - 1:,} bytes." in html
    assert _nothing_stored("RHOME")
    # At the limit exactly, the file is accepted for preview.
    with override_settings(UPLOAD_MAX_BYTES=len(data)):
        response = client.post("/uploads/preview/", {"file": _file(data)})
    assert response.status_code == 200


@pytest.mark.django_db
def test_api_upload_refuses_a_file_over_the_limit(client, director, home_trust):
    data = finance_file("RHOME")
    client.force_login(director)
    with override_settings(UPLOAD_MAX_BYTES=len(data) - 1):
        response = client.post("/api/v1/uploads/", {"file": _file(data)})
    assert response.status_code == 400
    message = f"The file is {len(data):,} bytes, over the limit of {len(data) - 1:,} bytes."
    assert message in response.json()["detail"]
    assert _nothing_stored("RHOME")
    with override_settings(UPLOAD_MAX_BYTES=len(data)):
        response = client.post("/api/v1/uploads/", {"file": _file(data)})
    assert response.status_code == 201, response.content
    assert FinanceReturn.objects.filter(trust__org_code="RHOME", month=datetime.date(2016, 6, 1)).count() == 1
