"""Which uploads a finance director sees: their own, and stored files touching a trust they direct
now; a rejected file only its uploader and analysts; never the cells of another trust's rows."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stftracker.intake.importing import ingest
from stftracker.intake.selectors import shown_errors, visible_uploads
from tests.builders import allocate, quarter_with_status, recompute
from tests.factories import UploadFactory
from trusts.models import UploadStatus

# A cell only the other trust's rows carry, to spot it in a page or a response.
OTHER_CELL = "-7654321"


def web(user):
    client = Client()
    client.force_login(user)
    return client


def finance_lines(*rows):
    return ("org_code,period,plan_ytd,actual_ytd,forecast_outturn\r\n" + "".join(
        f"{code},{month},-100000,{actual},-900000\r\n" for code, month, actual in rows)).encode()


def pages_of(user, upload, trust):
    """Every place an upload is listed or shown, as ``user`` sees them."""
    client = web(user)
    return {
        "history": client.get("/uploads/history/").content.decode(),
        "trust history": client.get("/uploads/history/", {"trust": trust.org_code}).content.decode(),
        "upload page": client.get("/uploads/").content.decode(),
        "detail": client.get(f"/uploads/{upload.pk}/"),
        "api list": client.get("/api/v1/uploads/").json()["results"],
        "api detail": client.get(f"/api/v1/uploads/{upload.pk}/"),
        "trust page": client.get(f"/trusts/{trust.org_code}/").content.decode(),
        "trust csv": client.get(f"/trusts/{trust.org_code}/", {"format": "csv", "chart": "uploads"}),
    }


def assert_hidden(user, upload, trust, file_name):
    seen = pages_of(user, upload, trust)
    for page in ("history", "trust history", "upload page", "trust page"):
        assert file_name not in seen[page], page
    assert seen["detail"].status_code == 404
    assert seen["api detail"].status_code == 404
    assert upload.pk not in {row["id"] for row in seen["api list"]}
    assert file_name not in seen["trust csv"].content.decode()


def assert_shown(user, upload, trust, file_name):
    seen = pages_of(user, upload, trust)
    assert file_name in seen["history"]
    assert seen["detail"].status_code == 200
    assert seen["api detail"].status_code == 200
    assert upload.pk in {row["id"] for row in seen["api list"]}


@pytest.mark.django_db
def test_a_rejected_national_file_naming_another_trust_is_not_in_that_trusts_history(
        director, other_director, analyst, home_trust, other_trust):
    plans = b"org_code,year,stf_allocation,control_total,control_total_accepted\r\nRHOME,2016-17,1,-1,yes\r\n"
    result = ingest(data=plans, file_name="NHSI-instruction-to-RHOME.csv", user=other_director)
    assert result.upload.status == UploadStatus.REJECTED
    assert list(result.upload.trusts.values_list("org_code", flat=True)) == ["RHOME"]  # kept for analysts

    assert_hidden(director, result.upload, home_trust, "NHSI-instruction-to-RHOME.csv")
    assert_shown(other_director, result.upload, other_trust, "NHSI-instruction-to-RHOME.csv")
    assert_shown(analyst, result.upload, home_trust, "NHSI-instruction-to-RHOME.csv")


@pytest.mark.django_db
def test_a_rejected_mixed_file_shows_no_trusts_cells_to_the_other_trusts_director(
        director, other_director, analyst, home_trust, other_trust):
    data = finance_lines(("RHOME", "2016-04", "-90000"), ("ROTHR", "2016-04", OTHER_CELL),
                         ("ROTHR", "2016-05", "nonsense"))
    result = ingest(data=data, file_name="mixed.csv", user=analyst)
    assert result.upload.status == UploadStatus.REJECTED
    assert set(result.upload.trusts.values_list("org_code", flat=True)) == {"RHOME", "ROTHR"}

    assert_hidden(director, result.upload, home_trust, "mixed.csv")
    for page, content in pages_of(director, result.upload, home_trust).items():
        text = content if isinstance(content, str) else str(getattr(content, "content", content))
        assert OTHER_CELL not in text and "nonsense" not in text, page
    # The analyst who sent it sees every error, the cell included.
    detail = web(analyst).get(f"/uploads/{result.upload.pk}/").content.decode()
    assert "nonsense" in detail


@pytest.mark.django_db
def test_a_stored_file_touching_a_directed_trust_is_shown_with_only_that_trusts_changes(
        director, analyst, home_trust, other_trust, django_capture_on_commit_callbacks):
    for trust in (home_trust, other_trust):
        allocate(trust)
        quarter_with_status(trust, 1, "pending")
    recompute("2016-17")
    data = finance_lines(("RHOME", "2016-06", "-90000"), ("ROTHR", "2016-06", OTHER_CELL))
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(data=data, file_name="both.csv", user=analyst)
    assert result.upload.status == UploadStatus.STORED

    assert_shown(director, result.upload, home_trust, "both.csv")
    detail = web(director).get(f"/uploads/{result.upload.pk}/")
    shown = [(row["org_code"], row["quarter"]) for row in detail.context["changes"]]
    assert shown == [("RHOME", 1)]  # the analyst sees both trusts' changed quarters
    analyst_detail = web(analyst).get(f"/uploads/{result.upload.pk}/")
    assert [(row["org_code"], row["quarter"]) for row in analyst_detail.context["changes"]] == [
        ("RHOME", 1), ("ROTHR", 1)]


@pytest.mark.django_db
def test_unlinking_a_director_takes_the_trusts_uploads_from_their_view_but_not_their_own(
        director, analyst, home_trust):
    own = ingest(data=finance_lines(("RHOME", "2016-04", "-90000")), file_name="mine.csv", user=director)
    theirs = ingest(data=finance_lines(("RHOME", "2016-05", "-80000")), file_name="analysts.csv", user=analyst)
    assert own.upload.status == theirs.upload.status == UploadStatus.STORED
    assert set(visible_uploads(user=director)) == {own.upload, theirs.upload}

    home_trust.finance_directors.remove(director)
    from django.contrib.auth import get_user_model

    unlinked = get_user_model().objects.get(pk=director.pk)  # a new request: nothing cached
    assert list(visible_uploads(user=unlinked)) == [own.upload]
    assert_hidden(unlinked, theirs.upload, home_trust, "analysts.csv")
    assert web(unlinked).get("/uploads/history/", {"trust": "RHOME"}).status_code == 404
    assert web(unlinked).get(f"/uploads/{own.upload.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_director_sees_their_own_rejected_file_and_its_errors(director, home_trust, other_trust):
    result = ingest(data=finance_lines(("RHOME", "2016-04", "abc")), file_name="typo.csv", user=director)
    assert result.upload.status == UploadStatus.REJECTED
    body = web(director).get(f"/uploads/{result.upload.pk}/").content.decode()
    assert "typo.csv" in body and "&#x27;abc&#x27; is not a sum of money" in body


@pytest.mark.django_db
def test_errors_naming_rows_are_shown_only_to_analysts_and_the_uploader(director, other_director, analyst):
    errors = [{"row": None, "column": "", "value": "", "message": "The file has a header but no rows."},
              {"row": 3, "column": "actual_ytd", "value": OTHER_CELL, "message": "x"}]
    upload = UploadFactory(uploaded_by=other_director, status=UploadStatus.REJECTED, errors=errors)
    assert shown_errors(upload, analyst) == errors
    assert shown_errors(upload, other_director) == errors
    assert shown_errors(upload, director) == errors[:1]


@pytest.mark.django_db
def test_the_uploads_api_withholds_row_errors_of_a_file_someone_else_sent(director, other_director, home_trust):
    upload = UploadFactory(uploaded_by=other_director, status=UploadStatus.STORED,
                           errors=[{"row": 2, "column": "actual_ytd", "value": OTHER_CELL, "message": "x"}])
    upload.trusts.add(home_trust)
    client = web(director)
    assert client.get(f"/api/v1/uploads/{upload.pk}/").json()["errors"] == []
    assert OTHER_CELL not in client.get(f"/uploads/{upload.pk}/").content.decode()
    assert client.get(f"/api/v1/uploads/{upload.pk}/").json()["id"] == upload.pk


@pytest.mark.django_db
def test_the_upload_api_refuses_a_directors_file_of_another_trust_without_storing_it(director, home_trust,
                                                                                      other_trust):
    data = finance_lines(("ROTHR", "2016-04", OTHER_CELL))
    response = web(director).post("/api/v1/uploads/", {"file": SimpleUploadedFile("o.csv", data)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "org_code"
