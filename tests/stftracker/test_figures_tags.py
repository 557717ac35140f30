"""The finance-style figure tags: £m shown, the exact pounds on hover and for screen readers, and
changes on an earlier quarter said in words."""
from decimal import Decimal

from django.template import Context, Template

from stftracker.templatetags.figures import change_words, money_figure, spc_icons

D = Decimal


def test_the_money_m_filter_prints_millions():
    html = Template("{% load figures %}{{ amount|money_m }}").render(Context({"amount": D("-1250000.00")}))
    assert html == "−£1.3m"


def test_a_headline_figure_shows_millions_and_keeps_the_exact_pounds_for_hover_and_screen_readers():
    html = money_figure(D("12349999.99"))
    assert ('<data class="money-m" value="12349999.99" title="£12,349,999.99">'
            '<span aria-hidden="true">£12.3m</span><span class="visually-hidden">£12,349,999.99</span></data>') == html
    assert 'class="visually-hidden">none<' in money_figure(None)



def test_a_sum_that_would_read_nothing_in_millions_is_shown_in_pounds():
    # 31,250.00 is 0.03125 million, "£0.0m": shown as the pounds it is
    assert '<span aria-hidden="true">£31,250.00</span>' in money_figure(D("31250.00"))
    assert '<span aria-hidden="true">−£49,999.99</span>' in money_figure(D("-49999.99"))
    # 50,000.00 is 0.05 million, £0.1m; nothing at all is £0.0m
    assert '<span aria-hidden="true">£0.1m</span>' in money_figure(D("50000.00"))
    assert '<span aria-hidden="true">£0.0m</span>' in money_figure(D("0.00"))


def test_a_change_is_said_in_words_with_the_arrow_hidden_from_screen_readers():
    change = {"available": True, "label": "2016-17 Q1", "earned": D("-31250.00"), "points": D("-12.50"),
              "before": D("250000.00"), "after": D("218750.00"), "direction": "down"}
    html = change_words(change)
    assert '<span aria-hidden="true">▼ </span>Earned down ' in html
    assert "£31,250.00" in html and "(−12.50 percentage points of allocation) on 2016-17 Q1" in html
    assert "from " in html and "£250,000.00" in html and "£218,750.00" in html
    same = {**change, "earned": D("0.00"), "points": D("0.00"), "direction": "unchanged"}
    assert "Earned unchanged (±0.00 percentage points of allocation) on 2016-17 Q1" in change_words(same)


def test_no_earlier_quarter_is_said_as_such():
    assert change_words({"available": False, "label": ""}) == (
        '<span class="change change-none">Earned: no earlier quarter</span>')
    assert "no earlier quarter (2015-16 Q4)" in change_words({"available": False, "label": "2015-16 Q4"})


def test_spc_icons_reuse_the_trust_page_badges_in_words():
    cell = {"metric": "ae", "applicable": True, "variation": "special_cause_improvement",
            "variation_label": "Special cause variation: improvement", "assurance": None,
            "assurance_label": "No assurance"}
    html = spc_icons(cell)
    assert '<span class="spc-icon spc-special_cause_improvement">Special cause variation: improvement</span>' in html
    assert '<span class="spc-icon spc-none">No assurance</span>' in html
    assert spc_icons({"metric": "rtt", "applicable": False}) == (
        '<span aria-hidden="true">—</span><span class="visually-hidden">Not judged on RTT 18 weeks</span>')
