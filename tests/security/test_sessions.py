"""A session ends after SESSION_IDLE_TIMEOUT without a request, and at SESSION_COOKIE_AGE whatever."""
import datetime

import pytest
from django.contrib.messages import get_messages

from stftracker.accounts import sessions

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.timezone.utc)


class Clock:
    """The time the idle-timeout middleware reads, moved on by the test."""

    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(sessions, "now", clock)
    return clock


@pytest.fixture
def precise(settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_ACTIVITY_RESOLUTION = 0  # every request is recorded


def test_the_defaults(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60  # the absolute limit stays
    assert settings.SESSION_ACTIVITY_RESOLUTION == 60


@pytest.mark.django_db
def test_thirty_minutes_idle_is_allowed_and_a_second_more_logs_out(client, director, clock, precise):
    client.force_login(director)
    assert client.get("/accounts/").status_code == 200
    clock.advance(minutes=30)
    assert client.get("/accounts/").status_code == 200  # exactly the timeout: still in
    clock.advance(minutes=30, seconds=1)
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You were logged out after 30 minutes without activity. Log in again to carry on."
    ]
    clock.advance(seconds=1)
    assert client.get("/accounts/").status_code == 302  # the session is gone, not just refused once


@pytest.mark.django_db
def test_activity_keeps_the_session_going_past_the_idle_timeout(client, director, clock, precise):
    client.force_login(director)
    for _ in range(5):  # two hours in all, never more than 25 minutes apart
        clock.advance(minutes=25)
        assert client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_the_api_with_a_session_times_out_too(client, director, clock, precise):
    client.force_login(director)
    assert client.get("/api/v1/trusts/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/api/v1/trusts/").status_code in (401, 403)


@pytest.mark.django_db
def test_activity_is_written_at_most_once_a_resolution(client, director, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_ACTIVITY_RESOLUTION = 60
    client.force_login(director)
    client.get("/accounts/")
    first = client.session[sessions.LAST_ACTIVITY]
    assert first == START.timestamp()
    clock.advance(seconds=59)
    client.get("/accounts/")
    assert client.session[sessions.LAST_ACTIVITY] == first  # not rewritten within the minute
    clock.advance(seconds=1)
    client.get("/accounts/")
    assert client.session[sessions.LAST_ACTIVITY] == first + 60


@pytest.mark.django_db
def test_the_timeout_is_a_setting(client, director, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    settings.SESSION_ACTIVITY_RESOLUTION = 0
    client.force_login(director)
    client.get("/accounts/")
    clock.advance(minutes=5, seconds=1)
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert "after 5 minutes without activity" in str(list(get_messages(response.wsgi_request))[0])


@pytest.mark.django_db
def test_an_active_session_still_ends_at_session_cookie_age(client, director, clock, precise, settings):
    """Recording activity saves the session, which would push Django's expiry on: the age since
    log-in is checked as well."""
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    client.force_login(director)
    for _ in range(4):  # 1 h 40 min, never idle for long
        clock.advance(minutes=25)
        assert client.get("/accounts/").status_code == 200
    clock.advance(minutes=20)  # exactly two hours since logging in
    assert client.get("/accounts/").status_code == 200
    clock.advance(seconds=1)
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You were logged out 2 hours after logging in. Log in again to carry on."
    ]


@pytest.mark.django_db
def test_the_age_is_counted_from_the_log_in(client, director, password, clock, precise, settings):
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    assert client.post("/accounts/login/", {"username": "fd_home", "password": password}).status_code == 302
    assert client.session[sessions.LOGGED_IN_AT] == START.timestamp()
