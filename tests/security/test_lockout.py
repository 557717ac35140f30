"""Lock-outs after failed log-ins: a short one per (username, address), and one per username, across
every address, that locks only the addresses the user has never logged in from.

Time passing is simulated by moving the recorded attempts and log-ins back.
"""
import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import F
from django.test import Client

LOGIN = "/accounts/login/"
HOME = "10.0.0.7"  # where the finance director logs in from


def _login(address, username, password):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def _time_passes(**delta):
    step = datetime.timedelta(**delta)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - step)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - step)
    AccessLog.objects.update(attempt_time=F("attempt_time") - step)


@pytest.fixture
def usual_address(director, password):
    """The director has logged in from HOME before."""
    assert _login(HOME, "fd_home", password).status_code == 302
    return HOME


def test_the_defaults(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.LOGIN_USERNAME_FAILURE_LIMIT == 20
    assert settings.LOGIN_USERNAME_WINDOW == datetime.timedelta(hours=1)
    assert settings.LOGIN_KNOWN_ADDRESS_DAYS == 90


@pytest.mark.django_db
def test_the_lock_per_username_and_address_is_short(director, password):
    for attempt in range(5):
        _login("10.9.9.9", "fd_home", f"wrong-{attempt}")
    locked = _login("10.9.9.9", "fd_home", password)
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    _time_passes(minutes=14, seconds=59)
    assert _login("10.9.9.9", "fd_home", password).status_code == 429
    _time_passes(seconds=2)
    assert _login("10.9.9.9", "fd_home", password).status_code == 302


@pytest.mark.django_db
def test_tries_while_locked_are_not_counted_and_do_not_extend_the_lock(director, password):
    for attempt in range(5):
        _login("10.9.9.9", "fd_home", f"wrong-{attempt}")
    for attempt in range(10):
        assert _login("10.9.9.9", "fd_home", f"still-wrong-{attempt}").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert AccessFailureLog.objects.count() == 5


@pytest.mark.django_db
def test_a_distributed_guesser_locks_the_username_for_new_addresses_only(director, analyst, password, usual_address):
    for n in range(19):
        assert _login(f"198.51.100.{n}", "fd_home", f"guess-{n}").status_code == 200
    # 19 failures in the hour: a new address with the right password still gets in.
    assert _login("203.0.113.1", "fd_home", password).status_code == 302
    assert _login("198.51.100.19", "fd_home", "guess-19").status_code == 200  # the 20th
    refused = _login("203.0.113.2", "fd_home", password)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "20 failed attempts to log in as <strong>fd_home</strong> in the last 60 minutes" in html
    assert "an address you have logged in from before" in html
    # The addresses that have logged in before are not locked: the usual one, and the new one that
    # logged in above.
    assert _login(usual_address, "fd_home", password).status_code == 302
    assert _login("203.0.113.1", "fd_home", password).status_code == 302
    # Other users are not affected.
    assert _login("203.0.113.2", "analyst", password).status_code == 302


@pytest.mark.django_db
def test_the_username_lock_lifts_when_the_failures_leave_the_window(director, password, usual_address):
    for n in range(20):
        _login(f"198.51.100.{n}", "fd_home", f"guess-{n}")
    assert _login("203.0.113.2", "fd_home", password).status_code == 429
    _time_passes(minutes=59)
    assert _login("203.0.113.2", "fd_home", password).status_code == 429
    _time_passes(minutes=1, seconds=1)
    assert _login("203.0.113.2", "fd_home", password).status_code == 302


@pytest.mark.django_db
def test_a_neighbour_behind_the_same_address_cannot_lock_the_user_out_for_long(
    director, password, usual_address, settings
):
    """Someone sharing the user's address (the same NAT) guesses as fast as the short lock lets them."""
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 10
    for round_ in range(2):
        for attempt in range(5):
            _login(usual_address, "fd_home", f"wrong-{round_}-{attempt}")
        assert _login(usual_address, "fd_home", password).status_code == 429  # the short lock
        _time_passes(minutes=15, seconds=1)
    assert AccessFailureLog.objects.filter(username="fd_home").count() == 10
    assert _login("203.0.113.2", "fd_home", password).status_code == 429  # new addresses are locked
    assert _login(usual_address, "fd_home", password).status_code == 302  # the user's own is not


@pytest.mark.django_db
def test_an_address_not_used_for_the_known_address_days_is_new_again(director, password, usual_address):
    AccessLog.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(days=91))
    for n in range(20):
        _login(f"198.51.100.{n}", "fd_home", f"guess-{n}")
    assert _login(usual_address, "fd_home", password).status_code == 429


@pytest.mark.django_db
def test_the_limits_are_settings(director, password, usual_address, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 3
    for n in range(3):
        _login(f"198.51.100.{n}", "fd_home", f"guess-{n}")
    assert _login("203.0.113.2", "fd_home", password).status_code == 429
    assert _login(usual_address, "fd_home", password).status_code == 302
