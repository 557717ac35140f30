"""Who may open what: every role against every page and API endpoint, for their own trust and another.

Roles: anonymous, analyst, the finance director of the home trust ("director"), the finance
director of the other trust ("other_director") and an admin (superuser). The national published
view (overview, regions, footprints, a trust's headline page, eligibility) and the performance
returns (NHS England's published statistics) are open to every logged-in user; finance returns,
trajectories, uploads, the what-if panel and the audit log are not.
"""
import datetime
from decimal import Decimal

import pytest
from django.test import Client

from finance.models import FinanceReturn
from tests.factories import AllocationFactory, FinanceReturnFactory, PerformanceReturnFactory, UploadFactory
from tests.otp import verified_login
from trusts.models import Upload, UploadStatus

ROLES = ["anonymous", "analyst", "director", "other_director", "admin"]
# Money only the other trust's April and May finance returns and forecasts carry, to spot a leak of
# its returns in a page or a response. (The quarter-end YTD plan and actual are published in the
# eligibility record, so they may be shown to everyone.)
OTHER_APRIL_ACTUAL, OTHER_MAY_ACTUAL, OTHER_FORECAST = Decimal("-3141592.00"), Decimal("-2718281.00"), Decimal("-1414213.00")
LEAKS = ("3141592", "3,141,592", "2718281", "2,718,281", "1414213", "1,414,213")


def row(url, anonymous, analyst, director, other_director, admin):
    return (url, dict(zip(ROLES, (anonymous, analyst, director, other_director, admin))))


LOGIN = 302  # a page asks an anonymous visitor to log in
API_ANON = 401  # the API answers with a token challenge

