"""Email alerts in a real browser: the account page's alerts section (with its form's errors) and the
unsubscribe pages pass axe-core's WCAG 2.1 A/AA rules, the form works from the keyboard, and an
email's link stops the alert without a log-in."""
import pytest

from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD, TrustFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def director():
    trust = TrustFactory(org_code="RALRT", name="Alert Hospitals NHS Trust")
    return UserFactory(username="fd_alerts", role="finance_director", trusts=[trust])


def test_a_director_adds_and_stops_an_alert_and_the_pages_are_accessible(director, session_for, browser,
                                                                         live_server, settings):
    from stftracker.alerts import services
    from stftracker.alerts.models import Subscription

    session = session_for("fd_alerts", PASSWORD)
    page = session.page
    session.open("/accounts/")
    assert page.locator("#alerts").inner_text() == "Email alerts"
    assert_accessible(page)

    # Too many days: the error summary names the field and links to it.
    page.select_option("#id_kind", "return_due")
    page.fill("#id_days_before", "31")
    page.click("button:has-text('Add alert')")
    page.wait_for_load_state("networkidle")
    summary = page.locator(".error-summary")
    assert "Days before the due date: Ensure this value is less than or equal to 30." in summary.inner_text()
    assert page.locator("#id_days_before").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    # From the keyboard: the days field, then Enter submits the form.
    page.fill("#id_days_before", "5")
    page.focus("#id_days_before")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "Alert added: a return is due soon or late." in page.locator(".messages").inner_text()
    row = page.locator("#alerts ~ .table-wrap tbody tr")
    assert row.count() == 1
    assert "5 days before the due date, and when late" in row.inner_text()
    assert_accessible(page)
    subscription = Subscription.objects.get(user=director, active=True)

    # The email's link, opened in a browser that is not logged in: a confirm page, then stopped.
    context = browser.new_context()
    try:
        anonymous = context.new_page()
        settings.SITE_URL = live_server.url  # where the emails' links point
        response = anonymous.goto(services.unsubscribe_url(subscription))
        assert response.status == 200
        assert_accessible(anonymous)
        subscription.refresh_from_db()
        assert subscription.active is True  # opening the link changed nothing
        anonymous.click("main button[type=submit]")
        anonymous.wait_for_load_state("networkidle")
        assert anonymous.locator("h1").inner_text() == "Alert stopped"
        assert_accessible(anonymous)
        bad = anonymous.goto(live_server.url + "/alerts/unsubscribe/not-a-token/")
        assert bad.status == 400
        assert_accessible(anonymous)
    finally:
        context.close()
    subscription.refresh_from_db()
    assert subscription.active is False
    # The form sent back with its errors is a 400, which the console reports; nothing else.
    assert session.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
