"""The chase list in a real browser: the page loads without console errors and is accessible, its
table sorts in place with aria-sort, and its CSV link downloads the rows as CSV."""
import csv
import io
from decimal import Decimal

import pytest

from tests.browser.test_dashboards import ANALYST, DIRECTOR, assert_accessible_structure

pytestmark = pytest.mark.browser
PATH = "/returns/outstanding/?year=2018-19&quarter=3"  # the demo's 2018-19 stops at September


def column(page, index):
    return page.evaluate(
        """i => Array.from(document.querySelectorAll('table.chase tbody tr'))
                 .map(tr => tr.children[i].getAttribute('data-value'))""", index)


def test_the_chase_list_loads_sorts_and_downloads(demo, session_for):
    session = session_for(*ANALYST)
    session.open(PATH)
    page = session.page
    assert page.locator("h1").inner_text() == "Returns outstanding, Q3 2018-19"
    assert page.locator("nav[aria-label=Main] a[href='/returns/outstanding/']").count() == 1
    rows = page.locator("table.chase tbody tr")
    assert rows.count() > 100
    assert_accessible_structure(page)
    headers = page.locator("table.chase thead th")
    labels = [headers.nth(i).inner_text().strip() for i in range(headers.count())]
    assert labels == ["Trust", "Region", "Return", "Month", "Due", "State", "Days late", "Pending money"]

    money = labels.index("Pending money")
    header = headers.nth(money)
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [Decimal(v) for v in column(page, money)]
    assert values == sorted(values) and values[0] < values[-1]
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [Decimal(v) for v in column(page, money)]
    assert values == sorted(values, reverse=True)
    assert "/returns/outstanding/" in page.url and "sort=" not in page.url  # sorted in place, no reload
    late = labels.index("Days late")
    headers.nth(late).locator("a").click()
    days = [int(v) for v in column(page, late)]
    assert days == sorted(days) and headers.nth(money).get_attribute("aria-sort") == "none"
    # The summary adds up the table.
    shown = sum(values, Decimal("0.00"))
    assert page.locator("#chase-pending").inner_text() == f"£{shown:,.2f}"

    with page.expect_download() as download_info:
        page.click("#chase-csv")
    download = download_info.value
    assert download.suggested_filename == "stf-returns-outstanding-2018-19-q3.csv"
    with open(download.path(), encoding="utf-8") as f:
        records = list(csv.DictReader(io.StringIO(f.read())))
    assert len(records) == rows.count()
    assert list(records[0]) == ["Code", "Trust", "Region", "Return", "Month", "Due", "State", "Days late",
                                "Pending money"]
    assert sum(Decimal(r["Pending money"]) for r in records) == shown
    session.screenshot("chase")
    assert session.errors == []


def test_a_finance_director_sees_their_own_trust_and_filters_by_state(demo, session_for):
    session = session_for(*DIRECTOR)
    session.open(PATH)
    page = session.page
    names = page.locator("table.chase tbody th[scope=row] .org-code")
    assert {names.nth(i).inner_text() for i in range(names.count())} == {demo.finance_director_trust.org_code}
    page.select_option("#filter-state", "outstanding")
    page.click(".filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "state=outstanding" in page.url
    # A year on, nothing of Q3 2018-19 is merely outstanding: every return is late.
    assert page.locator("#chase-empty").inner_text() == "Nothing outstanding for Q3 2018-19 among these filters."
    assert session.errors == []