# (url, {role: status}) for GET requests. {home}/{other} are the trusts' ODS codes.
PAGES = [
    row("/healthz", 200, 200, 200, 200, 200),
    row("/favicon.ico", 302, 302, 302, 302, 302),  # to the static icon, for everyone
    row("/", LOGIN, 200, 200, 200, 200),
    row("/regions/", LOGIN, 200, 200, 200, 200),
    row("/regions/{home_region}/", LOGIN, 200, 200, 200, 200),
    row("/regions/YNONE/", LOGIN, 404, 404, 404, 404),
    row("/footprints/", LOGIN, 200, 200, 200, 200),
    row("/footprints/{home_footprint}/", LOGIN, 200, 200, 200, 200),
    row("/footprints/E54NONE/", LOGIN, 404, 404, 404, 404),
    row("/trusts/", LOGIN, 200, 200, 200, 200),
    row("/trusts/{home}/", LOGIN, 200, 200, 200, 200),
    row("/trusts/{other}/", LOGIN, 200, 200, 200, 200),
    row("/trusts/RNONE/", LOGIN, 404, 404, 404, 404),
    row("/trusts/{home}/?what_if=1&actual_ytd=0", LOGIN, 200, 200, 403, 200),
    row("/trusts/{other}/?what_if=1&actual_ytd=0", LOGIN, 200, 403, 200, 200),
    row("/trusts/{home}/?format=csv&chart=uploads", LOGIN, 200, 200, 403, 200),
    row("/trusts/{other}/?format=csv&chart=uploads", LOGIN, 200, 403, 200, 200),
    row("/trusts/{other}/?format=csv&chart=trends", LOGIN, 200, 200, 200, 200),  # published entitlements
    row("/making-data-count/", LOGIN, 200, 200, 200, 200),  # published performance statistics
    row("/making-data-count/?format=csv", LOGIN, 200, 200, 200, 200),
    row("/uploads/", LOGIN, 200, 200, 200, 200),
    row("/uploads/history/", LOGIN, 200, 200, 200, 200),
    row("/uploads/history/?trust={home}", LOGIN, 200, 200, 404, 200),
    row("/uploads/history/?trust={other}", LOGIN, 200, 404, 200, 200),
    row("/uploads/{home_upload}/", LOGIN, 200, 200, 404, 200),
    row("/uploads/{other_upload}/", LOGIN, 200, 404, 200, 200),
    row("/uploads/999999/", LOGIN, 404, 404, 404, 404),
    row("/uploads/templates/finance.csv", LOGIN, 200, 200, 200, 200),
    row("/uploads/templates/finance.xlsx", LOGIN, 200, 200, 200, 200),
    row("/uploads/templates/nonsense.csv", LOGIN, 404, 404, 404, 404),
    row("/uploads/preview/", LOGIN, 405, 405, 405, 405),  # POST only
    row("/uploads/confirm/", LOGIN, 405, 405, 405, 405),
    row("/accounts/logout/", 405, 405, 405, 405, 405),
    row("/accounts/tokens/{director_token}/revoke/", 405, 405, 405, 405, 405),
    row("/accounts/", LOGIN, 200, 200, 200, 200),
    row("/accounts/password/", LOGIN, 200, 200, 200, 200),
    row("/accounts/password/done/", LOGIN, 200, 200, 200, 200),
    row("/accounts/tokens/", LOGIN, 200, 200, 200, 200),
    row("/accounts/login/", 200, 302, 302, 302, 302),
    row("/accounts/login/code/", 302, 302, 302, 302, 302),  # only after the password step: back to log in
    row("/accounts/two-factor/", LOGIN, 200, 200, 200, 200),
    row("/audit/", LOGIN, 200, 403, 403, 200),
    row("/audit/?trust={home}", LOGIN, 200, 403, 403, 200),
    row("/admin/", LOGIN, 302, 302, 302, 200),
    row("/admin/trusts/trust/", LOGIN, 302, 302, 302, 200),
    # API
    row("/api/v1/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/eligibility/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/eligibility/?org_code={other}", API_ANON, 200, 200, 200, 200),
    row("/api/v1/trusts/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/trusts/{other}/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/trusts/{other}/eligibility/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/trusts/{home}/outlook/?year=2016-17&quarter=1", API_ANON, 200, 200, 403, 200),
    row("/api/v1/trusts/{other}/outlook/?year=2016-17&quarter=1", API_ANON, 200, 403, 200, 200),
    row("/api/v1/trusts/RNONE/outlook/", API_ANON, 404, 404, 404, 404),
    row("/api/v1/schemes/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/schemes/2016-17/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/returns/finance/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/returns/performance/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/uploads/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/uploads/{home_upload}/", API_ANON, 200, 200, 404, 200),
    row("/api/v1/uploads/{other_upload}/", API_ANON, 200, 404, 200, 200),
    row("/api/v1/schema/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/docs/", LOGIN, 200, 200, 200, 200),
    row("/recompute/", LOGIN, 405, 405, 405, 405),  # an action: POST only
    # The chase list: analysts every trust, finance directors their own (test_chase_lists_show_only_...)
    row("/returns/outstanding/", LOGIN, 200, 200, 200, 200),
    row("/returns/outstanding/?year=2016-17&quarter=2&format=csv", LOGIN, 200, 200, 200, 200),
    row("/api/v1/returns/outstanding/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/returns/outstanding/?year=2016-17&quarter=2&format=csv", API_ANON, 200, 200, 200, 200),
    # The year end is part of the national published view; it answers 404 for a year with no scheme.
    row("/year-end/", LOGIN, 200, 200, 200, 200),
    row("/year-end/?year=2016-17&format=csv", LOGIN, 200, 200, 200, 200),
    row("/year-end/?year=2040-41", LOGIN, 404, 404, 404, 404),
    row("/api/v1/year-end/?year=2016-17", API_ANON, 200, 200, 200, 200),
    row("/api/v1/year-end/?year=2016-17&format=csv", API_ANON, 200, 200, 200, 200),
    row("/api/v1/year-end/", API_ANON, 400, 400, 400, 400),  # the year is required
    row("/api/v1/year-end/?year=2040-41", API_ANON, 400, 400, 400, 400),  # a parameter naming no scheme
    row("/recompute/999999/", LOGIN, 404, 403, 403, 404),  # a run's progress is for analysts
    # The quarterly review pack: the national figures side by side, for analysts only.
    row("/packs/2016-17/Q1/", LOGIN, 200, 403, 403, 200),
    row("/packs/2099-00/Q1/", LOGIN, 404, 403, 403, 404),
    row("/api/v1/packs/2016-17/Q1.xlsx", API_ANON, 200, 403, 403, 200),
    row("/api/v1/packs/2016-17/Q9.xlsx", API_ANON, 404, 403, 403, 404),
    row("/api/v1/packs/builds/999999/", API_ANON, 404, 403, 403, 404),
    row("/api/v1/packs/builds/999999/download/", API_ANON, 404, 403, 403, 404),
    # Adjustments on review: analysts act; a finance director reads their own trust's only.
    row("/adjustments/", LOGIN, 200, 200, 200, 200),
    row("/adjustments/propose/", LOGIN, 200, 403, 403, 200),
    row("/adjustments/{home_adjustment}/", LOGIN, 200, 200, 404, 200),
    row("/adjustments/999999/", LOGIN, 404, 404, 404, 404),
    row("/adjustments/{home_adjustment}/approve/", LOGIN, 405, 405, 405, 405),  # POST only
    row("/adjustments/{home_adjustment}/withdraw/", LOGIN, 405, 405, 405, 405),
    row("/adjustments/{home_adjustment}/document/", LOGIN, 404, 403, 403, 404),  # analysts only; it has none
    row("/api/v1/adjustments/", API_ANON, 200, 200, 200, 200),
    # Reopened quarters: analysts reopen and close; a finance director reads their own trust's only.
    row("/reopenings/", LOGIN, 200, 200, 200, 200),
    row("/reopenings/999999/close/", LOGIN, 405, 405, 405, 405),  # POST only
    row("/api/v1/reopenings/", API_ANON, 200, 200, 200, 200),
    row("/api/v1/reopenings/999999/close/", API_ANON, 405, 405, 405, 405),  # POST only
    # Email alerts: added and stopped from the account page; the unsubscribe link needs no log-in
    # (its signed token is the authority), and a bad token is a 400 for everyone.
    row("/alerts/subscribe/", LOGIN, 405, 405, 405, 405),  # POST only
    row("/alerts/999999/stop/", LOGIN, 405, 405, 405, 405),
    row("/alerts/unsubscribe/not-a-token/", 400, 400, 400, 400, 400),
]


