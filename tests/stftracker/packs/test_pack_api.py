"""The review pack's API and page: the workbook at once for a small country, 202 and a build to
poll above PACK_INLINE_MAX_TRUSTS (the task run in-process, as without a worker, or as a worker
runs it), the same bytes again while the figures are unchanged, clear 404s, analysts only, and
as many queries for 30 trusts as for 3."""
import io

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError as KombuOperationalError
from openpyxl import load_workbook

from finance.models import Entitlement, RunState
from stftracker.models import PackBuild
from stftracker.packs import services, tasks, workbook
from tests.api.conftest import api_client, token_client
from tests.builders import allocate, areas_country, quarter_with_status, recompute
from tests.factories import RegionFactory, TrustFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = "/api/v1/packs/2016-17/Q2.xlsx"


@pytest.fixture
def eight_trusts(db):
    trusts = areas_country()
    recompute("2016-17")
    return trusts


def trusts_of_sheet(data):
    book = load_workbook(io.BytesIO(data))
    return [row[0] for row in book["Trusts"].iter_rows(min_row=2, values_only=True)]


def test_a_small_pack_is_the_workbook_at_once(analyst, eight_trusts):
    response = token_client(analyst).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="stf-review-pack-2016-17-Q2.xlsx"'
    assert sorted(trusts_of_sheet(response.content)) == sorted(t.org_code for t in eight_trusts)
    build = PackBuild.objects.get()
    assert build.state == RunState.DONE and build.requested_by == analyst and build.size == len(response.content)
    assert response["ETag"] == f'"{build.sha256}"'


def test_the_same_figures_are_served_again_and_changed_figures_rebuilt(analyst, eight_trusts):
    client = token_client(analyst)
    first = client.get(URL)
    again = client.get(URL)
    assert again.status_code == 200 and again.content == first.content
    assert PackBuild.objects.count() == 1  # not rebuilt
    # A new allocation recomputed: another version of the figures, another pack.
    newcomer = TrustFactory(org_code="RNEW", name="New Hospitals NHS Trust", region=eight_trusts[0].region,
                            footprint=None)
    allocate(newcomer)
    quarter_with_status(newcomer, 2, "full")
    recompute("2016-17")
    rebuilt = client.get(URL)
    assert rebuilt.status_code == 200 and "RNEW" in trusts_of_sheet(rebuilt.content)
    assert list(PackBuild.objects.values_list("state", flat=True)) == [RunState.DONE]  # the superseded one is removed


@override_settings(PACK_INLINE_MAX_TRUSTS=2)
def test_a_large_pack_is_built_by_the_task_and_polled(analyst, eight_trusts, django_capture_on_commit_callbacks):
    client = token_client(analyst)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(URL)
    assert response.status_code == 202
    body = response.json()
    build_url = f"/api/v1/packs/builds/{body['id']}/"
    assert response["Location"] == build_url
    assert body["state"] == "queued" and body["progress"] == {"done": 0, "total": 0}
    assert body["url"] == "http://testserver" + build_url
    assert len(queued) == 1  # the task is sent when the request's transaction commits
    # Asked again while it waits: the same build, not another.
    assert client.get(URL).json()["id"] == body["id"]
    assert PackBuild.objects.count() == 1
    waiting = client.get(build_url).json()
    assert waiting["state"] == "queued" and waiting["download"] is None
    download = client.get(f"{build_url}download/")
    assert download.status_code == 409 and "is queued" in download.json()["detail"]

    queued[0]()  # sent: with tasks eager (no worker) it runs here and now
    done = client.get(build_url).json()
    assert done["state"] == "done"
    # Progress counts the workbook's rows: 8 trusts, 2 regions, 4 footprints and the summary's lines.
    summary_lines = 5 + 9 + 6 + 5  # pack, national, withheld by reason (five and their sum), statuses
    assert done["progress"] == {"done": 8 + 2 + 4 + summary_lines, "total": 8 + 2 + 4 + summary_lines}
    assert done["download"] == f"http://testserver{build_url}download/"
    got = client.get(f"{build_url}download/")
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    assert got["Content-Disposition"] == 'attachment; filename="stf-review-pack-2016-17-Q2.xlsx"'
    assert len(trusts_of_sheet(got.content)) == 8
    assert done["size"] == len(got.content)
    # Done: the pack of the same figures is now the workbook at once.
    assert client.get(URL).content == got.content


