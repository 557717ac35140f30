"""GET and POST /api/v1/uploads/: the same checks as the upload page, each user sees their trusts' files."""
import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import FinanceReturn
from tests.api.conftest import token_client
from trusts.models import Upload

URL = "/api/v1/uploads/"
HEADER = "org_code,period,plan_ytd,actual_ytd,forecast_outturn\r\n"


def finance_file(*rows, name="returns.csv"):
    return SimpleUploadedFile(name, (HEADER + "".join(row + "\r\n" for row in rows)).encode(), content_type="text/csv")


def names(response):
    assert response.status_code == 200, response.content
    return sorted(row["file_name"] for row in response.json()["results"])


@pytest.mark.django_db
def test_an_analyst_sees_every_upload(analyst, uploads):
    assert names(token_client(analyst).get(URL)) == [
        "both.csv", "home.csv", "mine-rejected.csv", "no-uploader.csv", "other.csv"]


@pytest.mark.django_db
def test_a_finance_director_sees_their_trusts_uploads_and_their_own(director, other_director, uploads):
    assert names(token_client(director).get(URL)) == ["both.csv", "home.csv", "mine-rejected.csv"]
    assert names(token_client(other_director).get(URL)) == ["both.csv", "other.csv"]
    # Another trust's upload, asked for by id, is not found.
    assert token_client(director).get(f"{URL}{uploads['other'].pk}/").status_code == 404
    assert token_client(director).get(f"{URL}{uploads['home'].pk}/").json()["trusts"] == ["RHOME"]


@pytest.mark.django_db
def test_a_user_without_a_role_sees_no_uploads(nobody, uploads):
    assert names(token_client(nobody).get(URL)) == []


@pytest.mark.django_db
def test_upload_filters(analyst, uploads):
    client = token_client(analyst)
    assert names(client.get(URL, {"org_code": "ROTHR"})) == ["both.csv", "other.csv"]
    assert names(client.get(URL, {"kind": "performance"})) == ["both.csv"]
    assert names(client.get(URL, {"status": "rejected"})) == ["mine-rejected.csv"]
    assert client.get(URL, {"status": "lost"}).status_code == 400


@pytest.mark.django_db
def test_a_finance_director_uploads_their_trusts_returns(director, home_trust):
    client = token_client(director, read_only=False)
    response = client.post(URL, {"file": finance_file("RHOME,2016-04,-100000,-90000.50,\"(1,200,000)\"",
                                                      "RHOME,2016-05,-200000,-150000,-1150000")})
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["ok"] is True and report["kind"] == "finance" and report["status"] == "stored"
    assert report["counts"]["new"] == 2 and report["errors"] == []
    upload = Upload.objects.get(pk=report["upload"])
    assert upload.source == "api" and upload.uploaded_by == director
    stored = FinanceReturn.objects.current().get(trust=home_trust, month=datetime.date(2016, 4, 1))
    assert stored.actual_ytd == Decimal("-90000.50") and stored.forecast_outturn == Decimal("-1200000.00")
    # It is listed for them afterwards.
    assert "returns.csv" in names(client.get(URL))


@pytest.mark.django_db
def test_another_trusts_rows_are_refused_with_every_error(director, home_trust, other_trust):
    client = token_client(director, read_only=False)
    response = client.post(URL, {"file": finance_file("RHOME,2016-04,-100000,-90000,-1200000",
                                                      "ROTHR,2016-04,-100000,-90000,-1200000",
                                                      "RHOME,2016-05,-200000,lots,-1150000")})
    assert response.status_code == 400
    report = response.json()
    assert report["ok"] is False and report["status"] == "rejected"
    assert report["detail"].startswith("Nothing was stored")
    rows = sorted((error["row"], error["column"]) for error in report["errors"])
    assert rows == [(3, "org_code"), (4, "actual_ytd")]
    assert "lots" in str(report["errors"])
    assert not FinanceReturn.objects.exists()
    assert Upload.objects.get(pk=report["upload"]).status == "rejected"


@pytest.mark.django_db
def test_an_analyst_uploads_any_trusts_returns(analyst, home_trust, other_trust):
    response = token_client(analyst, read_only=False).post(
        URL, {"file": finance_file("RHOME,2016-04,-1,-1,-1", "ROTHR,2016-04,-2,-2,-2")}
    )
    assert response.status_code == 201, response.content
    assert FinanceReturn.objects.count() == 2


@pytest.mark.django_db
def test_an_unreadable_file_is_a_400(director):
    bad = SimpleUploadedFile("notes.csv", b"hello,world\r\n1,2\r\n", content_type="text/csv")
    response = token_client(director, read_only=False).post(URL, {"file": bad})
    assert response.status_code == 400
    assert response.json()["errors"]


@pytest.mark.django_db
def test_an_oversized_file_is_refused(settings, director):
    settings.UPLOAD_MAX_BYTES = 100
    big = finance_file(*["RHOME,2016-04,-100000,-90000,-1200000"] * 10)
    size = big.size
    response = token_client(director, read_only=False).post(URL, {"file": big})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == f"The file is {size:,} bytes, over the limit of 100 bytes."
    assert not FinanceReturn.objects.exists()


@pytest.mark.django_db
def test_a_file_must_be_sent_as_multipart(director):
    client = token_client(director, read_only=False)
    assert client.post(URL, {"file": "x"}, format="json").status_code == 415
    assert client.post(URL, {}).json()["file"]


@pytest.mark.django_db
def test_an_import_that_fails_on_our_side_is_a_503(monkeypatch, director):
    from stftracker.intake import importing
    from stftracker.intake.reports import IngestResult

    def failing_ingest(**kwargs):
        error = {"row": None, "column": "", "value": "", "message": "The import failed and nothing was stored."}
        return IngestResult(ok=False, kind="finance", errors=[error], status="failed")

    monkeypatch.setattr(importing, "ingest", failing_ingest)
    response = token_client(director, read_only=False).post(URL, {"file": finance_file("RHOME,2016-04,-1,-1,-1")})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "try again" in response.json()["detail"]
