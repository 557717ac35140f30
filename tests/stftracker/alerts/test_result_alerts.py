"""A finance director's alert that their trust's quarter result changed, end to end: the task sends
it over SMTP to a real server, once, and its unsubscribe link stops it.

The figures (tests/builders.py): the home trust is allocated £1,000,000.00 for 2016-17, so
£250,000.00 a quarter (25% phasing). With no returns Q2 is pending: £0.00 earned, £250,000.00
pending. With Q2's returns, finance ahead of plan and A&E at 91.20% (below 95%, no trajectory),
the A&E element of 12.5% is withheld: 12.5% x £250,000.00 = £31,250.00, so £250,000.00 -
£31,250.00 = £218,750.00 earned, £0.00 pending: Partial.
"""
import re
import threading

import pytest
from django.test import Client, TestCase

from stftracker.alerts import services
from stftracker.alerts.models import AlertKind, SentAlert, Subscription
from stftracker.alerts.tasks import send_alerts
from tests.builders import MISSES_AE, allocate, recompute, returns

from .conftest import text_of, unsubscribe_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_country(home_trust, other_trust):
    """Both trusts allocated for 2016-17, no returns yet: every quarter pending, stored."""
    allocate(home_trust)
    allocate(other_trust)
    recompute("2016-17")
    return home_trust, other_trust


def test_a_changed_result_is_mailed_once_and_its_link_unsubscribes(smtp_server, pending_country, director):
    home, other = pending_country
    subscription = services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    returns(home, 2, performance=MISSES_AE)
    returns(other, 2)  # the other trust's Q2 changes too: not the home director's business
    recompute("2016-17")

    result = send_alerts.apply()
    assert result.successful(), result.traceback
    assert result.result == {"sent": 1, "skipped": 0, "failed": 0}
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    message = received["message"]
    assert received["to"] == ["fd_home@nhs.example"]
    assert message["To"] == "fd_home@nhs.example"
    assert message["From"] == "STF Tracker <alerts@stf.example.nhs.uk>"
    assert message["Subject"] == "STF Tracker: Home Hospitals NHS Trust Q2 2016-17 result changed to Partial"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As sent: the link itself (perhaps on a folded line), not an encoded word a mail client cannot read.
    assert re.search(rb"\nList-Unsubscribe:\s+<http://testserver/alerts/unsubscribe/[^>\s]+/>\r?\n", received["raw"])
    body = text_of(message)
    assert "Status: Partial (was Pending)" in body
    assert "Earned: £218,750.00 (was £0.00)" in body
    assert "Withheld: £31,250.00" in body
    assert "Pending: £0.00" in body
    assert "Allocation for the quarter: £250,000.00" in body
    assert "http://testserver/trusts/RHOME/" in body
    html = text_of(message, "html")
    assert "<td>£218,750.00 (was £0.00)</td>" in html
    assert "Other Mental Health" not in body + html

    # Run again (the hourly beat, or a second run at once): nothing new is sent.
    again = send_alerts.apply()
    assert again.result == {"sent": 0, "skipped": 1, "failed": 0}
    assert len(smtp_server.messages) == 1
    assert SentAlert.objects.filter(subscription=subscription, sent_at__isnull=False).count() == 1

    # The link: a page with a button (GET changes nothing), then the POST stops the alert. No
    # log-in and no CSRF token: the signed token in the link is the authority.
    path = unsubscribe_path(message)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert b"Stop this alert</button>" in page.content
    assert b"A quarter result changed" in page.content
    subscription.refresh_from_db()
    assert subscription.active is True
    done = anonymous.post(path)
    assert done.status_code == 200
    assert b"Alert stopped" in done.content
    subscription.refresh_from_db()
    assert subscription.active is False and subscription.stopped_at is not None

    # Stopped: a later change is not sent.
    returns(home, 3)
    recompute("2016-17")
    assert send_alerts.apply().result == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(smtp_server.messages) == 1


def test_mail_clients_one_click_post_unsubscribes(smtp_server, pending_country, director):
    home, _ = pending_country
    subscription = services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    returns(home, 2, performance=MISSES_AE)
    recompute("2016-17")
    send_alerts.apply()
    path = unsubscribe_path(smtp_server.messages[0]["message"])
    response = Client(enforce_csrf_checks=True).post(path, data="List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.active is False


def test_a_bad_or_expired_link_is_a_clear_400_and_stops_nothing(client, settings, pending_country, director):
    subscription = services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    token = services.unsubscribe_token(subscription)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "not-a-token"):
        response = client.post(f"/alerts/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert b"This unsubscribe link does not work" in response.content
    settings.ALERTS_UNSUBSCRIBE_DAYS = 0  # every link is now older than its allowance
    response = client.get(f"/alerts/unsubscribe/{token}/")
    assert response.status_code == 400
    assert b"older than 0 days" in response.content
    subscription.refresh_from_db()
    assert subscription.active is True


def test_a_change_made_before_subscribing_is_not_news(smtp_server, pending_country, director):
    home, _ = pending_country
    returns(home, 2, performance=MISSES_AE)
    recompute("2016-17")
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)  # Q2 is already Partial
    assert send_alerts.apply().result == {"sent": 0, "skipped": 0, "failed": 0}
    assert smtp_server.messages == []


def test_new_inputs_that_change_neither_status_nor_earned_send_nothing(smtp_server, pending_country, director):
    home, _ = pending_country
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    # Q2's performance returns alone: the finance return is still awaited, so Q2 stays Pending
    # with £0.00 earned, though its inputs (and fingerprint) changed.
    returns(home, 2, finance=False)
    recompute("2016-17")
    send_alerts.apply()
    assert smtp_server.messages == []


