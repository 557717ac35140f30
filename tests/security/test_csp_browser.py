"""The pages, Plotly charts included, work in a real browser under our Content-Security-Policy."""
import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    AllocationFactory, FinanceReturnFactory, PerformanceReturnFactory, RegionFactory, TrustFactory, UserFactory,
    PASSWORD,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


def in_browser(scenario):
    """Run ``scenario(page)`` in a fresh chromium, in a thread of its own (Playwright's sync API
    keeps an event loop per thread, and other browser tests may hold this thread's), and return
    what it returns. The page records policy violations and console errors."""
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    def run():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            try:
                context = browser.new_context()
                context.add_init_script(COLLECT_VIOLATIONS)
                page = context.new_page()
                page.console_errors = []
                page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
                page.on("pageerror", lambda error: page.console_errors.append(str(error)))
                return scenario(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=120)


@pytest.fixture(autouse=True)
def _orm_beside_an_event_loop(monkeypatch):
    # Another module's browser fixture may keep an event loop in this thread for the whole run;
    # the ORM calls made here are plain synchronous ones all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _violations(page):
    return page.evaluate("window.__cspViolations")


def _log_in(page, base_url, next_path=""):
    page.goto(f"{base_url}/accounts/login/{next_path}")
    page.fill("#id_username", "fd_browser")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_log_in_and_see_charts_without_policy_violations(live_server, trust_with_returns):
    chart_pages = ("/", f"/trusts/{trust_with_returns.org_code}/")

    def scenario(page):
        _log_in(page, live_server.url)
        page.wait_for_url(f"{live_server.url}/")
        seen = {"login": (_violations(page), list(page.console_errors))}
        for path in (*chart_pages, "/accounts/", "/uploads/"):
            response = page.goto(f"{live_server.url}{path}")
            charts = 0
            if path in chart_pages:
                # Plotly drew its SVG (it would not, were its script or its styles blocked).
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
                charts = page.locator(".js-plotly-plot").count()
            seen[path] = (response.status, response.headers["content-security-policy"], charts,
                          _violations(page), list(page.console_errors))
        return seen

    seen = in_browser(scenario)
    assert seen.pop("login") == ([], [])
    for path, (status, policy, charts, violations, errors) in seen.items():
        assert status == 200, path
        assert "script-src 'self'" in policy
        assert (charts >= 1) == (path in chart_pages), path
        assert violations == [], path
        assert errors == [], path


def test_api_docs_run_under_the_policy(live_server, trust_with_returns):
    def scenario(page):
        _log_in(page, live_server.url, "?next=/api/v1/docs/")
        page.wait_for_url(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
        return page.locator(".swagger-ui .opblock").count(), _violations(page)

    operations, violations = in_browser(scenario)
    assert operations >= 5
    assert violations == []


def test_the_policy_is_enforced(live_server, trust_with_returns):
    """The checks above could fail: an inline script is blocked and reported."""
    def scenario(page):
        page.goto(f"{live_server.url}/accounts/login/")
        page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                                 document.body.appendChild(s); }""")
        page.wait_for_function("window.__cspViolations.length > 0", timeout=5000)
        return page.evaluate("window.__ran === undefined"), _violations(page)

    blocked, violations = in_browser(scenario)
    assert blocked
    assert any(v.startswith("script-src") for v in violations)