# (url, {role: status}) for POST requests with no or meaningless data: what each role is told.
POSTS = [
    row("/accounts/logout/", 302, 302, 302, 302, 302),
    row("/uploads/preview/", LOGIN, 400, 400, 400, 400),  # no file: the form says so
    row("/uploads/confirm/", LOGIN, 302, 302, 302, 302),  # no preview: back to the upload page
    # Only the token's owner may revoke it (the director revokes it; the others are told it does not exist).
    row("/accounts/tokens/{director_token}/revoke/", LOGIN, 404, 302, 404, 404),
    row("/api/v1/uploads/", API_ANON, 400, 400, 400, 400),  # no file
    row("/api/v1/eligibility/", API_ANON, 405, 405, 405, 405),
    row("/api/v1/returns/finance/", API_ANON, 405, 405, 405, 405),
    row("/api/v1/returns/outstanding/", API_ANON, 405, 405, 405, 405),
    row("/returns/outstanding/", LOGIN, 405, 405, 405, 405),  # a read-only page
    row("/api/v1/year-end/?year=2016-17", API_ANON, 405, 405, 405, 405),
    row("/year-end/", LOGIN, 405, 405, 405, 405),  # a read-only page
    row("/audit/", LOGIN, 405, 405, 405, 405),  # a read-only page
    row("/recompute/", LOGIN, 302, 403, 403, 302),  # "Recompute now": analysts only, then to the run's progress
    row("/recompute/999999/", LOGIN, 405, 405, 405, 405),
    row("/packs/2016-17/Q1/", LOGIN, 405, 405, 405, 405),  # read-only
    row("/api/v1/packs/2016-17/Q1.xlsx", API_ANON, 405, 403, 403, 405),
    row("/adjustments/propose/", LOGIN, 400, 403, 403, 400),  # an empty form: it says what is missing
    # The analyst proposed it (told another must approve); the admin approves; no reason to withdraw.
    row("/adjustments/{home_adjustment}/approve/", LOGIN, 302, 403, 403, 302),
    row("/adjustments/{home_adjustment}/withdraw/", LOGIN, 302, 403, 403, 302),
    row("/api/v1/adjustments/", API_ANON, 405, 405, 405, 405),
    row("/reopenings/", LOGIN, 400, 403, 403, 400),  # an empty form: it says what is missing
    row("/reopenings/999999/close/", LOGIN, 404, 403, 403, 404),
    row("/api/v1/reopenings/", API_ANON, 400, 403, 403, 400),
    row("/api/v1/reopenings/999999/close/", API_ANON, 404, 403, 403, 404),
    row("/alerts/subscribe/", LOGIN, 400, 400, 400, 400),  # an empty form: it says what is missing
    row("/alerts/999999/stop/", LOGIN, 404, 404, 404, 404),  # only one's own alerts
    row("/alerts/unsubscribe/not-a-token/", 400, 400, 400, 400, 400),
]


