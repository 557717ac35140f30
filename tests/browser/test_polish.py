"""The national and trust pages and the API docs at a desktop and a phone width: no console
errors, no axe-core WCAG 2.1 A/AA violations, the chart toolbar never over the plot area, money
axes labelled in £k/£m words; screenshots of each."""
import re

import pytest

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

ANALYST = ("analyst", "analyst-demo-2016")
SIZES = [("desktop", 1366, 900), ("phone", 390, 844)]


def boxes_overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def assert_toolbar_clear_of_the_plots(page):
    """Each chart's visible toolbar (if any) lies outside its plot area (Plotly's drag rectangle)."""
    charts = page.locator("[data-figure]")
    for index in range(charts.count()):
        chart = charts.nth(index)
        modebar = chart.locator(".modebar-container .modebar")
        plot = chart.locator(".draglayer .nsewdrag").first.bounding_box()
        assert plot is not None
        if modebar.count() == 0 or not modebar.first.is_visible():
            continue
        bar = modebar.first.bounding_box()
        assert not boxes_overlap(bar, plot), f"chart {index}: toolbar {bar} over the plot area {plot}"


def money_tick_labels(page):
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-figure] .ytick text, [data-figure] .xtick text'))"
        ".map(t => t.textContent)")


@pytest.mark.parametrize("size,width,height", SIZES)
def test_national_and_trust_pages_are_accessible_and_their_charts_clear(demo, session_for, size, width, height):
    session = session_for(*ANALYST, width=width, height=height)
    trust = demo.finance_director_trust
    for name, path, charts in (("national", "/", 2),
                               # trends, waterfall, finance and three SPC charts
                               ("trust", f"/trusts/{trust.org_code}/?year=2016-17&quarter=3", 6)):
        session.open(path)
        assert session.wait_for_charts() == charts
        assert_accessible(session.page)
        assert_toolbar_clear_of_the_plots(session.page)
        if size == "phone":
            assert session.page.locator("[data-figure] .modebar").count() == 0  # no toolbar on a phone
            # Nothing wider than the phone: wide tables scroll inside their own boxes.
            page_width = session.page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= width, f"{name}: the page is {page_width} px wide on a {width} px screen"
        labels = money_tick_labels(session.page)
        money = [label for label in labels if "£" in label]
        assert money, labels
        # Our words only: £, an optional minus (U+2212), digits, then k, m or bn; no "-£" and no
        # Plotly SI ("£500m" for half a pound, "£1.5M", "£250µ").
        assert all(re.fullmatch(r"−?£\d+(\.\d+)?(k|m|bn)?", label) for label in money), money
        session.screenshot(f"polish-{name}-{size}")
    assert session.errors == []


@pytest.mark.parametrize("size,width,height", SIZES)
def test_the_api_docs_are_accessible_and_lead_back(demo, session_for, size, width, height):
    session = session_for(*ANALYST, width=width, height=height)
    session.open("/api/v1/docs/")
    session.page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    back = session.page.get_by_role("link", name="Back to STF Tracker")
    assert back.is_visible()
    assert_accessible(session.page)
    session.screenshot(f"polish-api-docs-{size}")
    back.click()
    session.page.wait_for_load_state("networkidle")
    assert session.page.url == session.base_url + "/"
    assert session.errors == []
