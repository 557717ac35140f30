"""Names of trusts and footprints reach Plotly figures as text, never as Plotly's pseudo-HTML
(a name holding ``<a href=...>`` must not become a link in a chart's label, hover or title)."""
import json
from decimal import Decimal

import pytest
from django.test import Client

from stftracker.dashboards import charts
from tests import builders
from tests.factories import FootprintFactory, RegionFactory, TrustFactory

PHISH = '<a href="https://evil.example/phish">Session expired: log in again</a>'
ESCAPED_PHISH = '&lt;a href="https://evil.example/phish"&gt;Session expired: log in again&lt;/a&gt;'


def test_plotly_text_escapes_tags_and_ampersands_and_keeps_the_rest():
    assert charts.plotly_text(PHISH) == ESCAPED_PHISH
    assert charts.plotly_text("Guy's & St Thomas'") == "Guy's &amp; St Thomas'"
    assert charts.plotly_text("A&E <br>") == "A&amp;E &lt;br&gt;"
    assert charts.plotly_text(None) is None


def test_names_in_the_scatter_and_the_small_multiples_are_escaped():
    scatter = charts.status_scatter([{"org_code": "R<b>", "trust_name": PHISH, "status": "full",
                                      "variance": Decimal("10.00"), "ae_performance": Decimal("95.00")}])
    assert scatter["data"][0]["text"] == [f"{ESCAPED_PHISH} (R&lt;b&gt;)"]
    multiples = charts.small_multiples([{"group": PHISH, "period": "2016-17 Q1", "earned": Decimal("1"),
                                         "withheld": Decimal("0"), "pending": Decimal("0")}],
                                       title=f"Footprints like {PHISH}")
    assert [a["text"] for a in multiples["layout"]["annotations"]] == [f"<b>{ESCAPED_PHISH}</b>"]
    assert all(ESCAPED_PHISH in trace["hovertemplate"] for trace in multiples["data"])
    assert multiples["layout"]["meta"]["title"] == f"Footprints like {ESCAPED_PHISH}"
    for figure in (scatter, multiples):
        text = json.dumps(figure)
        assert "<a" not in text and "</a" not in text


@pytest.mark.django_db
def test_no_name_reaches_a_page_figure_as_a_tag(analyst):
    region = RegionFactory(code="YPH", name=f"Region {PHISH}")
    footprint = FootprintFactory(code="E54000099", name=PHISH, region=region)
    trust = TrustFactory(org_code="RPH1", name=f"Trust {PHISH}", region=region, footprint=footprint)
    builders.allocate(trust)
    builders.quarter_with_status(trust, 1, "full")
    builders.recompute("2016-17")
    client = Client()
    client.force_login(analyst)
    for path in ("/?year=2016-17&quarter=1", "/regions/YPH/?year=2016-17&quarter=1",
                 "/footprints/E54000099/?year=2016-17&quarter=1", "/trusts/RPH1/?year=2016-17&quarter=1"):
        response = client.get(path)
        assert response.status_code == 200, path
        figures = json.dumps([chart.figure for chart in response.context["charts"]])
        assert "<a" not in figures and "</a" not in figures, path
        if path.startswith("/regions/"):  # a region's small multiples name its footprints, as text
            assert json.dumps(f"<b>{ESCAPED_PHISH}</b>")[1:-1] in figures, path