@pytest.fixture
def world(people, home_trust, other_trust):
    """Each trust has an allocation, finance and performance returns and an upload by its director."""
    uploads = {}
    for trust, director, actuals, forecast in (
        (home_trust, people["director"], [Decimal("-100000.00")] * 3, Decimal("-900000.00")),
        (other_trust, people["other_director"], [OTHER_APRIL_ACTUAL, OTHER_MAY_ACTUAL, Decimal("-400000.00")],
         OTHER_FORECAST),
    ):
        AllocationFactory(trust=trust)
        upload = UploadFactory(uploaded_by=director, file_name=f"{trust.org_code.lower()}-returns.csv")
        upload.trusts.add(trust)
        uploads[trust.org_code] = upload
        for month, actual in zip((4, 5, 6), actuals):
            FinanceReturnFactory(
                trust=trust, month=datetime.date(2016, month, 1), plan_ytd=Decimal("-500000.00"), actual_ytd=actual,
                forecast_outturn=forecast, upload=upload,
            )
            PerformanceReturnFactory(trust=trust, month=datetime.date(2016, month, 1), upload=upload)
    from finance.services import recompute
    from stftracker.accounts.tokens import create_token

    recompute()
    token, _ = create_token(user=people["director"], name="notebook", read_only=True, days=30)
    from finance.adjustments import propose
    from tests.factories import scheme

    adjustment = propose(user=people["analyst"], trust=home_trust, scheme=scheme("2016-17"), quarter=1,
                         element="finance", decision="pay", reason="Exceptional event")
    return {
        "home_adjustment": adjustment.pk,
        "director_token": token.pk,
        "home": home_trust.org_code,
        "other": other_trust.org_code,
        "home_region": home_trust.region.code,
        "home_footprint": home_trust.footprint.code,
        "home_upload": uploads[home_trust.org_code].pk,
        "other_upload": uploads[other_trust.org_code].pk,
    }


def _client(people, role):
    client = Client()
    if people[role] is not None:
        verified_login(client, people[role])  # as if each had logged in with their code
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[url for url, _ in PAGES])
def test_access_matrix(people, world, url, expected):
    path = url.format(**world)
    actual = {role: _client(people, role).get(path).status_code for role in ROLES}
    assert actual == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "expected"), POSTS, ids=[url for url, _ in POSTS])
def test_access_matrix_of_posts(people, world, url, expected):
    path = url.format(**world)
    actual = {role: _client(people, role).post(path).status_code for role in ROLES}
    assert actual == expected


