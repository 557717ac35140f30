"""Turning the second factor on and logging in with it, in a real browser under our policy: the key
is read off the page and the codes computed from it, as an authenticator app would."""
from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.factories import PASSWORD, UserFactory
from tests.security.test_csp_browser import in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _orm_beside_an_event_loop(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _code(key, steps_ahead=0):
    return f"{totp(b32decode(key), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def test_a_finance_director_turns_it_on_then_logs_in_with_a_code(live_server):
    UserFactory(username="fd_2fa", role="finance_director")

    def scenario(page):
        seen = {}
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "fd_2fa")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/accounts/")
        page.click("main a[href='/accounts/two-factor/']")
        page.wait_for_url(f"{live_server.url}/accounts/two-factor/")
        key = page.input_value("#totp-secret")
        page.fill("#id_code", _code(key))
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/accounts/")
        seen["status"] = page.inner_text("#two-factor")
        page.click("form[action='/accounts/logout/'] button")
        page.wait_for_url(f"{live_server.url}/accounts/login/")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "fd_2fa")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/accounts/login/code/")
        seen["asks_for_code"] = page.inner_text("h1")
        page.fill("#id_code", _code(key, steps_ahead=1))
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        seen["violations"] = page.evaluate("window.__cspViolations")
        seen["errors"] = list(page.console_errors)
        return seen

    seen = in_browser(scenario)
    assert seen["status"] == "On"
    assert seen["asks_for_code"] == "Enter the code from your authenticator app"
    assert seen["violations"] == []
    assert seen["errors"] == []
