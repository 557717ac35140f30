"""Upload pages: preview, confirm, errors, progress, templates, history and who may do what."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from finance.models import FinanceReturn, RecomputeRun
from tests.conftest import FIXTURES
from tests.factories import UploadFactory, UserFactory
from trusts.models import Upload, UploadStatus


def fixture_file(name, as_name=None):
    return SimpleUploadedFile(as_name or name.split("/")[-1], (FIXTURES / name).read_bytes(), content_type="text/csv")


@pytest.fixture
def fd_client(client, director):
    client.force_login(director)
    return client


def token_of(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_login_required(client):
    response = client.get("/uploads/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_preview_then_confirm_then_progress(fd_client, home_trust, django_capture_on_commit_callbacks):
    page = fd_client.get("/uploads/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    preview = fd_client.post("/uploads/preview/", {"file": fixture_file("finance.csv")})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Preview of finance.csv" in body and "Confirm and store" in body
    assert re.search(r"New rows</p><p class=\"figure-value\">3<", body)
    assert "RAA 2016-05" in body
    assert FinanceReturn.objects.count() == 0 and Upload.objects.count() == 0  # nothing until confirmed

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = fd_client.post("/uploads/confirm/", {"token": token_of(preview)})
    upload = Upload.objects.get()
    assert confirmed.status_code == 302 and confirmed["Location"] == f"/uploads/{upload.pk}/"
    assert upload.status == UploadStatus.STORED and FinanceReturn.objects.count() == 3

    detail = fd_client.get(confirmed["Location"])
    text = detail.content.decode()
    assert "Recompute" in text and "Done" in text
    assert 'http-equiv="refresh"' not in text  # finished: no more refreshing
    assert "No trust's entitlement changed." in text  # RAA has no allocation yet

    # The token is spent: confirming twice stores nothing more.
    again = fd_client.post("/uploads/confirm/", {"token": token_of(preview)}, follow=True)
    assert "expired" in again.content.decode() and Upload.objects.count() == 1


@pytest.mark.django_db
def test_progress_page_refreshes_while_the_run_is_queued(fd_client, director, home_trust):
    upload = UploadFactory(uploaded_by=director)
    upload.trusts.add(home_trust)
    RecomputeRun.objects.create(upload=upload, state="running", progress_done=1, progress_total=4)
    text = fd_client.get(f"/uploads/{upload.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in text
    assert "Running" in text and "(1 of 4)" in text


@pytest.mark.django_db
def test_a_bad_file_shows_every_error_in_a_table_and_is_kept(fd_client, director, home_trust):
    response = fd_client.post("/uploads/preview/", {"file": fixture_file("bad/one_bad_row_among_good.csv")})
    assert response.status_code == 400
    text = response.content.decode()
    assert "1 error: nothing from this file was stored." in text
    assert '<td class="num">4</td><td>actual_ytd</td><td>(290,000</td>' in text
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.REJECTED and upload.uploaded_by == director
    assert FinanceReturn.objects.count() == 0
    detail = fd_client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "is not a sum of money" in detail


@pytest.mark.django_db
def test_a_bad_file_is_read_and_checked_once_by_the_preview(fd_client, home_trust, monkeypatch):
    from stftracker.intake import importing

    calls = []
    real = importing.analyse

    def counted(**kwargs):
        calls.append(kwargs["file_name"])
        return real(**kwargs)

    monkeypatch.setattr(importing, "analyse", counted)
    response = fd_client.post("/uploads/preview/", {"file": fixture_file("bad/bad_money.csv")})
    assert response.status_code == 400
    assert calls == ["bad_money.csv"]
    assert list(Upload.objects.values_list("file_name", "status")) == [("bad_money.csv", UploadStatus.REJECTED)]


@pytest.mark.django_db
def test_finance_director_cannot_upload_for_another_trust(fd_client, home_trust, other_trust):
    response = fd_client.post("/uploads/preview/", {"file": fixture_file("bad/other_trust.csv")})
    assert response.status_code == 400
    assert "You may upload returns only for the trusts you direct (RAA), not RBB." in response.content.decode()
    assert FinanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_finance_director_cannot_import_national_files(fd_client, home_trust):
    response = fd_client.post("/uploads/preview/", {"file": fixture_file("ae_nhse.csv")})
    assert response.status_code == 400
    assert ("You may not upload NHS England A&amp;E monthly CSV: they are NHS England&#x27;s published statistics: "
            "only analysts import them") in response.content.decode()


@pytest.mark.django_db
def test_csrf_is_enforced_on_the_upload_and_confirm_forms(director, home_trust):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    refused = client.post("/uploads/preview/", {"file": fixture_file("finance.csv")})
    assert refused.status_code == 403
    assert client.post("/uploads/confirm/", {"token": "x"}).status_code == 403
    page = client.get("/uploads/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    accepted = client.post("/uploads/preview/", {"file": fixture_file("finance.csv"), "csrfmiddlewaretoken": csrf})
    assert accepted.status_code == 200 and "Confirm and store" in accepted.content.decode()


@pytest.mark.django_db
def test_previewed_file_belongs_to_the_user_who_previewed_it(fd_client, home_trust, client):
    preview = fd_client.post("/uploads/preview/", {"file": fixture_file("finance.csv")})
    other = Client()
    other.force_login(UserFactory(username="analyst2", role="analyst"))
    response = other.post("/uploads/confirm/", {"token": token_of(preview)}, follow=True)
    assert "expired" in response.content.decode()
    assert Upload.objects.count() == 0


@pytest.mark.django_db
def test_file_over_the_limit_is_refused_by_the_form(fd_client, settings, home_trust):
    settings.UPLOAD_MAX_BYTES = 10
    response = fd_client.post("/uploads/preview/", {"file": fixture_file("finance.csv")})
    assert response.status_code == 400
    assert "over the limit of 10 bytes" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind, columns", [
    ("trusts", ["org_code", "name", "trust_type", "region", "footprint"]),
    ("plans", ["org_code", "year", "stf_allocation", "control_total", "control_total_accepted"]),
    ("finance", ["org_code", "period", "plan_ytd", "actual_ytd", "forecast_outturn"]),
    ("performance", ["org_code", "period", "metric", "numerator", "denominator"]),
    ("trajectories", ["org_code", "period", "metric", "trajectory_pct"]),
])
def test_blank_templates(client, analyst, kind, columns):
    client.force_login(analyst)
    page = client.get("/uploads/").content.decode()
    assert f'href="/uploads/templates/{kind}.csv"' in page and f'href="/uploads/templates/{kind}.xlsx"' in page
    csv_response = client.get(f"/uploads/templates/{kind}.csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Disposition"] == f'attachment; filename="stf-{kind}-template.csv"'
    lines = csv_response.content.decode().split("\r\n")
    # The header, the example row (an analyst's template has no pre-filled rows), the last line end.
    assert lines[0] == ",".join(columns) and len(lines) == 3 and lines[2] == ""
    assert lines[1].startswith('"EXAMPLE (delete this row).') or lines[1].startswith("EXAMPLE (delete this row).")
    xlsx = client.get(f"/uploads/templates/{kind}.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames == [kind, "Notes"]
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == columns and len(rows) == 2 and rows[1][0].startswith("EXAMPLE (delete this row).")
    assert client.get(f"/uploads/templates/{kind}.ods").status_code == 404


@pytest.mark.django_db
def test_a_finance_director_is_offered_only_the_finance_template(fd_client):
    page = fd_client.get("/uploads/").content.decode()
    offered = sorted(set(re.findall(r'href="/uploads/templates/(\w+)\.csv"', page)))
    assert offered == ["finance"]
    lines = fd_client.get("/uploads/templates/finance.csv").content.decode().split("\r\n")
    assert lines[0] == "org_code,period,plan_ytd,actual_ytd,forecast_outturn"
    assert lines[1].startswith('"EXAMPLE (delete this row).')
    assert lines[2:] == ["RAA,,,,", ""]  # the director's own trust, its code filled in
    for kind in ("trusts", "plans", "performance", "trajectories"):
        assert fd_client.get(f"/uploads/templates/{kind}.csv").status_code == 404
        assert fd_client.get(f"/uploads/templates/{kind}.xlsx").status_code == 404


@pytest.mark.django_db
def test_history_national_for_analysts_and_own_trusts_for_directors(client, director, home_trust, other_trust):
    analyst = UserFactory(username="nat", role="analyst")
    other_fd = UserFactory(username="fd_beta", role="finance_director", trusts=[other_trust])
    mine = UploadFactory(file_name="alpha-june.csv", uploaded_by=director)
    mine.trusts.add(home_trust)
    theirs = UploadFactory(file_name="beta-june.csv", uploaded_by=other_fd)
    theirs.trusts.add(other_trust)
    national = UploadFactory(file_name="ae-national.csv", kind="ae_nhse", uploaded_by=analyst)
    national.trusts.add(home_trust, other_trust)

    client.force_login(analyst)
    text = client.get("/uploads/history/").content.decode()
    assert all(name in text for name in ["alpha-june.csv", "beta-june.csv", "ae-national.csv"])
    text = client.get("/uploads/history/?trust=RBB").content.decode()
    assert "beta-june.csv" in text and "alpha-june.csv" not in text

    client.force_login(director)
    text = client.get("/uploads/history/").content.decode()
    assert "alpha-june.csv" in text and "ae-national.csv" in text and "beta-june.csv" not in text
    assert client.get("/uploads/history/?trust=RBB").status_code == 404
    assert client.get(f"/uploads/{theirs.pk}/").status_code == 404
    assert client.get(f"/uploads/{mine.pk}/").status_code == 200
    assert "fd_home" in client.get("/uploads/").content.decode()


@pytest.mark.django_db
def test_rejected_upload_of_a_director_shows_in_their_history(fd_client, home_trust):
    fd_client.post("/uploads/preview/", {"file": fixture_file("bad/bad_money.csv", "june.csv")})
    text = fd_client.get("/uploads/history/").content.decode()
    assert "june.csv" in text and "Rejected" in text


@pytest.mark.django_db
def test_get_never_writes(fd_client, home_trust):
    assert fd_client.get("/uploads/preview/").status_code == 405
    assert fd_client.get("/uploads/confirm/").status_code == 405
