"""Adjustments on review in a real browser: one analyst proposes, a second (another browser
context, logged in at the same time) approves, and the figures move; the list sorts and downloads.

RBRW is acute, allocated £1,000,000.00 for 2016-17: Q2 is £250,000.00, its A&E element 12.5%,
£31,250.00. Its A&E is 91.20% (below 95%, no trajectory), finance ahead of plan: by the rules Q2
earns £218,750.00 and withholds £31,250.00; paid on review, A&E brings it to £250,000.00.
"""
import pytest

from finance import adjustments, dependencies, services
from tests.browser.test_dashboards import assert_accessible_structure
from tests.builders import MISSES_AE, allocate, returns
from tests.factories import PASSWORD, TrustFactory, UserFactory, scheme

pytestmark = pytest.mark.browser


@pytest.fixture
def country(transactional_db):
    with dependencies.deferred():
        trust = TrustFactory(org_code="RBRW", name="Browser Hospitals NHS Trust", trust_type="acute")
        allocate(trust)
        returns(trust, 2, performance=MISSES_AE)
    services.recompute()
    ann = UserFactory(username="ann", first_name="Ann", last_name="Proposer", role="analyst")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Approver", role="analyst")
    earlier = adjustments.propose(user=bob, trust=trust, scheme=scheme("2016-17"), quarter=3, element="rtt",
                                  decision="withhold", reason="Validation of the RTT list outstanding")
    return {"trust": trust, "ann": ann, "bob": bob, "earlier": earlier}


def test_propose_then_approve_by_a_second_analyst(country, session_for):
    ann = session_for("ann", PASSWORD)
    bob = session_for("bob", PASSWORD)

    ann.open("/adjustments/propose/?trust=RBRW&year=2016-17&quarter=2")
    page = ann.page
    assert_accessible_structure(page)
    page.select_option("#id_element", "ae")
    page.check("input[name=decision][value=pay]")
    page.fill("#id_reason", "August's A&E return was misreported by the system supplier.")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/adjustments/" in page.url and page.locator("#adjustment-state").inner_text() == "Proposed"
    assert "You proposed this adjustment: another analyst must approve it." in page.locator("main").inner_text()
    assert page.locator("text=Approve adjustment").count() == 0
    pk = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    assert "£218,750.00" in page.locator("#figures-heading + p, .status-line").first.inner_text()

    bob.open(f"/adjustments/{pk}/")
    assert_accessible_structure(bob.page)
    bob.page.click(f"text=Approve adjustment {pk}")
    bob.page.wait_for_load_state("networkidle")
    assert bob.page.locator("#adjustment-state").inner_text() == "Approved"
    bob.open(f"/adjustments/{pk}/")  # the recompute has run on commit
    figures = bob.page.locator("main").inner_text()
    assert "earned £250,000.00, withheld £0.00" in figures
    assert (f"A&E element paid on review (adjustment {pk}, approved by Bob Approver): £31,250.00 earned"
            in bob.page.locator("#figures-reasons").inner_text())

    # The list: both adjustments, sortable by number, with a CSV download.
    ann.open("/adjustments/")
    assert_accessible_structure(ann.page)
    ids = "Array.from(document.querySelectorAll('main table tbody tr')).map(tr => +tr.children[0].dataset.value)"
    assert ann.page.evaluate(ids) == [pk, country["earlier"].pk]  # newest first
    header = ann.page.locator("main th", has_text="No.")
    header.locator("a.sort-link").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert ann.page.evaluate(ids) == [country["earlier"].pk, pk]
    header.locator("a.sort-link").click()
    assert header.get_attribute("aria-sort") == "descending" and ann.page.evaluate(ids) == [pk, country["earlier"].pk]
    href = ann.page.locator("main a", has_text="Download CSV").get_attribute("href")
    download = ann.page.request.get(ann.base_url + "/adjustments/" + href)
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    lines = download.text().splitlines()
    assert lines[0].startswith("No.,Code,Trust,Year,Quarter,Element,Decision")
    assert any(line.startswith(f"{pk},RBRW,") and ",Approved," in line for line in lines[1:])

    assert ann.errors == [] and bob.errors == []
