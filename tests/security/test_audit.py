"""The audit log: who changed what and when, who uploaded what; analysts only."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import Scheme
from stftracker.audit.selectors import recent_changes
from tests.factories import AllocationFactory, RegionFactory, TrustFactory, UploadFactory
from tests.otp import verified_login


def _save_as(obj, user, reason=None):
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


@pytest.fixture
def history(analyst, director, home_trust, other_trust):
    """Changes made by the analyst, and one upload by the home trust's finance director."""
    allocation = AllocationFactory(trust=home_trust, stf_allocation=Decimal("1000000.00"))
    allocation.stf_allocation = Decimal("1250000.50")
    allocation.control_total_accepted = False
    _save_as(allocation, analyst, reason="Corrected from the July letter")
    scheme = Scheme.objects.get(code="2016-17")
    scheme.checked_by = "A. Reviewer"
    _save_as(scheme, analyst)  # the schemes were loaded by a migration: compared with their baseline
    scheme.pot = Decimal("2100000000.00")
    _save_as(scheme, analyst)
    other_trust.region = RegionFactory(code="YNEW", name="New Region")
    _save_as(other_trust, analyst)
    upload = UploadFactory(uploaded_by=director, file_name="home-june.csv", kind="finance", row_count=3, rows_new=3)
    upload.trusts.add(home_trust)
    return {"allocation": allocation, "scheme": scheme, "upload": upload}


@pytest.mark.django_db
def test_each_change_says_who_when_and_what(history, home_trust, other_trust):
    entries = recent_changes()
    by_subject = {(e.kind, e.subject, e.action): e for e in entries}
    allocation = by_subject[("allocation", "RHOME allocation under STF 2016-17", "changed")]
    assert allocation.user == "analyst"
    assert allocation.trust_code == "RHOME"
    assert [(c.field, c.old, c.new) for c in allocation.changes] == [
        ("control total accepted", "yes", "no"),
        ("stf allocation", "1,000,000.00", "1,250,000.50"),
    ]
    assert allocation.reason == "Corrected from the July letter"
    created = by_subject[("allocation", "RHOME allocation under STF 2016-17", "created")]
    assert created.changes == []
    second, first, baseline = [e for e in entries if e.subject == "STF 2016-17 scheme"][:3]
    assert first.user == second.user == "analyst"
    assert [(c.field, c.old, c.new) for c in first.changes] == [
        ("checked by", "STF Tracker domain brief (RULES.md), checked against the sources it cites", "A. Reviewer")
    ]
    assert first.detail == ""
    assert (baseline.action, baseline.user, baseline.changes) == ("created", "system (command, import or task)", [])
    assert baseline.reason.startswith("Baseline")
    assert [(c.field, c.old, c.new) for c in second.changes] == [("pot", "1,800,000,000.00", "2,100,000,000.00")]
    trust = by_subject[("trust", "Other Hospitals NHS Trust (ROTHR)", "changed")]
    assert [(c.field, c.old, c.new) for c in trust.changes] == [("region", "Other Region", "New Region")]
    upload = by_subject[("upload", "home-june.csv", "uploaded (test)")]
    assert upload.user == "fd_home"
    assert "Monthly finance returns file, stored: 3 rows (3 new" in upload.detail
    assert "trusts RHOME" in upload.detail
    # Newest first.
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)


@pytest.mark.django_db
def test_filter_by_kind_and_trust(history, home_trust, other_trust):
    assert {e.kind for e in recent_changes(kind="trust")} == {"trust"}
    home = recent_changes(trust=home_trust)
    assert {e.kind for e in home} == {"allocation", "trust", "upload"}
    assert all(e.trust_code in (None, "RHOME") for e in home)
    assert all("ROTHR" not in e.subject for e in home)
    other = recent_changes(trust=other_trust, kind="trust")
    assert [e.action for e in other] == ["changed", "created"]
    assert recent_changes(user="fd_home")[0].subject == "home-june.csv"
    assert {e.kind for e in recent_changes(user="fd_home")} == {"upload"}
    with pytest.raises(ValueError):
        recent_changes(kind="nonsense")


@pytest.mark.django_db
def test_paging_through_entries(history):
    everything = recent_changes(limit=100)
    assert len(everything) >= 6
    assert recent_changes(limit=2, offset=2) == everything[2:4]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_changes(analyst):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            recent_changes(limit=200)
        return len(queries)

    def make_changes(n):
        for i in range(n):
            trust = TrustFactory()
            allocation = AllocationFactory(trust=trust)
            allocation.stf_allocation += 1
            _save_as(allocation, analyst)
            trust.region = RegionFactory()
            _save_as(trust, analyst)
            UploadFactory(uploaded_by=analyst).trusts.add(trust)

    make_changes(2)
    few = count_queries()
    make_changes(15)
    assert count_queries() == few


@pytest.mark.django_db
def test_audit_page_for_an_analyst(client, analyst, history):
    client.force_login(analyst)
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "RHOME allocation under STF 2016-17" in html
    assert "<strong>stf allocation</strong>: 1,000,000.00 → 1,250,000.50" in html
    assert "home-june.csv" in html
    assert '<th scope="col">Who</th>' in html
    filtered = client.get("/audit/", {"kind": "trust", "trust": "rothr"}).content.decode()
    assert "Other Hospitals NHS Trust (ROTHR)" in filtered
    assert "home-june.csv" not in filtered
    unknown = client.get("/audit/", {"trust": "RNONE"}).content.decode()
    assert "There is no trust with ODS code RNONE" in unknown
    assert client.get("/audit/", {"page": "x", "kind": "bad"}).status_code == 200


