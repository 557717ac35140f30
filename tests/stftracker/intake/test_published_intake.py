"""NHS England's published RTT and cancer statistics through the intake: told by their header
(the workbook by its sheet and header cell, wherever they are), previewed then stored from the
upload page, imported by the command and the API, analysts only, in a number of queries that
does not grow with the number of trusts."""
import csv
import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from common.tabular import read_table
from performance.models import PerformanceReturn
from stftracker.intake.importing import ingest
from stftracker.intake.kinds import detect_kind, read_file
from tests.api.conftest import token_client
from tests.conftest import FIXTURES
from tests.factories import TrustFactory, UserFactory
from trusts.models import Upload, UploadStatus

PUBLISHED = FIXTURES / "published"


def published(name):
    return (PUBLISHED / name).read_bytes()


def upload_file(name):
    return SimpleUploadedFile(name, published(name))


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def token_of(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_kinds_are_told_from_the_header_and_the_workbook_from_its_sheet():
    workbook = read_file(published("Incomplete-Provider-Mar17.xlsx"))
    assert workbook.sheet == "Provider"  # not the first sheet, IS Provider
    assert workbook.first_row_number == 15 and workbook.header[1] == "Provider Code"
    assert workbook.header[5:7] == [">0-1", ">1-2"]  # the band row under the merged group label
    assert workbook.title["period"].value == "March 2017"
    assert detect_kind(workbook) == "rtt_provider"
    assert detect_kind(read_file(published("Incomplete-Provider-Apr17.xlsx"))) == "rtt_provider"
    assert detect_kind(read_table(published("rtt_full_extract.csv"))) == "rtt_csv"
    assert detect_kind(read_table(published("cwt_provider.csv"))) == "cancer62"
    assert detect_kind(read_table((FIXTURES / "ae_nhse.csv").read_bytes())) == "ae_nhse"
    # A plain workbook is still read from its first sheet.
    assert read_file((FIXTURES / "finance.xlsx").read_bytes()).sheet is None


def raa_march_total():
    """RAA's Total row of the March workbook: (within 18 weeks, total), read here by hand."""
    sheet = load_workbook(PUBLISHED / "Incomplete-Provider-Mar17.xlsx", data_only=True)["Provider"]
    names = {cell.value: cell.column for cell in sheet[13] if cell.value}
    (row,) = [row for row in sheet.iter_rows(min_row=15, values_only=True) if row[1] == "RAA" and row[3] == "C_999"]
    return row[names["Total within 18 weeks"] - 1], row[names["Total number of incomplete pathways"] - 1]


@pytest.mark.django_db
def test_upload_page_previews_then_stores_the_rtt_workbook(analyst_client, home_trust, other_trust,
                                                           django_capture_on_commit_callbacks):
    preview = analyst_client.post("/uploads/preview/", {"file": upload_file("Incomplete-Provider-Mar17.xlsx")})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "NHS England RTT incomplete pathways provider workbook" in body and "Confirm and store" in body
    assert re.search(r"New rows</p><p class=\"figure-value\">2<", body)
    assert "4 rows of 2 organisations were skipped" in body
    assert "RAA 2017-03 rtt" in body
    assert PerformanceReturn.objects.count() == 0 and Upload.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = analyst_client.post("/uploads/confirm/", {"token": token_of(preview)})
    upload = Upload.objects.get()
    assert confirmed.status_code == 302 and confirmed["Location"] == f"/uploads/{upload.pk}/"
    assert upload.status == UploadStatus.STORED and upload.rows_new == 2 and upload.rows_skipped == 4
    assert upload.sha256 == hashlib.sha256(published("Incomplete-Provider-Mar17.xlsx")).hexdigest()
    raa = PerformanceReturn.objects.get(trust=home_trust, metric="rtt")
    assert (raa.numerator, raa.denominator) == raa_march_total()
    assert raa.upload_id == upload.pk
    detail = analyst_client.get(confirmed["Location"]).content.decode()
    assert "NHS England RTT incomplete pathways provider workbook" in detail


@pytest.mark.django_db
def test_preview_says_which_standards_were_not_read(analyst_client, home_trust, other_trust):
    body = analyst_client.post("/uploads/preview/", {"file": upload_file("cwt_provider.csv")}).content.decode()
    assert "Rows of other standards than the 62-day urgent GP referral standard are not read" in body
    assert "<li>4 rows: 62 Day Screening</li>" in body and "<li>1 row: 62-day (upgrade)</li>" in body


@pytest.mark.django_db
def test_finance_director_cannot_import_published_statistics(client, director, home_trust):
    client.force_login(director)
    response = client.post("/uploads/preview/", {"file": upload_file("cwt_provider.csv")})
    assert response.status_code == 400
    assert ("they are NHS England&#x27;s published statistics: only analysts import them, not the trust&#x27;s "
            "finance directors") in response.content.decode()
    assert PerformanceReturn.objects.count() == 0


@pytest.mark.django_db
def test_import_returns_command_imports_the_cancer_extract_and_keeps_history(home_trust, other_trust):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    out = io.StringIO()
    call_command("import_returns", str(PUBLISHED / "cwt_provider.csv"), stdout=out)
    text = out.getvalue()
    # 34 rows: RAA 14 a month (5 + 2 + 2 + 3 + 2 over five standards) for two months, RBB 4, NT4 2.
    assert ("kind: cancer62 (NHS England Cancer Waiting Times provider extract (62-day)); rows: 34; "
            "status: stored") in text
    assert "new 3, changed 0, unchanged 0, skipped 2" in text
    assert "2 rows: not an NHS trust in the trust register" in text
    with open(PUBLISHED / "cwt_provider.csv", newline="", encoding="utf-8") as handle:
        rbb = [row for row in csv.DictReader(handle) if row["ORG CODE"] == "RBB" and row["STANDARD"] == "62-Day"]
    stored = PerformanceReturn.objects.get(trust=other_trust, metric="cancer62")
    assert (stored.numerator, stored.denominator) == (sum(int(row["WITHIN STANDARD"]) for row in rbb),
                                                      sum(int(row["TOTAL TREATED"]) for row in rbb))
    # The same file again changes nothing and is recorded as a duplicate.
    call_command("import_returns", str(PUBLISHED / "cwt_provider.csv"), stdout=io.StringIO())
    assert list(Upload.objects.order_by("pk").values_list("status", flat=True)) == ["stored", "duplicate"]
    assert PerformanceReturn.objects.filter(metric="cancer62").count() == 3


@pytest.mark.django_db
def test_api_imports_the_rtt_extract(analyst, home_trust, other_trust):
    response = token_client(analyst, read_only=False).post("/api/v1/uploads/", {"file": upload_file("rtt_full_extract.csv")})
    assert response.status_code in (200, 201), response.content
    assert response.json()["kind"] == "rtt_csv" and response.json()["counts"]["new"] == 2
    assert PerformanceReturn.objects.filter(metric="rtt").count() == 2


def cancer_file(codes):
    rows = [["2017-03", code, "62 Day", cancer_type, 10, 9, 1] for code in codes for cancer_type in ("Breast", "Lung")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["PERIOD", "ORG CODE", "STANDARD", "CANCER TYPE", "TOTAL TREATED", "WITHIN STANDARD", "BREACHES"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_trusts(analyst, region):
    codes = [f"RQ{number:03d}" for number in range(1, 31)]
    for code in codes:
        TrustFactory(org_code=code, region=region)
    ingest(data=cancer_file(codes[:1]), file_name="cwt.csv", user=analyst, commit=False)  # the user's permissions cached
    counts = []
    for some in (codes[:2], codes):
        with CaptureQueriesContext(connection) as queries:
            result = ingest(data=cancer_file(some), file_name="cwt.csv", user=analyst, commit=False)
        assert result.ok and result.counts["new"] == len(some)
        counts.append(len(queries))
    assert counts[0] == counts[1]
