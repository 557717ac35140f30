"""The second factor (TOTP, django-otp): enrolling on the account page, logging in with a code, and
the admin site, which refuses anyone who has not passed a second factor.

Codes are computed from the device's key in the test (tests/otp.py), as an authenticator app would.
"""
import re
from base64 import b32decode, b32encode

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.otp import code_now, totp_device, verified_login

LOGIN, CODE, ENROL = "/accounts/login/", "/accounts/login/code/", "/accounts/two-factor/"


def _password_step(client, username, password, next_=""):
    data = {"username": username, "password": password}
    if next_:
        data["next"] = next_
    return client.post(LOGIN, data)


def _logged_in(client):
    return client.get("/accounts/").status_code == 200


def _secret(device):
    return b32encode(device.bin_key).decode()


def _key_on_page(response):
    """The key the enrol page shows, as a user would type it into an app."""
    match = re.search(r'id="totp-secret" value="([A-Z2-7]+)"', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def _app_code(key, steps_ahead=0):
    """The code an authenticator app given ``key`` (base32) shows now."""
    return f"{totp(b32decode(key), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def _other_than(code):
    return "000000" if code != "000000" else "111111"


# --- Enrolling -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_account_page_offers_two_factor(client, director):
    client.force_login(director)
    html = client.get("/accounts/").content.decode()
    assert '<dd id="two-factor">Off</dd>' in html
    assert f'href="{ENROL}"' in html


@pytest.mark.django_db
def test_the_enrol_page_shows_the_secret_and_keeps_it_until_confirmed(client, director):
    client.force_login(director)
    first = client.get(ENROL)
    assert first.status_code == 200
    key = _key_on_page(first)
    assert len(b32decode(key)) == 20  # a 160-bit key
    html = first.content.decode()
    assert f"otpauth://totp/STF%20Tracker%3Afd_home?secret={key}" in html  # or opened as a link
    assert 'autocomplete="one-time-code"' in html
    assert _key_on_page(client.get(ENROL)) == key  # the same key until it is confirmed
    assert not TOTPDevice.objects.exists()  # looking at the page writes no device


@pytest.mark.django_db
def test_another_session_is_shown_another_key(director):
    one, two = Client(), Client()
    one.force_login(director)
    two.force_login(director)
    assert _key_on_page(one.get(ENROL)) != _key_on_page(two.get(ENROL))


@pytest.mark.django_db
def test_enrolling_needs_a_right_code_and_the_password(client, director, password):
    client.force_login(director)
    key = _key_on_page(client.get(ENROL))
    wrong = client.post(ENROL, {"code": _other_than(_app_code(key)), "password": password})
    assert wrong.status_code == 400
    assert "That code is not the one your app shows" in wrong.content.decode()
    bad_password = client.post(ENROL, {"code": _app_code(key), "password": "not-my-password"})
    assert bad_password.status_code == 400
    assert "Your password was entered incorrectly" in bad_password.content.decode()
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_a_finance_director_enrols_and_must_then_give_a_code(client, director, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the refused replay below
    client.force_login(director)
    key = _key_on_page(client.get(ENROL))
    done = client.post(ENROL, {"code": _app_code(key), "password": password})
    assert done.status_code == 302 and done["Location"] == "/accounts/"
    device = TOTPDevice.objects.get(user=director)
    assert device.confirmed and _secret(device) == key
    assert '<dd id="two-factor">On</dd>' in client.get("/accounts/").content.decode()
    # Next log-in: the password alone is not enough, and the code just used is not accepted again.
    fresh = Client()
    step = _password_step(fresh, "fd_home", password)
    assert step.status_code == 302 and step["Location"] == CODE
    assert not _logged_in(fresh)
    assert fresh.post(CODE, {"code": _app_code(key)}).status_code == 200
    done = fresh.post(CODE, {"code": _app_code(key, steps_ahead=1)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert _logged_in(fresh)


@pytest.mark.django_db
def test_moving_to_a_new_app_replaces_the_old_device(client, director, password):
    old = totp_device(director)
    verified_login(client, director)
    page = client.get(ENROL)
    assert "Two-factor authentication is on" in page.content.decode()
    key = _key_on_page(client.get(ENROL + "?replace=1"))
    assert key != _secret(old)
    client.post(ENROL + "?replace=1", {"code": _app_code(key), "password": password})
    assert [_secret(device) for device in TOTPDevice.objects.filter(user=director)] == [key]


# --- Logging in with a code --------------------------------------------------------------------


@pytest.fixture
def fd_device(director):
    return totp_device(director)


@pytest.mark.django_db
def test_the_code_page_asks_for_the_code(client, director, password, fd_device):
    _password_step(client, "fd_home", password)
    page = client.get(CODE)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_code">Code from your authenticator app</label>' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_counted_as_a_failed_log_in(client, director, password, fd_device):
    _password_step(client, "fd_home", password)
    right = code_now(fd_device)
    refused = client.post(CODE, {"code": "999999" if right != "999999" else "888888"})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert not _logged_in(client)
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["fd_home"]


@pytest.mark.django_db
def test_the_right_code_logs_in_and_goes_on_to_next(client, director, password, fd_device):
    _password_step(client, "fd_home", password, next_="/uploads/")
    response = client.post(CODE, {"code": code_now(fd_device)})
    assert response.status_code == 302 and response["Location"] == "/uploads/"
    assert _logged_in(client)


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(director, password, fd_device):
    code = code_now(fd_device)
    first = Client()
    _password_step(first, "fd_home", password)
    assert first.post(CODE, {"code": code}).status_code == 302
    second = Client()
    _password_step(second, "fd_home", password)
    assert second.post(CODE, {"code": code}).status_code == 200
    assert not _logged_in(second)


@pytest.mark.django_db
def test_the_code_page_needs_the_password_step_first(client, director, fd_device):
    response = client.post(CODE, {"code": code_now(fd_device)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not _logged_in(client)


@pytest.mark.django_db
def test_the_password_step_expires(client, director, password, fd_device, settings, monkeypatch):
    from stftracker.accounts import two_factor

    _password_step(client, "fd_home", password)
    real = two_factor.time.time
    monkeypatch.setattr(two_factor.time, "time", lambda: real() + settings.LOGIN_CODE_TIMEOUT + 1)
    response = client.post(CODE, {"code": code_now(fd_device)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not _logged_in(client)


@pytest.mark.django_db
def test_five_wrong_codes_lock_out_like_wrong_passwords(client, director, password, fd_device, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is not what is tested here
    right = code_now(fd_device)
    _password_step(client, "fd_home", password)
    wrong = [code for code in ("111111", "222222", "333333", "444444", "555555", "666666") if code != right][:5]
    statuses = [client.post(CODE, {"code": code}).status_code for code in wrong]
    assert statuses == [200, 200, 200, 200, 429]
    # Locked: not even the password step is accepted now.
    assert _password_step(Client(), "fd_home", password).status_code == 429


@pytest.mark.django_db
def test_without_a_device_the_password_is_enough(client, director, password):
    response = _password_step(client, "fd_home", password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _logged_in(client)


# --- The admin site --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_without_a_device_is_refused_and_told_to_enrol(client, admin_user_, password):
    assert _password_step(client, "admin", password).status_code == 302  # the rest of the site is open
    response = client.get("/admin/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 403
    html = page.content.decode()
    assert "The admin site needs a second factor" in html
    assert f'href="{ENROL}"' in html
    assert client.get("/admin/trusts/trust/").status_code == 302


@pytest.mark.django_db
def test_an_admin_session_that_skipped_the_code_is_refused(client, admin_user_):
    totp_device(admin_user_)
    client.force_login(admin_user_)  # logged in, but no code was given in this session
    assert client.get("/admin/").status_code == 302
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 403
    assert "Log out and log in again with the code from your authenticator app" in page.content.decode()


@pytest.mark.django_db
def test_an_admin_logs_in_with_the_code_and_reaches_the_admin(client, admin_user_, password):
    device = totp_device(admin_user_)
    assert _password_step(client, "admin", password, next_="/admin/")["Location"] == CODE
    response = client.post(CODE, {"code": code_now(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/trusts/trust/").status_code == 200


@pytest.mark.django_db
def test_an_admin_who_enrols_reaches_the_admin_at_once(client, admin_user_, password):
    client.force_login(admin_user_)
    key = _key_on_page(client.get(ENROL))
    client.post(ENROL, {"code": _app_code(key), "password": password})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_admin_log_in_form_is_not_a_way_round_the_code(client, admin_user_, password):
    totp_device(admin_user_)
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302
    assert page["Location"] == "/accounts/login/?next=/admin/"
    posted = client.post("/admin/login/", {"username": "admin", "password": password, "next": "/admin/"})
    assert posted.status_code == 302
    assert not _logged_in(client)


@pytest.mark.django_db
def test_the_test_helper_passes_the_second_factor(client, admin_user_):
    verified_login(client, admin_user_)
    assert client.get("/admin/").status_code == 200



@pytest.mark.django_db
def test_after_a_wrong_code_django_otp_makes_the_next_wait(client, director, password, fd_device):
    _password_step(client, "fd_home", password)
    client.post(CODE, {"code": _other_than(code_now(fd_device))})
    held = client.post(CODE, {"code": code_now(fd_device)})  # right, but within a second of the wrong one
    assert held.status_code == 200
    assert "there is a short wait" in held.content.decode()
    assert not _logged_in(client)
