"""The adjustments pages: the list (filters, sorting, CSV, query count), the propose form, an
adjustment's page with approve and withdraw, its document, and the trust page's partial.

The home trust (RHOME) is acute, allocated £1,000,000.00 for 2016-17: Q2 is £250,000.00 and its A&E
element 12.5%, £31,250.00. Its Q2 A&E is 91.20% against the standard 95% (no trajectory) and its
finance is ahead of plan, so by the rules Q2 is partial: £218,750.00 earned, £31,250.00 withheld.
"""
import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from finance import adjustments, dependencies
from finance.models import Adjustment, Entitlement
from tests.builders import allocate, partial_q2_trust
from tests.factories import TrustFactory, UserFactory, scheme

REASON = "The August A&E return was misreported by the trust's system supplier."


@pytest.fixture
def second(db):
    return UserFactory(username="second", first_name="Sam", last_name="Second", role="analyst")


@pytest.fixture
def home(db):
    return partial_q2_trust("RHOME", "Home Hospitals NHS Trust")


@pytest.fixture
def other_trust(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), dependencies.deferred():
        trust = TrustFactory(org_code="ROTHR", name="Other Mental Health NHS Trust", trust_type="mental_health")
        allocate(trust)
    return trust


@pytest.fixture
def director(home):
    return UserFactory(username="fd_home", role="finance_director", trusts=[home])


@pytest.fixture
def other_director(other_trust):
    return UserFactory(username="fd_other", role="finance_director", trusts=[other_trust])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def proposal(trust, user, **changes):
    fields = dict(trust=trust, scheme=scheme("2016-17"), quarter=2, element="ae", decision="pay", reason=REASON)
    return adjustments.propose(user=user, **{**fields, **changes})


def q2_money(trust):
    row = Entitlement.objects.get(trust=trust, scheme__code="2016-17", quarter=2)
    return row.status, row.earned, row.withheld


def form_data(trust, **changes):
    return {"trust": trust.org_code, "year": "2016-17", "quarter": "2", "element": "ae", "decision": "pay",
            "reason": REASON, **changes}


@pytest.mark.django_db
def test_propose_then_a_second_analyst_approves_and_the_page_shows_the_money(
        home, analyst, second, django_capture_on_commit_callbacks):
    response = logged_in(analyst).post("/adjustments/propose/", form_data(home))
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/adjustments/{adjustment.pk}/"
    assert (adjustment.state, adjustment.proposed_by, adjustment.reason) == ("proposed", analyst, REASON)

    # The proposer is told someone else must approve it, and nothing changes.
    page = logged_in(analyst).get(f"/adjustments/{adjustment.pk}/").content.decode()
    assert "You proposed this adjustment: another analyst must approve it." in page
    assert f'action="/adjustments/{adjustment.pk}/approve/"' not in page
    refused = logged_in(analyst).post(f"/adjustments/{adjustment.pk}/approve/", follow=True)
    assert "You proposed this adjustment: another analyst must approve it." in refused.content.decode()
    assert Adjustment.objects.get().state == "proposed"

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(second).post(f"/adjustments/{adjustment.pk}/approve/")
    assert response.status_code == 302
    assert Adjustment.objects.get().approved_by == second
    # 218,750.00 + the A&E element's 31,250.00 = 250,000.00 earned, nothing withheld.
    assert q2_money(home) == ("full", 250000, 0)
    page = logged_in(second).get(f"/adjustments/{adjustment.pk}/").content.decode()
    assert (f"A&amp;E element paid on review (adjustment {adjustment.pk}, approved by Sam Second): "
            f"£31,250.00 earned") in page
    assert "earned £250,000.00, withheld £0.00" in page


