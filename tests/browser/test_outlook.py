"""The trust page's outlook panel in a real browser, on a wide and a phone-sized screen: it shows
what the rest of a quarter in progress must reach, passes axe-core's WCAG 2.1 AA checks, does not
widen the page and logs no console error."""
import datetime

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.test_dashboards import DIRECTOR, assert_accessible_structure

pytestmark = pytest.mark.browser


@pytest.fixture
def in_progress(demo):
    """The demo finance director's trust with Q2 2018-19 in progress: September's finance return
    and August's and September's performance returns taken away, then the figures recomputed."""
    from finance.models import FinanceReturn
    from finance.services import recompute
    from performance.models import PerformanceReturn

    trust = demo.finance_director_trust
    FinanceReturn.objects.filter(trust=trust, month=datetime.date(2018, 9, 1)).delete()
    PerformanceReturn.objects.filter(trust=trust, month__in=[datetime.date(2018, 8, 1),
                                                             datetime.date(2018, 9, 1)]).delete()
    recompute()
    return trust


@pytest.mark.parametrize("width, height, name", [(1366, 900, "wide"), (390, 844, "phone")])
def test_the_outlook_panel_of_a_quarter_in_progress(in_progress, session_for, width, height, name):
    session = session_for(*DIRECTOR, width=width, height=height)
    session.open(f"/trusts/{in_progress.org_code}/?year=2018-19&quarter=2")
    page = session.page
    panel = page.locator("section.outlook")
    assert panel.count() == 1
    assert page.locator("#outlook-heading").inner_text() == "Outlook, 2018-19 Q2"
    assert "the YTD actual at September 2018 must be at least its plan" in page.locator("#outlook-finance").inner_text()
    ae = page.locator("#outlook-ae").inner_text()
    assert ae.startswith("To earn the A&E element (£") and "the rest of the quarter must" in ae
    table = panel.locator("table.outlook-table")
    assert table.locator("caption").inner_text() == "What each test of 2018-19 Q2 needs from the months not yet in"
    assert table.locator("tbody tr").count() == 1  # 2018-19 judges A&E alone
    assert table.locator("tbody th[scope=row]").inner_text() == "A&E 4 hours"
    assert "1 of 3" in table.locator("tbody tr").inner_text()  # July is in; August and September taken away
    panel.scroll_into_view_if_needed()
    wide = page.evaluate("""() => Array.from(document.querySelectorAll("main > *, .card > *, .table-wrap")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + "." + e.className + " " + (e.querySelector("caption, h2") || {}).textContent + " " + Math.round(e.getBoundingClientRect().right))""")
    assert not wide, wide
    assert_accessible_structure(page)
    assert_accessible(page, context="section.outlook")  # the panel (the page's charts are checked elsewhere)
    session.screenshot(f"trust-outlook-{name}")
    assert session.errors == []
