"""The dashboards in a real browser: pages load without console errors, every chart draws, the
league table sorts and filters, the what-if panel changes the figure; screenshots of each page."""
import pytest

from tests.browser.conftest import SCREENSHOTS
from trusts.models import Footprint, Region

pytestmark = pytest.mark.browser

ANALYST = ("analyst", "analyst-demo-2016")
DIRECTOR = ("fd", "finance-director-demo-2016")


def assert_charts_drawn(session, expected):
    count = session.page.locator("[data-figure]").count()
    assert count == expected
    for index in range(count):
        container = session.page.locator("[data-figure]").nth(index)
        assert container.locator("svg.main-svg").count() >= 1, f"chart {index} has no SVG"


def assert_accessible_structure(page):
    """Headings never skip a level; every form control has a label; every table has a caption."""
    levels = page.evaluate(
        "Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4')).map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    unlabelled = page.evaluate(
        "Array.from(document.querySelectorAll('main input:not([type=hidden]), main select'))"
        ".filter(e => !e.labels || e.labels.length === 0).map(e => e.name)")
    assert unlabelled == []
    assert page.evaluate("Array.from(document.querySelectorAll('main table')).every(t => t.caption)")
    assert page.locator("header[role=banner], footer[role=contentinfo], nav[aria-label=Main]").count() == 3


def test_every_page_loads_and_draws_its_charts(demo, session_for):
    region = Region.objects.order_by("name").first()
    footprint = Footprint.objects.filter(region=region).order_by("name").first()
    trust = demo.finance_director_trust
    session = session_for(*ANALYST)
    pages = [
        ("overview", "/", 2),
        ("regions", "/regions/", 0),
        ("footprints", "/footprints/", 0),
        ("region", f"/regions/{region.code}/", 3),
        ("footprint", f"/footprints/{footprint.code}/", 2),
        ("trust", f"/trusts/{trust.org_code}/?year=2016-17&quarter=3", 6),  # trends, waterfall, finance, 3 SPC
    ]
    for name, path, charts in pages:
        session.open(path)
        assert_charts_drawn(session, charts)
        assert session.page.locator("h1").count() == 1
        assert session.page.locator("main#main").count() == 1
        assert "Data as at" in session.page.locator(".data-strip").inner_text()
        assert_accessible_structure(session.page)
        session.screenshot(name)
    assert session.errors == []


def test_pages_read_well_on_a_phone(demo, session_for):
    session = session_for(*DIRECTOR, width=390, height=844)
    session.open("/")
    assert_charts_drawn(session, 2)
    # Nothing but the tables' own scrolling boxes is wider than the screen.
    overflow = session.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    session.screenshot("overview-phone")
    session.open(f"/trusts/{demo.finance_director_trust.org_code}/?year=2016-17&quarter=3")
    assert session.page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    session.screenshot("trust-phone")
    assert session.errors == []


def column_values(page, index):
    return page.evaluate(
        """i => Array.from(document.querySelectorAll('table.league tbody tr'))
                 .map(tr => tr.children[i].getAttribute('data-value'))""", index)


def test_league_table_sorts_with_aria_sort_and_filters(demo, session_for):
    session = session_for(*ANALYST)
    session.open("/?year=2016-17&quarter=3")
    page = session.page
    headers = page.locator("table.league thead th")
    labels = [headers.nth(i).inner_text().strip() for i in range(headers.count())]
    withheld = labels.index("Withheld")
    header = headers.nth(withheld)
    # The table has pages: the heading's link sorts the whole table on the server.
    with page.expect_navigation():
        header.locator("a").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [float(v) for v in column_values(page, withheld)]
    assert values == sorted(values)
    with page.expect_navigation():
        header.locator("a").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [float(v) for v in column_values(page, withheld)]
    assert values == sorted(values, reverse=True) and values[0] > 0
    assert headers.nth(0).get_attribute("aria-sort") == "none"
    assert "sorted by Withheld, descending" in page.locator("#league-count").inner_text()
    # Sorting is keyboard-operable: the header is a link.
    trust_header = headers.nth(0)
    trust_header.locator("a").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert trust_header.get_attribute("aria-sort") == "ascending"
    # Filtering goes through the GET form (works without JavaScript).
    page.select_option("#filter-status", "partial")
    page.click(".filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "status=partial" in page.url
    statuses = page.locator("table.league tbody .status")
    assert statuses.count() > 0
    assert {statuses.nth(i).inner_text().strip() for i in range(statuses.count())} == {"◐ Partial"}
    session.wait_for_charts()
    session.screenshot("overview-filtered")
    assert session.errors == []


def test_what_if_panel_changes_the_figure(demo, session_for):
    trust = demo.finance_director_trust
    session = session_for(*DIRECTOR)
    session.open(f"/trusts/{trust.org_code}/?year=2016-17&quarter=3")
    page = session.page
    assert page.locator("#figure-what-if").count() == 0
    stored = page.locator("#stored-heading + p .status").inner_text()
    page.fill("#wi-perf_ae", "99")
    page.fill("#wi-perf_rtt", "99")
    page.fill("#wi-perf_cancer62", "99")
    page.click(".what-if-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    session.wait_for_charts()
    assert_charts_drawn(session, 7)  # waterfall, finance, three SPC, trends and the what-if
    earned = page.evaluate("document.getElementById('figure-what-if').data.find(t => t.name === 'Earned').y")
    assert len(earned) == 2 and earned[1] > earned[0], (stored, earned)
    assert "✓ Full" in page.locator(".what-if-result").inner_text()
    # And the other way: a YTD actual far below the plan fails the finance test.
    page.fill("#wi-perf_ae", "")
    page.fill("#wi-perf_rtt", "")
    page.fill("#wi-perf_cancer62", "")
    page.fill("#wi-actual_ytd", "-99000000")
    page.click(".what-if-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    session.wait_for_charts()
    earned = page.evaluate("document.getElementById('figure-what-if').data.find(t => t.name === 'Earned').y")
    assert earned[1] == 0
    page.locator("#what-if-heading").scroll_into_view_if_needed()
    assert_accessible_structure(page)
    session.screenshot("trust-what-if")
    assert session.errors == []


def test_pages_work_without_javascript(demo, browser, live_server):
    """Filters, sorting links, the what-if form and the data tables need no script."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", DIRECTOR[0])
        page.fill("input[name=password]", DIRECTOR[1])
        page.click("main button[type=submit]")
        page.goto(live_server.url + "/?year=2016-17&quarter=3&status=finance_failed&sort=withheld&dir=desc")
        statuses = page.locator("table.league tbody .status")
        assert statuses.count() > 0
        assert {statuses.nth(i).inner_text().strip() for i in range(statuses.count())} == {"✗ Finance failed"}
        assert page.locator('th[aria-sort="descending"]').inner_text().strip() == "Withheld"
        assert page.locator(".chart-card details table").count() == 2  # the numbers behind both charts
        trust = demo.finance_director_trust.org_code
        page.goto(live_server.url + f"/trusts/{trust}/?year=2016-17&quarter=3")
        page.fill("#wi-actual_ytd", "-99000000")
        page.click(".what-if-form button[type=submit]")
        assert "✗ Finance failed" in page.locator(".what-if-result").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "trust-no-javascript.png"), full_page=False)
    finally:
        context.close()
