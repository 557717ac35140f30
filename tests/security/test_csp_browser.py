"""The pages, Plotly charts included, work in a real browser under our Content-Security-Policy."""
import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    AllocationFactory, FinanceReturnFactory, PerformanceReturnFactory, RegionFactory, TrustFactory, UserFactory,
    PASSWORD,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || '')));
"""


@pytest.fixture
def trust_with_returns(db):
    trust = TrustFactory(org_code="RCSP1", name="Policy Hospitals NHS Trust", region=RegionFactory(code="YCSP"))
    UserFactory(username="fd_browser", role="finance_director", trusts=[trust])
    AllocationFactory(trust=trust, stf_allocation=Decimal("4000000.00"))
    for month in (4, 5, 6):
        FinanceReturnFactory(trust=trust, month=datetime.date(2016, month, 1))
        PerformanceReturnFactory(trust=trust, month=datetime.date(2016, month, 1), numerator=9000 + month)
    from finance.services import recompute

    recompute()
    return trust


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM is used only before it
    # starts (the fixtures above) and after it stops (the flush), but Django cannot tell.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context()
        context.add_init_script(COLLECT_VIOLATIONS)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        yield page
        browser.close()


def _violations(page):
    return page.evaluate("window.__cspViolations")


def test_log_in_and_see_charts_without_policy_violations(live_server, trust_with_returns, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "fd_browser")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert _violations(page) == []
    for path in ("/", f"/trusts/{trust_with_returns.org_code}/", "/accounts/", "/uploads/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if path in ("/", f"/trusts/{trust_with_returns.org_code}/"):
            # Plotly drew its SVG (it would not, were its script or its styles blocked).
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
            assert page.locator(".js-plotly-plot").count() >= 1
        assert _violations(page) == [], path
        assert page.console_errors == [], path


def test_api_docs_run_under_the_policy(live_server, trust_with_returns, page):
    page.goto(f"{live_server.url}/accounts/login/?next=/api/v1/docs/")
    page.fill("#id_username", "fd_browser")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert _violations(page) == []


def test_the_policy_is_enforced(live_server, trust_with_returns, page):
    """The check above could fail: an inline script is blocked and reported."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_function("window.__cspViolations.length > 0", timeout=5000)
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in _violations(page))