def test_an_analyst_follows_the_trust_they_choose(smtp_server, pending_country, analyst):
    home, other = pending_country
    with pytest.raises(services.AlertError, match="Choose the trust to follow"):
        services.subscribe(analyst, kind=AlertKind.RESULT_CHANGED)
    services.subscribe(analyst, kind=AlertKind.RESULT_CHANGED, trust=other)
    returns(home, 2, performance=MISSES_AE)
    returns(other, 2)
    recompute("2016-17")
    send_alerts.apply()
    assert [m["message"]["Subject"].startswith("STF Tracker: Other Mental Health NHS Trust Q2 2016-17 result changed to")
            for m in smtp_server.messages] == [True]
    assert smtp_server.messages[0]["to"] == ["analyst@nhs.example"]


def test_a_director_unlinked_from_the_trust_hears_no_more(smtp_server, pending_country, director):
    home, _ = pending_country
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    home.finance_directors.remove(director)
    returns(home, 2, performance=MISSES_AE)
    recompute("2016-17")
    send_alerts.apply()
    assert smtp_server.messages == []


def test_a_director_may_not_subscribe_about_another_trust(pending_country, director):
    _, other = pending_country
    with pytest.raises(services.AlertError, match="You do not act for Other Mental Health NHS Trust"):
        services.subscribe(director, kind=AlertKind.RESULT_CHANGED, trust=other)
    assert not Subscription.objects.exists()


def test_an_alert_claimed_by_another_run_is_not_sent_again(smtp_server, pending_country, director):
    home, _ = pending_country
    subscription = services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    returns(home, 2, performance=MISSES_AE)
    recompute("2016-17")
    # What a concurrent run does first: claim the alert's key. This run then finds the claim.
    (alert,) = services.due_alerts()
    SentAlert.objects.create(subscription=subscription, key=alert.key)
    assert send_alerts.apply().result == {"sent": 0, "skipped": 1, "failed": 0}
    assert smtp_server.messages == []


def test_mail_that_cannot_be_sent_is_not_lost(smtp_server, settings, pending_country, director):
    """Production without EMAIL_URL: the task fails saying why, and the alert goes once mail works."""
    home, _ = pending_country
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    returns(home, 2, performance=MISSES_AE)
    recompute("2016-17")
    smtp_backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "stftracker.alerts.mailconfig.NotConfiguredBackend"
    failed = send_alerts.apply()
    assert failed.failed()
    assert "EMAIL_URL is not set" in str(failed.result)
    assert not SentAlert.objects.exists()  # the claim was given back
    settings.EMAIL_BACKEND = smtp_backend
    assert send_alerts.apply().result == {"sent": 1, "skipped": 0, "failed": 0}
    assert len(smtp_server.messages) == 1


def test_a_recompute_task_that_writes_figures_sends_the_alerts(smtp_server, pending_country, director):
    """The upload's recompute (finance.tasks, in-process here) is followed by the alerts task."""
    from finance import dispatch

    home, _ = pending_country
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    returns(home, 2, performance=MISSES_AE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        dispatch.queue_recompute(trigger="upload")
    assert [m["message"]["Subject"] for m in smtp_server.messages] == [
        "STF Tracker: Home Hospitals NHS Trust Q2 2016-17 result changed to Partial"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_an_alert_once(smtp_server, monkeypatch):
    """Both runs find the alert unsent and reach its claim together: the unique key lets one send."""
    from django.db import connection

    from finance import dependencies
    from tests.factories import TrustFactory, UserFactory

    with dependencies.deferred():  # no recompute of their own: the test says when
        trust = TrustFactory(org_code="RRACE", name="Race Hospitals NHS Trust", trust_type="acute")
        allocate(trust)
    recompute("2016-17")
    director = UserFactory(username="fd_race", role="finance_director", trusts=[trust])
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    with dependencies.deferred():
        returns(trust, 2, performance=MISSES_AE)
    recompute("2016-17")

    barrier = threading.Barrier(2)
    claim = services._claim

    def claim_together(alert):
        barrier.wait(10)
        return claim(alert)

    monkeypatch.setattr(services, "_claim", claim_together)
    outcomes = []

    def run():
        try:
            outcomes.append(send_alerts.apply().result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcome["sent"] for outcome in outcomes) == [0, 1]
    assert [outcome["skipped"] for outcome in outcomes if outcome["sent"] == 0] == [1]
    assert [m["message"]["Subject"] for m in smtp_server.messages] == [
        "STF Tracker: Race Hospitals NHS Trust Q2 2016-17 result changed to Partial"]
    assert SentAlert.objects.count() == 1


def test_with_alerts_after_recompute_off_only_the_hourly_run_sends(smtp_server, settings, pending_country, director):
    from finance import dispatch

    settings.ALERTS_AFTER_RECOMPUTE = False
    home, _ = pending_country
    services.subscribe(director, kind=AlertKind.RESULT_CHANGED)
    returns(home, 2, performance=MISSES_AE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        dispatch.queue_recompute(trigger="upload")
    assert smtp_server.messages == []
    assert send_alerts.apply().result["sent"] == 1  # beat's run


def test_a_worker_starting_without_mail_says_so(settings, caplog):
    from stftracker.alerts.dispatch import say_if_mail_is_not_configured

    settings.EMAIL_BACKEND = "stftracker.alerts.mailconfig.NotConfiguredBackend"
    with caplog.at_level("ERROR", logger="stftracker.alerts.dispatch"):
        say_if_mail_is_not_configured()
    assert [record.getMessage()[:40] for record in caplog.records] == ["EMAIL_URL is not set, so no mail can be "]
    caplog.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    say_if_mail_is_not_configured()
    assert caplog.records == []
