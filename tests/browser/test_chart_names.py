"""A footprint or trust named like a link is drawn in the charts as text, not as a link."""
import pytest

from tests import builders
from tests.factories import PASSWORD, FootprintFactory, RegionFactory, TrustFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHISH = '<a href="https://evil.example/phish">Session expired: log in again</a>'


@pytest.fixture
def phishing_names(transactional_db):
    region = RegionFactory(code="YPH", name="Phish Region")
    footprint = FootprintFactory(code="E54000099", name=PHISH, region=region)
    trust = TrustFactory(org_code="RPH1", name=PHISH, region=region, footprint=footprint)
    builders.allocate(trust)
    builders.quarter_with_status(trust, 1, "full")
    builders.recompute("2016-17")
    UserFactory(username="chart_analyst", role="analyst")


def test_a_name_holding_a_link_is_drawn_as_text(session_for, phishing_names):
    session = session_for("chart_analyst", PASSWORD)
    session.open("/regions/YPH/?year=2016-17&quarter=1")
    page = session.page
    charts = page.locator("[data-figure]")
    assert charts.count() == 3  # reasons, the scatter and the footprints' small multiples
    # Nowhere in any chart is there a link, to that site or any other...
    assert page.locator("[data-figure] a").count() == 0
    assert page.locator("a[href*='evil.example']").count() == 0
    # ...and the footprint's panel title is drawn, with the name's characters as they are.
    titles = page.locator("[data-figure] svg text.annotation-text")
    assert any("Session expired: log in again" in text and "<a href" in text for text in titles.all_text_contents())
    # Hovering the trust's point in the scatter shows its name as text too.
    point = page.locator("[data-figure] .scatterlayer .point").first
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # Plotly listens above the point
    page.wait_for_selector(".hoverlayer .hovertext", state="attached", timeout=5000)
    hover = page.locator(".hoverlayer .hovertext").first.text_content()
    assert "Session expired: log in again" in hover and "<a href" in hover
    assert page.locator(".hoverlayer a").count() == 0
    assert session.errors == []