def _url_names():
    """Every named URL of the site outside the admin, as the resolver has them now."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(pattern.url_patterns, route)
            elif pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_of_the_site_is_in_the_matrix():
    """A new page or endpoint fails this test until the matrix says who may open it."""
    from django.urls import resolve

    sample = {"home": "RHOME", "other": "ROTHR", "home_region": "Y1", "home_footprint": "E54", "home_upload": 1,
              "other_upload": 2, "director_token": 3, "home_adjustment": 4}
    covered = {resolve(url.format(**sample).split("?")[0]).url_name for url, _ in PAGES + POSTS}
    assert _url_names() - covered == set()


@pytest.mark.django_db
def test_anonymous_pages_redirect_to_login(client, world):
    for path in ("/", "/trusts/{home}/", "/uploads/", "/audit/", "/accounts/"):
        path = path.format(**world)
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_director_reads_only_their_own_returns_through_the_api(people, world):
    client = _client(people, "director")
    rows = client.get("/api/v1/returns/finance/").json()["results"]
    assert len(rows) == 3
    assert {r["org_code"] for r in rows} == {world["home"]}
    asked = client.get("/api/v1/returns/finance/", {"org_code": world["other"]}).json()
    assert asked["count"] == 0 and asked["results"] == []
    # Performance returns are NHS England's published statistics: every trust's, three months each.
    rows = client.get("/api/v1/returns/performance/").json()["results"]
    assert len(rows) == 6
    assert {r["org_code"] for r in rows} == {world["home"], world["other"]}
    uploads = client.get("/api/v1/uploads/").json()["results"]
    assert {u["id"] for u in uploads} == {world["home_upload"]}
    body = client.get("/api/v1/returns/finance/").content.decode()
    assert not [leak for leak in LEAKS if leak in body]
    # The same through an API token, as a script would ask.
    from stftracker.accounts.tokens import create_token

    _, secret = create_token(user=people["director"], name="script", read_only=True, days=1)
    scripted = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    rows = scripted.get("/api/v1/returns/finance/").json()["results"]
    assert {r["org_code"] for r in rows} == {world["home"]}
    assert scripted.get("/api/v1/returns/finance/", {"org_code": world["other"]}).json()["count"] == 0
    assert scripted.get(f"/api/v1/uploads/{world['other_upload']}/").status_code == 404
    # The analyst sees both trusts.
    rows = _client(people, "analyst").get("/api/v1/returns/finance/").json()["results"]
    assert {r["org_code"] for r in rows} == {world["home"], world["other"]}


@pytest.mark.django_db
def test_director_does_not_see_another_trusts_returns_or_uploads_on_its_page(people, world):
    client = _client(people, "director")
    own = client.get(f"/trusts/{world['home']}/").content.decode()
    assert "rhome-returns.csv" in own
    other = client.get(f"/trusts/{world['other']}/").content.decode()
    assert "rothr-returns.csv" not in other
    assert not [leak for leak in LEAKS if leak in other]
    for chart in ("finance", "uploads"):
        response = client.get(f"/trusts/{world['other']}/", {"format": "csv", "chart": chart})
        assert response.status_code in (403, 404), chart
    # The other trust's own director and analysts do see them.
    theirs = _client(people, "other_director").get(f"/trusts/{world['other']}/").content.decode()
    assert "rothr-returns.csv" in theirs
    assert [leak for leak in LEAKS if leak in theirs]  # the check above can see a leak
    response = _client(people, "analyst").get(f"/trusts/{world['other']}/", {"format": "csv", "chart": "finance"})
    assert response.status_code == 200
    assert "-3141592.00" in response.content.decode()


@pytest.mark.django_db
def test_upload_history_lists_only_visible_uploads(people, world):
    mine = _client(people, "director").get("/uploads/history/").content.decode()
    assert "rhome-returns.csv" in mine and "rothr-returns.csv" not in mine
    everything = _client(people, "analyst").get("/uploads/history/").content.decode()
    assert "rhome-returns.csv" in everything and "rothr-returns.csv" in everything


def _finance_file(org_code, actual="-100000"):
    text = "org_code,period,plan_ytd,actual_ytd,forecast_outturn\n" + "".join(
        f"{org_code},2016-{month:02d},-200000,{actual},-900000\n" for month in (7, 8, 9)
    )
    return text.encode()


def _named(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def _stored_returns(org_code):
    return FinanceReturn.objects.filter(trust__org_code=org_code, month__gte=datetime.date(2016, 7, 1)).count()


@pytest.mark.django_db
def test_director_cannot_upload_for_another_trust_through_the_api(people, world):
    client = _client(people, "director")
    before = Upload.objects.filter(status=UploadStatus.STORED).count()
    response = client.post("/api/v1/uploads/", {"file": _named(_finance_file(world["other"]), "other.csv")})
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert body["errors"][0]["column"] == "org_code"
    assert body["errors"][0]["value"] == world["other"]
    assert "only for the trusts you direct" in body["errors"][0]["message"]
    assert _stored_returns(world["other"]) == 0
    assert Upload.objects.filter(status=UploadStatus.STORED).count() == before
    # Their own trust's file is stored; the analyst may upload for any trust.
    own = client.post("/api/v1/uploads/", {"file": _named(_finance_file(world["home"]), "home.csv")})
    assert own.status_code == 201, own.content
    assert _stored_returns(world["home"]) == 3
    analyst = _client(people, "analyst").post("/api/v1/uploads/", {"file": _named(_finance_file(world["other"]), "o.csv")})
    assert analyst.status_code == 201, analyst.content
    assert _stored_returns(world["other"]) == 3


@pytest.mark.django_db
def test_api_upload_needs_a_login(client, world):
    response = client.post("/api/v1/uploads/", {"file": _named(_finance_file(world["home"]), "home.csv")})
    assert response.status_code == 401
    assert _stored_returns(world["home"]) == 0


@pytest.mark.django_db
def test_director_cannot_upload_for_another_trust_through_the_web_page(people, world):
    client = _client(people, "director")
    response = client.post("/uploads/preview/", {"file": _named(_finance_file(world["other"]), "other.csv")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "other.csv cannot be stored" in html
    assert "only for the trusts you direct" in html
    assert _stored_returns(world["other"]) == 0
    rejected = Upload.objects.get(file_name="other.csv")
    assert rejected.status == UploadStatus.REJECTED
    assert rejected.uploaded_by == people["director"]
    # Nor can they confirm a preview made by someone else: the token is bound to the user.
    analyst = _client(people, "analyst")
    preview = analyst.post("/uploads/preview/", {"file": _named(_finance_file(world["other"]), "o.csv")})
    assert preview.status_code == 200
    token = preview.context["confirm"].initial["token"]
    stolen = client.post("/uploads/confirm/", {"token": token})
    assert stolen.status_code == 302 and stolen["Location"] == "/uploads/"
    assert _stored_returns(world["other"]) == 0
    assert analyst.post("/uploads/confirm/", {"token": token}).status_code == 302
    assert _stored_returns(world["other"]) == 3


@pytest.mark.django_db
def test_director_cannot_import_national_files(people, world):
    plans = b"org_code,year,stf_allocation,control_total,control_total_accepted\nRHOME,2016-17,5000000,-100,yes\n"
    response = _client(people, "director").post("/api/v1/uploads/", {"file": _named(plans, "plans.csv")})
    assert response.status_code in (400, 403)
    from finance.models import Allocation

    assert Allocation.objects.get(trust__org_code=world["home"]).stf_allocation == Decimal("1000000.00")


@pytest.mark.django_db
def test_no_page_or_download_of_the_published_view_leaks_another_trusts_returns(people, world, other_trust):
    """Every page a finance director may open, and every CSV linked from it, is free of the other
    trust's monthly returns and forecasts."""
    import html
    import re

    client = _client(people, "director")
    pages = ["/", "/regions/", f"/regions/{other_trust.region.code}/", "/footprints/",
             f"/footprints/{other_trust.footprint.code}/", f"/trusts/{world['other']}/", "/uploads/", "/year-end/",
             "/uploads/history/", "/accounts/", "/making-data-count/"]
    checked = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert not [leak for leak in LEAKS if leak in body], path
        for query in sorted(set(re.findall(r'href="(\?[^"]*format=csv[^"]*)"', body))):
            download = client.get(path + html.unescape(query))
            assert download.status_code == 200, (path, query)
            assert not [leak for leak in LEAKS if leak in download.content.decode()], (path, query)
            checked += 1
    assert checked >= 5  # the pages do link their downloads


@pytest.mark.django_db
def test_chase_lists_show_only_the_trusts_a_finance_director_directs(people, world):
    """Q2 2016-17 has every return of both trusts missing: each director's chase list (page, CSV,
    API) names their own trust only; an analyst's names both."""
    query = {"year": "2016-17", "quarter": 2}
    for role, own, other in (("director", "home", "other"), ("other_director", "other", "home")):
        client = _client(people, role)
        page = client.get("/returns/outstanding/", query).content.decode()
        download = client.get("/returns/outstanding/", {**query, "format": "csv"}).content.decode()
        records = client.get("/api/v1/returns/outstanding/", query).json()["results"]
        assert {r["org_code"] for r in records} == {world[own]}
        for body in (page, download):
            assert world[own] in body and world[other] not in body, role
    analyst = _client(people, "analyst").get("/api/v1/returns/outstanding/", query).json()["results"]
    assert {r["org_code"] for r in analyst} == {world["home"], world["other"]}
