"""The league table in a real browser: it fits its card on a 1366-pixel screen, its header stays
in view as it scrolls in its wrapper, its pages and the footprint select that follows the region
select work, and a phone shows no page wider than the screen (the table scrolls in its box)."""
import re

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import SCREENSHOTS
from trusts.models import Footprint, Region

pytestmark = pytest.mark.browser

ANALYST = ("analyst", "analyst-demo-2016")


def league_geometry(page):
    return page.evaluate("""() => {
        const table = document.querySelector('table.league');
        const wrap = table.closest('.league-wrap');
        const card = table.closest('section.card');
        const style = getComputedStyle(card);
        const inner = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return {table: table.getBoundingClientRect().width, card: inner,
                wrapScroll: wrap.scrollWidth, wrapClient: wrap.clientWidth};
    }""")


def test_league_fits_its_card_keeps_its_header_in_view_and_pages(demo, session_for):
    session = session_for(*ANALYST, width=1366, height=900)
    session.open("/")
    page = session.page
    page.locator('section[aria-labelledby="league-heading"]').screenshot(path=str(SCREENSHOTS / "league-card-1366.png"))
    geometry = league_geometry(page)
    assert geometry["table"] <= geometry["card"], geometry
    assert geometry["wrapScroll"] <= geometry["wrapClient"], geometry  # no sideways scrolling either
    shown = page.locator("#league-count").inner_text()
    assert re.match(r"Showing 1–50 of \d+ trusts", shown), shown
    assert page.locator("table.league tbody tr").count() == 50
    # Scrolled inside its wrapper, the header row stays at the wrapper's top, in view.
    page.locator("table.league").scroll_into_view_if_needed()
    wrap = page.locator(".league-wrap")
    wrap.evaluate("w => { w.scrollTop = 800; }")
    where = page.evaluate("""() => {
        const wrap = document.querySelector('.league-wrap');
        const th = document.querySelector('table.league thead th');
        const w = wrap.getBoundingClientRect(), h = th.getBoundingClientRect();
        const hit = document.elementFromPoint(h.left + 5, h.top + h.height / 2);
        return {scrolled: wrap.scrollTop, offset: h.top - w.top, visible: th.contains(hit)};
    }""")
    assert where["scrolled"] > 0 and abs(where["offset"]) <= 1 and where["visible"], where
    session.screenshot("league-1366")
    # Page 2 through the page links, the current page marked.
    nav = page.locator('nav[aria-label="League table pages"]')
    with page.expect_navigation():
        nav.locator("a", has_text=re.compile(r"^\s*(Page )?2\s*$")).click()
    assert page.locator("#league-count").inner_text().startswith("Showing 51–100 of ")
    assert "page=2" in page.locator('nav[aria-label="League table pages"] a[aria-current="page"]').get_attribute("href")
    assert_accessible(page, context='section[aria-labelledby="league-heading"]')
    # The footprints index, its No footprint row included.
    session.open("/footprints/")
    assert page.locator("table.area-table tbody tr").last.locator("th").inner_text().strip() == "No footprint"
    assert_accessible(page, context="main")
    assert session.errors == []


def test_footprint_select_follows_the_region_select(demo, session_for):
    region = Region.objects.filter(footprints__isnull=False).order_by("name").first()
    ours = list(Footprint.objects.filter(region=region).order_by("name").values_list("code", flat=True))
    session = session_for(*ANALYST, width=1366, height=900)
    session.open("/")
    page = session.page
    every = page.locator("#filter-footprint option").count() - 1
    assert every == Footprint.objects.count()
    page.select_option("#filter-region", region.code)
    offered = page.eval_on_selector_all("#filter-footprint option", "os => os.map(o => o.value).filter(Boolean)")
    assert sorted(offered) == sorted(ours) and len(offered) < every
    page.select_option("#filter-footprint", ours[0])
    with page.expect_navigation():
        page.click(".filters button[type=submit]")
    assert "No trusts match" not in page.content() and page.locator("table.league tbody tr").count() > 0
    page.select_option("#filter-region", "")  # all regions again: every footprint, the chosen one kept
    assert page.locator("#filter-footprint option").count() - 1 == every
    assert page.locator("#filter-footprint").input_value() == ours[0]
    assert_accessible(page, context='section[aria-labelledby="league-heading"]')
    assert session.errors == []


def test_on_a_phone_only_the_table_scrolls_sideways(demo, session_for):
    session = session_for(*ANALYST, width=390, height=844)
    session.open("/")
    assert session.page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    session.page.locator("table.league").scroll_into_view_if_needed()
    session.screenshot("league-phone")
    assert session.errors == []