@pytest.mark.django_db
def test_changes_made_through_a_request_record_the_user(client, analyst, home_trust):
    """HistoryRequestMiddleware records the logged-in user on every save made while serving a request."""
    from django.contrib.auth.models import Permission

    analyst.is_staff = True
    analyst.save()
    verified_login(client, analyst)
    response = client.post(
        f"/admin/trusts/trust/{home_trust.pk}/change/",
        {
            "org_code": "RHOME", "name": "Home Hospitals University NHS Trust", "trust_type": "acute",
            "region": home_trust.region_id, "footprint": home_trust.footprint_id, "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Permission.objects.filter(codename="change_trust", group__name="analyst").exists()
    entry = recent_changes(kind="trust")[0]
    assert entry.user == "analyst"
    assert [(c.field, c.new) for c in entry.changes] == [("name", "Home Hospitals University NHS Trust")]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("director", 403), ("other_director", 403), ("analyst", 200), ("admin", 200)])
def test_audit_page_is_for_analysts_only(client, people, who, status):
    client.force_login(people[who])
    assert client.get("/audit/").status_code == status


@pytest.mark.django_db
def test_audit_page_asks_anonymous_users_to_log_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


@pytest.mark.django_db
def test_linking_a_finance_director_and_giving_a_role_in_the_admin_are_audited(client, admin_user_, home_trust):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    newcomer = UserFactory(username="fd_newcomer")
    verified_login(client, admin_user_)
    response = client.post(
        f"/admin/trusts/trust/{home_trust.pk}/change/",
        {
            "org_code": "RHOME", "name": home_trust.name, "trust_type": "acute", "region": home_trust.region_id,
            "footprint": home_trust.footprint_id, "active": "on", "finance_directors": [newcomer.pk],
        },
    )
    assert response.status_code == 302
    assert list(home_trust.finance_directors.all()) == [newcomer]
    link = recent_changes(kind="admin", trust=home_trust)
    assert len(link) == 1
    assert link[0].user == "admin"
    assert link[0].action == "changed in the admin"
    assert link[0].subject == "Trust: Home Hospitals NHS Trust (RHOME)"
    assert "Finance directors" in link[0].detail

    group = Group.objects.get(name="finance_director")
    response = client.post(
        f"/admin/auth/user/{newcomer.pk}/change/",
        {
            "username": "fd_newcomer", "email": newcomer.email, "is_active": "on", "groups": [group.pk],
            "date_joined_0": "2016-07-01", "date_joined_1": "09:00:00", "initial-date_joined_0": "2016-07-01",
            "initial-date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    role = recent_changes(kind="admin", user="admin")[0]
    assert role.subject == "User: fd_newcomer"
    assert "Groups" in role.detail

    page = client.get("/audit/", {"kind": "admin"}).content.decode()
    assert "Trust: Home Hospitals NHS Trust (RHOME)" in page and "User: fd_newcomer" in page


@pytest.mark.django_db
def test_a_plans_import_is_audited_row_by_row_with_its_uploader(client, analyst, home_trust):
    from django.core.files.uploadedfile import SimpleUploadedFile

    AllocationFactory(trust=home_trust, stf_allocation=Decimal("1000000.00"), control_total=Decimal("-500000.00"))
    plans = b"org_code,year,stf_allocation,control_total,control_total_accepted\nRHOME,2016-17,5000000,-250000,yes\n"
    client.force_login(analyst)
    response = client.post("/api/v1/uploads/", {"file": SimpleUploadedFile("plans.csv", plans, content_type="text/csv")})
    assert response.status_code == 201, response.content
    entries = recent_changes(trust=home_trust)
    upload, change = next(e for e in entries if e.kind == "upload"), next(e for e in entries if e.kind == "allocation")
    assert (upload.kind, upload.subject, upload.user) == ("upload", "plans.csv", "analyst")
    assert change.user == "analyst"
    changed = {c.field: (c.old, c.new) for c in change.changes}
    assert changed["stf allocation"] == ("1,000,000.00", "5,000,000.00")
    assert changed["control total"] == ("-500,000.00", "-250,000.00")


@pytest.mark.django_db
def test_api_tokens_created_and_revoked_are_audited(director, home_trust):
    from stftracker.accounts.tokens import create_token, revoke_token

    token, _ = create_token(user=director, name="weekly notebook", read_only=False, days=30, created_by=director)
    revoke_token(token=token, by=director)
    by_action = {entry.action: entry for entry in recent_changes(kind="token")}
    created, revoked = by_action["created"], by_action["revoked"]
    assert (created.action, created.user) == ("created", "fd_home")
    assert created.subject.startswith("API token “weekly notebook” (") and created.subject.endswith("of fd_home")
    assert created.detail.startswith("May upload; expires ")
    assert (revoked.action, revoked.user) == ("revoked", "fd_home or an administrator")
    assert recent_changes(kind="token", trust=home_trust) == []
    assert len(recent_changes(kind="token", user="fd_home")) == 2
