"""Files built to exhaust a worker (tests/security/hostile.py) are refused within seconds, each with
an upload record saying why, and a file of many bad rows keeps a bounded list of its errors."""
import hashlib
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from stftracker.intake import importing
from tests.api.conftest import token_client
from tests.security import hostile
from trusts.models import Upload, UploadStatus

ACCEPTANCE_SECONDS = 5  # the probe's acceptance: each hostile file refused within this


@pytest.fixture(autouse=True)
def fresh_throttle(fresh_cache):
    """Throttle counters live in the cache: every test starts with a full allowance."""


@pytest.fixture
def sender(director):
    return token_client(director, read_only=False)


def send(client, data, name):
    started = time.perf_counter()
    response = client.post("/api/v1/uploads/", {"file": SimpleUploadedFile(name, data)}, format="multipart")
    return response, time.perf_counter() - started


def assert_refused_with_a_record(response, elapsed, data, name, director, words):
    assert elapsed < ACCEPTANCE_SECONDS, f"{name} took {elapsed:.1f} s"
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["ok"] is False and body["errors_total"] == 1
    assert words in body["errors"][0]["message"]
    upload = Upload.objects.get(pk=body["upload"])
    assert upload.status == UploadStatus.REJECTED and upload.uploaded_by == director
    assert upload.file_name == name and upload.size_bytes == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert words in upload.errors[0]["message"] and upload.errors_total == 1


@pytest.mark.django_db
@pytest.mark.parametrize("build, name, words", [
    # 160 MiB inflates past the 100 MiB limit as surely as the probe's 1 GiB (bench/intake_memory.py
    # sends that one) and is quicker to build.
    (lambda: hostile.bomb_shared_string(160 * 1024 ** 2), "bomb.xlsx", "unpacks to 167,"),
    (hostile.padded_dimension, "padded.xlsx", "more than 50,000 rows (reading stopped at row 1,048,576)"),
    (lambda: hostile.dense_sheet(60_000), "dense.xlsx", "more than 50,000 rows (its sheet has 60,001)"),
    (hostile.million_row_csv, "million.csv", "more than 50,000 rows (reading stopped at row 50,001)"),
    (hostile.wide_header_csv, "wide.csv", "Line 1 has 1,999,999 commas: a file may have at most 500 columns"),
    (hostile.doctype_sheet, "doctype.xlsx", "DOCTYPE declaration"),
])
def test_a_hostile_file_is_refused_quickly_with_an_upload_record(sender, director, build, name, words):
    data = build()
    response, elapsed = send(sender, data, name)
    assert_refused_with_a_record(response, elapsed, data, name, director, words)


@pytest.mark.django_db
def test_a_sheet_of_more_cells_than_allowed_is_refused_before_it_is_read(sender, director):
    data = hostile.wide_dense_sheet(columns=400, rows=5_000)  # 2,000,000 cells of one digit, 70 KB
    response, elapsed = send(sender, data, "cells.xlsx")
    assert_refused_with_a_record(response, elapsed, data, "cells.xlsx", director,
                                 "more than 1,000,000 non-empty cells (its sheet has 2,000,000 values)")


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_CELLS=50_000)
def test_reading_stops_at_the_cell_limit_when_counting_cannot_tell(sender, director):
    """Values written with a namespace prefix are not counted before reading; reading stops at
    the cell past the limit all the same."""
    def chunks():
        yield f'<?xml version="1.0"?><x:worksheet xmlns:x="{hostile.MAIN}"><x:sheetData>'.encode()
        for number in range(1, 5_001):
            yield (f'<x:row r="{number}">' + "<x:c><x:v>1</x:v></x:c>" * 400 + "</x:row>").encode()
        yield b"</x:sheetData></x:worksheet>"

    data = hostile.xlsx(chunks())
    response, elapsed = send(sender, data, "prefixed.xlsx")
    # 50,000 cells are 125 rows of 400: reading stops in row 126.
    assert_refused_with_a_record(response, elapsed, data, "prefixed.xlsx", director,
                                 "more than 50,000 non-empty cells (reading stopped at row 126)")


