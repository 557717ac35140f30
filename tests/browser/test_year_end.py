"""The year-end page in a real browser, on the demo country: no console errors, the trusts' table
sorts by any column (aria-sort follows), the CSV link downloads the records, the trust page shows
its own line, and the half-way year says what it waits for."""
import csv
import io
from decimal import Decimal

import pytest

from finance.models import Scheme, YearEndAward
from tests.browser.test_dashboards import ANALYST, DIRECTOR, assert_accessible_structure

pytestmark = pytest.mark.browser


def column(page, index):
    return page.evaluate(
        "i => Array.from(document.querySelectorAll('#year-end-trusts tbody tr')).map(r => r.children[i].getAttribute('data-value'))",
        index)


def test_the_year_end_page_sorts_and_downloads(demo, session_for):
    session = session_for(*ANALYST)
    session.open("/year-end/?year=2017-18")
    page = session.page
    assert page.locator("#year-end-state").get_attribute("data-state") == "decided"
    assert "equals the pot £1,800,000,000.00" in page.locator("#year-end-check").inner_text()
    headers = page.locator("#year-end-trusts thead th")
    labels = [headers.nth(i).inner_text().strip() for i in range(headers.count())]
    total = labels.index("Total")
    header = headers.nth(total)
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [Decimal(v) for v in column(page, total)]
    assert values == sorted(values) and values[0] < values[-1]
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [Decimal(v) for v in column(page, total)]
    assert values == sorted(values, reverse=True)
    assert headers.nth(0).get_attribute("aria-sort") == "none"
    assert "sorted by Total, descending" in page.locator("#league-count").inner_text()
    with page.expect_download() as info:
        page.click("#year-end-csv")
    download = info.value
    assert download.suggested_filename == "stf-year-end-2017-18.csv"
    with open(download.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    stored = dict(YearEndAward.objects.filter(scheme__code="2017-18").values_list("trust__org_code", "general_distribution"))
    assert {r["Code"]: Decimal(r["Distribution"]) for r in rows} == stored
    assert_accessible_structure(page)
    session.screenshot("year-end")
    assert session.errors == []


def test_the_trust_page_line_and_the_half_way_year(demo, session_for):
    session = session_for(*DIRECTOR)
    trust = demo.finance_director_trust
    session.open(f"/trusts/{trust.org_code}/?year=2016-17")
    award = YearEndAward.objects.get(trust=trust, scheme=Scheme.objects.get(code="2016-17"))
    line = session.page.locator("#trust-year-end")
    assert line.get_attribute("data-state") == "decided"
    total = f"£{award.total:,.2f}"
    assert session.page.locator("#trust-year-end-total").inner_text().strip() == total
    session.open("/year-end/?year=2018-19")
    assert session.page.locator("#year-end-state").get_attribute("data-state") == "waiting"
    assert session.page.locator("#year-end-message").inner_text().startswith("Waits for ")
    assert session.page.locator("#year-end-waits tbody tr").count() > 100
    assert_accessible_structure(session.page)
    assert session.errors == []
