"""The account page's email alerts: the list with a Stop button each, the form to add one (only
the kinds the role may have), its errors, and stopping; and a run's queries, which do not grow
with the number of trusts."""
import pytest

from stftracker.alerts import services
from stftracker.alerts.models import AlertKind, SentAlert, Subscription
from tests.builders import allocate, recompute
from tests.factories import TrustFactory, UserFactory
from tests.otp import totp_device, verified_login

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    verified_login(client, user)
    return client


def test_a_director_adds_an_alert_about_their_trusts_and_stops_it(client, director, home_trust):
    page = logged_in(client, director).get("/accounts/").content.decode()
    assert '<h2 id="alerts">Email alerts</h2>' in page
    assert '<label for="id_kind">Tell me when</label>' in page
    assert '<option value="result_changed"' in page and '<option value="return_due"' in page
    assert '<option value="weekly_digest"' not in page  # analysts only
    assert "You have no email alerts." in page

    response = client.post("/alerts/subscribe/", {"kind": "return_due", "trust": "", "days_before": "5"})
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    subscription = Subscription.objects.get(user=director)
    assert (subscription.kind, subscription.trust, subscription.days_before, subscription.active) == (
        "return_due", None, 5, True)
    page = client.get("/accounts/").content.decode()
    assert "Alert added: a return is due soon or late. Emails go to fd_home@nhs.example." in page
    assert "<td>Every trust you act for</td>" in page
    assert "5 days before the due date, and when late" in page

    response = client.post(f"/alerts/{subscription.pk}/stop/")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.active is False
    assert "You have no email alerts." in client.get("/accounts/").content.decode()


def test_the_form_lists_what_is_wrong(client, director, other_trust):
    logged_in(client, director)
    response = client.post("/alerts/subscribe/", {"kind": "weekly_digest", "trust": "", "days_before": "3"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The weekly digest of statuses changed is for analysts only" in page
    response = client.post("/alerts/subscribe/", {"kind": "return_due", "trust": "", "days_before": "31"})
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 30." in response.content.decode()
    # Another trust's id is no choice of a finance director's.
    response = client.post("/alerts/subscribe/", {"kind": "result_changed", "trust": str(other_trust.pk)})
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_an_analyst_may_have_the_digest_and_must_name_a_trust_for_results(client, analyst, home_trust):
    page = logged_in(client, analyst).get("/accounts/").content.decode()
    assert '<option value="weekly_digest"' in page
    response = client.post("/alerts/subscribe/", {"kind": "result_changed", "trust": ""})
    assert response.status_code == 400
    assert "Choose the trust to follow" in response.content.decode()
    assert client.post("/alerts/subscribe/", {"kind": "result_changed", "trust": str(home_trust.pk)}).status_code == 302
    assert client.post("/alerts/subscribe/", {"kind": "weekly_digest", "trust": ""}).status_code == 302
    assert sorted(Subscription.objects.filter(user=analyst).values_list("kind", "trust_id")) == [
        ("result_changed", home_trust.pk), ("weekly_digest", None)]


def test_nobody_can_stop_anyone_elses_alert(client, director, other_director):
    subscription = services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    assert logged_in(client, other_director).post(f"/alerts/{subscription.pk}/stop/").status_code == 404
    subscription.refresh_from_db()
    assert subscription.active is True


def test_a_user_with_no_trust_is_offered_no_alert(client, nobody):
    page = logged_in(client, nobody).get("/accounts/").content.decode()
    assert "once your account is linked to a trust you can add them here" in page
    assert 'action="/alerts/subscribe/"' not in page


def _queries_of_a_run_that_sends_nothing():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert services.send_alerts().sent == 0
    return len(captured)


def test_a_runs_queries_do_not_grow_with_the_trusts():
    trusts = [TrustFactory() for _ in range(2)]
    for trust in trusts:
        allocate(trust, year="2018-19")  # the latest quarters with anything due are its
    user = UserFactory(username="fd_many", role="finance_director", trusts=trusts)
    recompute("2018-19")
    for kind in (AlertKind.RESULT_CHANGED, AlertKind.RETURN_DUE):
        services.subscribe(user, kind=kind)
    services.send_alerts()  # the returns late today, each once
    two = _queries_of_a_run_that_sends_nothing()

    more = [TrustFactory() for _ in range(6)]
    for trust in more:
        allocate(trust, year="2018-19")  # the latest quarters with anything due are its
        trust.finance_directors.add(user)
    recompute("2018-19")
    assert services.send_alerts().sent > 0  # the new trusts' late returns
    assert _queries_of_a_run_that_sends_nothing() == two


def test_the_roles_of_many_users_are_read_in_two_queries(django_assert_num_queries, analyst, director, home_trust,
                                                          other_director, other_trust):
    from django.contrib.auth import get_user_model

    from trusts import roles

    users = list(get_user_model().objects.filter(pk__in=[analyst.pk, director.pk, other_director.pk]).order_by("pk"))
    with django_assert_num_queries(2):  # the groups of them all, the trusts they direct
        roles.load_roles(users)
    with django_assert_num_queries(0):
        answers = [(roles.is_analyst(user), sorted(roles.directed_trust_ids(user))) for user in users]
    assert answers == [(True, []), (False, [home_trust.pk]), (False, [other_trust.pk])]


def test_beat_sends_the_alerts_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-alerts"]
    assert entry["task"] == "stftracker.alerts.tasks.send_alerts"
    assert entry["schedule"].minute == {5} and entry["schedule"].hour == set(range(24))
    assert "stftracker.alerts.tasks" in settings.CELERY_IMPORTS


def test_the_admin_lists_subscriptions_and_what_was_sent(client, admin_user_, director, home_trust):
    subscription = services.subscribe(director, kind=AlertKind.RETURN_DUE, days_before=7)
    SentAlert.objects.create(subscription=subscription, key="due:1:2016-17:finance:2016-04", subject="Due soon")
    totp_device(admin_user_)
    verified_login(client, admin_user_)
    page = client.get("/admin/alerts/subscription/").content.decode()
    assert "fd_home" in page and "A return is due soon or late" in page
    assert "due:1:2016-17:finance:2016-04" in client.get("/admin/alerts/sentalert/").content.decode()
    assert client.get("/admin/alerts/subscription/add/").status_code == 403  # added by their users only