def test_progress_is_reported_while_the_workbook_is_written(analyst, eight_trusts, monkeypatch):
    """Every few rows the build's progress is written (here every 3 rows, at once)."""
    monkeypatch.setattr(workbook, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(services, "PROGRESS_INTERVAL", 0)
    seen = []
    update = services._update

    def recording(build_id, **fields):
        if "progress_done" in fields:
            seen.append((fields["progress_done"], fields["progress_total"]))
        update(build_id, **fields)

    monkeypatch.setattr(services, "_update", recording)
    from finance.models import Scheme

    build = PackBuild.objects.create(scheme=Scheme.objects.get(code="2016-17"), quarter=2, inputs_version="x")
    tasks.build_pack_task(build.pk)  # as a worker calls it
    total = 8 + 2 + 4 + 25
    assert seen[:4] == [(3, total), (6, total), (9, total), (12, total)]
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    build.refresh_from_db()
    assert build.state == RunState.DONE and build.progress_done == build.progress_total == total
    assert tasks.build_pack_task(build.pk)["state"] == "done"  # idempotent: a finished build is left as it is


@override_settings(PACK_INLINE_MAX_TRUSTS=2)
def test_with_the_task_queue_down_the_build_fails_and_the_next_request_starts_another(
        analyst, eight_trusts, monkeypatch, django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_pack_task, "apply_async", down)
    client = token_client(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(URL).json()
    failed = client.get(first["url"]).json()
    assert failed["state"] == "failed" and "task queue is unavailable" in failed["message"]
    with django_capture_on_commit_callbacks(execute=False):
        second = client.get(URL).json()
    assert second["id"] != first["id"] and second["state"] == "queued"


def test_unknown_year_or_quarter_or_no_figures_is_a_clear_404(analyst, eight_trusts):
    client = token_client(analyst)
    unknown = client.get("/api/v1/packs/2099-00/Q2.xlsx")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "There is no scheme 2099-00: the schemes are 2016-17, 2017-18 and 2018-19."
    quarter = client.get("/api/v1/packs/2016-17/Q5.xlsx")
    assert quarter.status_code == 404
    assert quarter.json()["detail"] == "There is no quarter Q5: a quarter is Q1, Q2, Q3 or Q4."
    empty = client.get("/api/v1/packs/2017-18/Q1.xlsx")
    assert empty.status_code == 404
    assert empty.json()["detail"] == "No figures have been computed for 2017-18 Q1 yet, so there is no pack."
    assert client.get("/api/v1/packs/builds/999999/").status_code == 404
    # A client that accepts only the workbook is still told why, in JSON (not 406).
    told = client.get("/api/v1/packs/2099-00/Q2.xlsx", HTTP_ACCEPT=XLSX)
    assert told.status_code == 404 and told["Content-Type"] == "application/json"
    assert told.json()["detail"].startswith("There is no scheme 2099-00")
    assert client.get(URL, HTTP_ACCEPT=XLSX).status_code == 200
    assert PackBuild.objects.count() == 1


def test_only_analysts_get_the_national_pack(analyst, director, admin_user_, eight_trusts):
    assert token_client(director).get(URL).status_code == 403
    session = api_client(director)
    refused = session.get(URL)
    assert refused.status_code == 403 and refused.json()["detail"] == "The national review pack is for analysts."
    assert Client().get(URL).status_code == 401
    assert PackBuild.objects.count() == 0
    made = token_client(analyst).get(URL)
    assert made.status_code == 200
    build = PackBuild.objects.get()
    for path in (f"/api/v1/packs/builds/{build.pk}/", f"/api/v1/packs/builds/{build.pk}/download/"):
        assert token_client(director).get(path).status_code == 403
    assert api_client(admin_user_).get(f"/api/v1/packs/builds/{build.pk}/download/").status_code == 200


def _country(count, start):
    region = RegionFactory(code="Y56", name="London")
    for number in range(start, start + count):
        trust = TrustFactory(org_code=f"RQ{number:03d}", name=f"Trust {number}", region=region, footprint=None)
        allocate(trust)
        quarter_with_status(trust, 2, "full")
    recompute("2016-17")


def test_queries_do_not_grow_with_the_number_of_trusts(analyst, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(services, "PROGRESS_INTERVAL", 3600)  # no progress writes in between, however slow

    def queries(client):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert response.status_code == 200
        return len(captured)

    _country(3, 1)
    with_3 = queries(token_client(analyst))  # each request as a script makes it: token and role read afresh
    _country(27, 4)
    assert Entitlement.objects.filter(quarter=2).count() == 30
    client = token_client(analyst)
    with django_assert_max_num_queries(with_3):
        with_30 = queries(client)
    assert with_30 == with_3
    assert len(trusts_of_sheet(PackBuild.objects.get().content)) == 30
    # Served again: fewer queries still (nothing is read but the version and the stored bytes).
    assert queries(token_client(analyst)) < with_3


# --- The page and the link on the national page ----------------------------------------------

def test_the_page_offers_the_download_and_refreshes_while_a_build_runs(client, analyst, eight_trusts,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(analyst)
    with override_settings(PACK_INLINE_MAX_TRUSTS=2), django_capture_on_commit_callbacks(execute=False) as queued:
        waiting = client.get("/packs/2016-17/Q2/")
    html = waiting.content.decode()
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html and "Queued" in html
    assert "Download stf-review-pack" not in html
    queued[0]()
    ready = client.get("/packs/2016-17/Q2/").content.decode()
    build = PackBuild.objects.get()
    assert 'http-equiv="refresh"' not in ready
    assert f'href="/api/v1/packs/builds/{build.pk}/download/"' in ready
    assert "Download stf-review-pack-2016-17-Q2.xlsx" in ready
    assert client.get(f"/api/v1/packs/builds/{build.pk}/download/").status_code == 200  # the session suffices


def test_the_page_is_for_analysts_and_says_why_there_is_no_pack(client, analyst, director, eight_trusts):
    client.force_login(director)
    assert client.get("/packs/2016-17/Q2/").status_code == 403
    client.force_login(analyst)
    missing = client.get("/packs/2099-00/Q2/")
    assert missing.status_code == 404
    assert "There is no scheme 2099-00: the schemes are 2016-17, 2017-18 and 2018-19." in missing.content.decode()


def test_the_national_page_links_the_pack_for_analysts_only(client, analyst, director, eight_trusts):
    link = 'href="/packs/2016-17/Q2/"'
    client.force_login(analyst)
    assert link in client.get("/?year=2016-17&quarter=2").content.decode()
    region = eight_trusts[0].region.code
    assert "/packs/" not in client.get(f"/regions/{region}/?year=2016-17&quarter=2").content.decode()
    client.force_login(director)
    assert "/packs/" not in client.get("/?year=2016-17&quarter=2").content.decode()


def test_a_user_without_a_role_gets_403(nobody, eight_trusts):
    assert api_client(nobody).get(URL).status_code == 403
    assert PackBuild.objects.count() == 0
