"""Return alerts (due within N days, then late: one alert each) and the analysts' weekly digest
(one per ISO week), received over SMTP.

Due dates (finance.chase; working days skip weekends and England's bank holidays): April 2016
ends on Saturday 30th and Monday 2 May is the May Day bank holiday, so the working days of May
run 3 (1st), 4, 5, 6, 9, 10, 11, 12 (8th), 13, 16 (10th): April's finance return (8th working
day) is due Thursday 12 May 2016 and its A&E return (10th) Monday 16 May. June 2016 ends on a
Thursday: July's working days run 1 (1st), 4, 5, 6, 7, 8, 11, 12 (8th), so June's finance
return is due Tuesday 12 July 2016.
"""
import datetime

import pytest
from django.utils import timezone

from finance import chase
from stftracker.alerts import changes, services
from stftracker.alerts.models import AlertKind
from stftracker.alerts.tasks import send_alerts
from tests.builders import MISSES_AE, allocate, performance_returns, recompute, returns
from tests.factories import FinanceReturnFactory

from .conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    """Set the date the task counts due dates from."""
    def set_today(day):
        monkeypatch.setattr(chase, "today", lambda: day)
    return set_today


def subjects(server):
    return [item["message"]["Subject"] for item in server.messages]


def test_a_return_due_within_the_days_asked_then_late_is_mailed_once_each(smtp_server, today, home_trust,
                                                                         other_trust, director):
    allocate(home_trust)
    allocate(other_trust)  # its returns are missing too: not the home director's business
    services.subscribe(director, kind=AlertKind.RETURN_DUE, days_before=3)

    today(datetime.date(2016, 5, 10))  # finance due 12 May: 2 days, within 3; A&E due 16 May: 6 days
    assert send_alerts.apply().result == {"sent": 1, "skipped": 0, "failed": 0}
    assert subjects(smtp_server) == [
        "STF Tracker: Home Hospitals NHS Trust Finance return for April 2016 is due 12 May 2016"]
    body = text_of(smtp_server.messages[0]["message"])
    assert "is due 12 May 2016, in 2 days, and has not been received" in body
    assert "http://testserver/returns/outstanding/?year=2016-17&quarter=1" in body
    assert smtp_server.messages[0]["to"] == ["fd_home@nhs.example"]

    assert send_alerts.apply().result == {"sent": 0, "skipped": 1, "failed": 0}  # the same day again

    today(datetime.date(2016, 5, 13))  # finance a day late; A&E due 16 May: 3 days, within 3
    assert send_alerts.apply().result == {"sent": 2, "skipped": 0, "failed": 0}
    assert sorted(subjects(smtp_server)[1:]) == [
        "STF Tracker: Home Hospitals NHS Trust A&E 4 hours return for April 2016 is due 16 May 2016",
        "STF Tracker: Home Hospitals NHS Trust Finance return for April 2016 is late (due 12 May 2016)",
    ]
    late = next(item["message"] for item in smtp_server.messages if "late" in item["message"]["Subject"])
    assert "It was due 12 May 2016, 1 day ago" in text_of(late)
    assert send_alerts.apply().result == {"sent": 0, "skipped": 2, "failed": 0}
    assert len(smtp_server.messages) == 3
    assert all("Other Mental Health" not in subject for subject in subjects(smtp_server))


def test_a_return_alert_says_the_money_the_return_holds(smtp_server, today, home_trust, director):
    # April and May's finance returns and the quarter's performance are in; June's finance return,
    # the one the finance test reads, is not: it holds the whole quarter, £250,000.00, pending.
    allocate(home_trust)
    for month in (4, 5):
        FinanceReturnFactory(trust=home_trust, month=datetime.date(2016, month, 1))
    performance_returns(home_trust, 1)
    recompute("2016-17")
    services.subscribe(director, kind=AlertKind.RETURN_DUE, days_before=0)

    today(datetime.date(2016, 7, 11))  # due 12 July: 1 day away, more than 0
    assert send_alerts.apply().result == {"sent": 0, "skipped": 0, "failed": 0}
    today(datetime.date(2016, 7, 12))  # due today
    send_alerts.apply()
    assert subjects(smtp_server) == [
        "STF Tracker: Home Hospitals NHS Trust Finance return for June 2016 is due 12 July 2016"]
    body = text_of(smtp_server.messages[0]["message"])
    assert "is due 12 July 2016, today, and has not been received" in body
    assert "Money it holds pending: £250,000.00" in body


def test_return_days_before_must_be_0_to_30(director, home_trust):
    for days in (-1, 31):
        with pytest.raises(services.AlertError, match="from 0 to 30"):
            services.subscribe(director, kind=AlertKind.RETURN_DUE, days_before=days)
    assert services.subscribe(director, kind=AlertKind.RETURN_DUE, days_before=30).days_before == 30
    with pytest.raises(services.AlertError, match="You already have this alert"):
        services.subscribe(director, kind=AlertKind.RETURN_DUE, days_before=5)


def test_the_weekly_digest_is_for_analysts_only(director, analyst):
    with pytest.raises(services.AlertError, match="weekly digest of statuses changed is for analysts only"):
        services.subscribe(director, kind=AlertKind.WEEKLY_DIGEST)
    assert services.subscribe(analyst, kind=AlertKind.WEEKLY_DIGEST).trust is None


def test_the_weekly_digest_lists_the_statuses_changed_in_the_week_once(smtp_server, home_trust, other_trust,
                                                                       analyst):
    allocate(home_trust)
    allocate(other_trust)
    recompute("2016-17")
    subscription = services.subscribe(analyst, kind=AlertKind.WEEKLY_DIGEST)
    returns(home_trust, 2, performance=MISSES_AE)  # Q2: Pending to Partial, £218,750.00 earned
    recompute("2016-17")
    this_week = timezone.now()
    changes.notice_changes(now=this_week)
    # This week is not over: its digest waits; last week's ended before the subscription.
    assert services.send_alerts(now=this_week).sent == 0

    next_week = this_week + datetime.timedelta(days=7)
    assert services.send_alerts(now=next_week).sent == 1
    monday, _, _ = services.last_week(next_week)
    year, week, _ = monday.isocalendar()
    assert monday == timezone.localdate(this_week) - datetime.timedelta(days=timezone.localdate(this_week).weekday())
    message = smtp_server.messages[0]["message"]
    assert message["Subject"] == f"STF Tracker: weekly digest, 1 status changed in the week of {monday.day} {monday:%B %Y}"
    body = text_of(message)
    assert "- Home Hospitals NHS Trust (RHOME), Q2 2016-17: Pending to Partial, earned £218,750.00 (was £0.00)" in body
    assert f"({year}-W{week:02d}): 1." in body
    assert "Other Mental Health" not in body
    assert smtp_server.messages[0]["to"] == ["analyst@nhs.example"]

    assert services.send_alerts(now=next_week + datetime.timedelta(hours=1)).sent == 0  # one per week
    assert subscription.sent.count() == 1