@pytest.mark.django_db
def test_a_file_of_many_bad_rows_lists_the_first_errors_and_stops_there(sender, director):
    data = hostile.bad_rows_csv(49_000)  # every row's plan_ytd is "lots": one error a row
    response, elapsed = send(sender, data, "bad.csv")
    assert elapsed < ACCEPTANCE_SECONDS
    assert response.status_code == 400
    body = response.json()
    # 200 errors are kept (rows 2 to 201); row 202's is counted; reading stops at row 203.
    assert body["errors_total"] == 201 and "201 errors" in body["detail"]
    listed, summary = body["errors"][:-1], body["errors"][-1]
    assert len(listed) == 200 and [error["row"] for error in listed] == list(range(2, 202))
    assert all(error["column"] == "plan_ytd" and error["value"] == "lots" for error in listed)
    assert summary["row"] is None and summary["message"].startswith(
        "... and 1 more error; checking stopped at row 203, so the rows from it on were not checked")
    upload = Upload.objects.get(pk=body["upload"])
    assert upload.errors_total == 201 and len(upload.errors) == 201 and upload.errors[-1] == summary
    # The history stays small: the upload's errors are 201 entries, not 49,000.
    listing = sender.get("/api/v1/uploads/")
    assert listing.status_code == 200 and len(listing.content) < 100_000


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_ERRORS=3)
def test_errors_found_after_reading_are_capped_and_counted(sender, director):
    """Errors of whole rows found after reading (here org codes not in the register) are not
    stopped early, but only the first are kept, and all are counted."""
    data = ("org_code,period,plan_ytd,actual_ytd,forecast_outturn\n"
            + "".join(f"RX{n:03d},2016-04,-1,-1,-1\n" for n in range(10))).encode()
    body = send(sender, data, "unknown.csv")[0].json()
    assert body["errors_total"] == 10 and [error["row"] for error in body["errors"]] == [2, 3, 4, None]
    assert body["errors"][-1]["message"].startswith("... and 7 more errors: only the first 3 are listed")


@pytest.mark.django_db
def test_a_cell_value_thousands_of_characters_long_is_clipped_in_the_error(sender, home_trust):
    data = (hostile.FINANCE_HEADER + "\nRHOME,2016-04," + "9" * 50_000 + "x,-1,-1\n").encode()
    body = send(sender, data, "long.csv")[0].json()
    (error,) = body["errors"]
    assert error["row"] == 2 and error["column"] == "plan_ytd"
    assert len(error["value"]) == 200 and error["value"].endswith("…") and len(error["message"]) <= 1000


@pytest.mark.django_db
def test_the_upload_record_is_written_before_the_file_is_read(director, home_trust, monkeypatch):
    """A worker lost while reading (here the read never returns: SystemExit, as a killed worker's
    request never does) leaves the record of the file it received, saying so."""
    data = hostile.million_row_csv(10)

    def lost(_data):
        raise SystemExit("worker killed")

    monkeypatch.setattr(importing, "read_file", lost)
    with pytest.raises(SystemExit):
        importing.ingest(data=data, file_name="lost.csv", user=director, source="api")
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.FAILED and upload.uploaded_by == director
    assert upload.file_name == "lost.csv" and upload.size_bytes == len(data) and upload.source == "api"
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.errors == [{"row": None, "column": "", "value": "", "message": importing.UNFINISHED}]


@pytest.mark.django_db
def test_a_crash_while_checking_is_recorded_as_failed_with_its_reason(sender, director, monkeypatch):
    def broken(_data):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr(importing, "read_file", broken)
    data = hostile.million_row_csv(10)
    response, _elapsed = send(sender, data, "crash.csv")
    assert response.status_code == 503  # our failure, not the file's
    upload = Upload.objects.get(pk=response.json()["upload"])
    assert upload.status == UploadStatus.FAILED and upload.size_bytes == len(data)
    assert "RuntimeError: the reader broke" in upload.errors[0]["message"]