@pytest.mark.django_db
def test_withdrawn_by_another_analyst_the_figures_return_to_the_rules(
        home, analyst, second, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        adjustment = adjustments.approve(user=second, adjustment=proposal(home, analyst))
    assert q2_money(home) == ("full", 250000, 0)
    refused = logged_in(analyst).post(f"/adjustments/{adjustment.pk}/withdraw/",
                                      {"withdrawal_reason": "Mine"}, follow=True)
    assert "You proposed this adjustment: another analyst must withdraw it." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(second).post(f"/adjustments/{adjustment.pk}/withdraw/", {"withdrawal_reason": "Figures confirmed"})
    assert Adjustment.objects.get().state == "withdrawn"
    assert q2_money(home) == ("partial", 218750, 31250)


@pytest.mark.django_db
def test_finance_directors_are_refused_propose_approve_and_withdraw(home, analyst, director):
    adjustment = proposal(home, analyst)
    client = logged_in(director)
    assert client.get("/adjustments/propose/").status_code == 403
    assert client.post("/adjustments/propose/", form_data(home)).status_code == 403
    assert client.post(f"/adjustments/{adjustment.pk}/approve/").status_code == 403
    assert client.post(f"/adjustments/{adjustment.pk}/withdraw/", {"withdrawal_reason": "x"}).status_code == 403
    assert client.get(f"/adjustments/{adjustment.pk}/document/").status_code == 403
    assert Adjustment.objects.get().state == "proposed" and Adjustment.objects.count() == 1
    # They read their own trust's adjustment, without the buttons.
    page = client.get(f"/adjustments/{adjustment.pk}/").content.decode()
    assert "Withdraw adjustment" not in page and "Approve adjustment" not in page


@pytest.mark.django_db
def test_a_bad_proposal_is_shown_with_its_error_and_nothing_is_stored(home, analyst, other_trust):
    # other_trust is mental health: it has no A&E element.
    response = logged_in(analyst).post("/adjustments/propose/", form_data(other_trust))
    assert response.status_code == 400
    assert "A&amp;E does not apply to mental health trusts under 2016-17" in response.content.decode()
    response = logged_in(analyst).post("/adjustments/propose/", form_data(home, reason="", quarter="7"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Reason: This field is required." in page and "Quarter: Select a valid choice. 7 is not one of" in page
    assert not Adjustment.objects.exists()


@pytest.mark.django_db
def test_the_document_is_a_download_for_analysts_only(home, analyst, director, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = form_data(home, document=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 the letter"))
    logged_in(analyst).post("/adjustments/propose/", data)
    adjustment = Adjustment.objects.get()
    response = logged_in(analyst).get(f"/adjustments/{adjustment.pk}/document/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 the letter"
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert logged_in(director).get(f"/adjustments/{adjustment.pk}/document/").status_code == 403


@pytest.mark.django_db
def test_the_list_filters_sorts_and_downloads(home, analyst, second, director, other_trust, other_director):
    first = proposal(home, analyst)
    adjustments.approve(user=second, adjustment=first)
    other = proposal(other_trust, analyst, element="finance", decision="withhold", quarter=3)

    page = logged_in(analyst).get("/adjustments/").content.decode()
    assert f'href="/adjustments/{first.pk}/"' in page and f'href="/adjustments/{other.pk}/"' in page
    assert "data-sortable" in page and 'href="?sort=trust&amp;dir=asc"' in page
    approved = logged_in(analyst).get("/adjustments/?state=approved").content.decode()
    assert f'href="/adjustments/{first.pk}/"' in approved and f'href="/adjustments/{other.pk}/"' not in approved
    by_trust = logged_in(analyst).get(f"/adjustments/?trust={other_trust.org_code}&year=2016-17&quarter=3")
    assert f'href="/adjustments/{other.pk}/"' in by_trust.content.decode()
    assert f'href="/adjustments/{first.pk}/"' not in by_trust.content.decode()
    ascending = logged_in(analyst).get("/adjustments/?sort=id&dir=asc").content.decode()
    assert ascending.index(f'href="/adjustments/{first.pk}/"') < ascending.index(f'href="/adjustments/{other.pk}/"')
    descending = logged_in(analyst).get("/adjustments/?sort=id&dir=desc").content.decode()
    assert descending.index(f'href="/adjustments/{other.pk}/"') < descending.index(f'href="/adjustments/{first.pk}/"')

    response = logged_in(analyst).get("/adjustments/?format=csv&state=approved")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"] == 'attachment; filename="stf-adjustments.csv"'
    assert [(r["No."], r["Code"], r["Element"], r["Decision"], r["State"], r["Proposed by"], r["Approved by"])
            for r in rows] == [(str(first.pk), "RHOME", "A&E", "Pay (met)", "Approved", "analyst", "Sam Second")]
    first.refresh_from_db()
    # Times in ISO 8601, in UTC.
    assert rows[0]["Approved"] == first.approved_at.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")
    assert rows[0]["Approved"].endswith("+00:00") and rows[0]["Withdrawn"] == ""

    # A finance director sees their own trust's only, and no propose button.
    mine = logged_in(director).get("/adjustments/").content.decode()
    assert f'href="/adjustments/{first.pk}/"' in mine and f'href="/adjustments/{other.pk}/"' not in mine
    assert "Propose an adjustment" not in mine
    assert logged_in(director).get(f"/adjustments/{other.pk}/").status_code == 404
    assert logged_in(other_director).get(f"/adjustments/{first.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_trust_page_shows_its_adjustments_to_analysts_and_its_directors(
        home, analyst, second, director, other_director):
    adjustment = proposal(home, analyst)
    link = f'href="/adjustments/{adjustment.pk}/"'
    for user in (analyst, director):
        page = logged_in(user).get(f"/trusts/{home.org_code}/?year=2016-17&quarter=2").content.decode()
        assert "Adjustments on review, 2016-17" in page and link in page
    page = logged_in(other_director).get(f"/trusts/{home.org_code}/?year=2016-17&quarter=2").content.decode()
    assert "Adjustments on review" not in page and link not in page


def _adjusted_country(count, analyst, second, prefix):
    with dependencies.deferred():
        for number in range(count):
            trust = TrustFactory(org_code=f"{prefix}{number:03d}", trust_type="acute")
            allocate(trust)
            adjustment = proposal(trust, analyst)
            adjustments.approve(user=second, adjustment=adjustment)
            proposal(trust, analyst, element="finance", decision="withhold")


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_list_page_makes_the_same_queries_for_2_or_12_trusts(analyst, second, django_assert_max_num_queries):
    client = logged_in(analyst)
    _adjusted_country(2, analyst, second, "RQ")
    few = {url: _queries(client, url) for url in ("/adjustments/", "/adjustments/?format=csv")}
    _adjusted_country(12, analyst, second, "RX")  # 12 more trusts, 24 more adjustments
    assert Adjustment.objects.count() == 28
    for url, count in few.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
