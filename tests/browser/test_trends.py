"""Trends and peers on the trust page and the national Making Data Count table in a real browser,
on a laptop (1366×900) and a phone (390×844): no console errors, the charts drawn, nothing wider
than the screen but the tables' own scrolling boxes, axe-core's WCAG 2.1 A/AA rules; screenshots."""
import re

import pytest

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

ANALYST = ("analyst", "analyst-demo-2016")
DIRECTOR = ("fd", "finance-director-demo-2016")
SCREENS = {"laptop": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_trust_trends_and_the_making_data_count_table(demo, session_for, screen):
    width, height = SCREENS[screen]
    session = session_for(*DIRECTOR, width=width, height=height)
    trust = demo.finance_director_trust
    page = session.page

    session.open(f"/trusts/{trust.org_code}/?year=2017-18&quarter=2")
    trends = page.locator("section.trends")
    assert trends.locator("#figure-trends svg.main-svg").count() >= 1  # the chart is drawn
    assert trends.locator("tbody tr").count() == 12  # every quarter of 2016-17 to 2018-19
    assert " of " in trends.locator("#rank-national").inner_text()
    assert "percentage points of allocation" in page.locator("#stored-heading ~ .figures-more").inner_text() or \
        "no earlier quarter" in page.locator("#stored-heading ~ .figures-more").inner_text()
    # The headline in £m, the exact pounds on hover
    earned = page.locator("#stored-heading ~ .cards .figure-earned data.money-m")
    shown, exact = earned.locator("[aria-hidden=true]").inner_text(), earned.locator(".visually-hidden").inner_text()
    assert re.fullmatch(r"−?£[0-9,]+\.[0-9]m", shown), shown
    assert re.fullmatch(r"−?£[0-9,]+\.[0-9]{2}", exact) and earned.get_attribute("title") == exact
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # The parts of the trust page this feature adds (the rest of the page has its own checks)
    assert_accessible(page, context={"include": ["section.trends", ".figures-more"]})
    session.screenshot(f"trust-trends-{screen}")

    session.open("/making-data-count/?year=2016-17")
    assert page.locator("h1").inner_text() == "Making Data Count, 2016-17"
    rows = page.locator("table.mdc-table tbody tr").count()
    assert rows > 100  # every trust in England allocated for 2016-17
    assert page.locator("table.mdc-table .spc-icon").count() > rows  # icons in words
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(page)
    session.screenshot(f"making-data-count-{screen}")

    region = page.locator("#mdc-region option").nth(1).get_attribute("value")
    page.select_option("#mdc-region", region)
    page.click("form.period-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"region={region}" in page.url
    assert 0 < page.locator("table.mdc-table tbody tr").count() < rows
    assert session.errors == []
