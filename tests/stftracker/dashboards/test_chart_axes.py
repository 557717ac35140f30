"""Money on the charts: axis ticks in our own words ("£1.5m", "£250k", never Plotly's SI "m" for
milli), hover texts from common.money, and "No data yet" in place of an empty plot."""
import json
from decimal import Decimal as D

from django.template.loader import render_to_string
from django.test import RequestFactory

from common.money import money_short
from stftracker.dashboards import charts
from stftracker.dashboards.tables import Chart


def test_money_short_says_thousands_and_millions_in_words():
    assert money_short(D("1500000")) == "£1.5m"
    assert money_short(D("250000")) == "£250k"
    assert money_short(D("1250000")) == "£1.25m"
    assert money_short(D("12345678")) == "£12.35m"  # 12.345678m rounds half-up to 12.35
    assert money_short(D("1250000000")) == "£1.25bn"
    assert money_short(D("-40000")) == "−£40k"  # U+2212, as pages write money
    assert money_short(D("800")) == "£800"
    assert money_short(D("0")) == "£0"


def test_money_ticks_take_a_round_step_and_include_zero():
    # 0 to 1,234,567: a sixth is 205,761; the round steps are 200k (too small) then 250k.
    values, labels = charts.money_ticks([D("0"), D("1234567")])
    assert values == [0.0, 250000.0, 500000.0, 750000.0, 1000000.0, 1250000.0]
    assert labels == ["£0", "£250k", "£500k", "£750k", "£1m", "£1.25m"]
    # -650,000 to 150,000 spans 800,000: a sixth is 133,333, so 200k steps from -800k.
    values, labels = charts.money_ticks([D("-650000"), D("150000")])
    assert labels == ["−£800k", "−£600k", "−£400k", "−£200k", "£0", "£200k"]
    assert charts.money_ticks([]) == ([], [])


def money_axes(figure):
    layout = figure["layout"]
    return [axis for key, axis in layout.items() if key.startswith(("xaxis", "yaxis")) and "tickvals" in axis]


def test_every_money_axis_is_labelled_by_us_and_hover_says_pounds_with_a_true_minus():
    rows = [{"period": "2016-17 Q1", "measure": "earned", "amount": D("1000000.00")},
            {"period": "2016-17 Q1", "measure": "withheld_ae", "amount": D("500000.00")}]
    bars = charts.reason_bars(rows)
    (axis,) = money_axes(bars)
    # the stack is 1,500,000: a sixth is 250,000, a round step; ticks 0 to 1.5m.
    assert axis["ticktext"] == ["£0", "£250k", "£500k", "£750k", "£1m", "£1.25m", "£1.5m"]
    assert axis["tickmode"] == "array" and axis["automargin"] is True
    assert bars["data"][0]["customdata"] == ["£1,000,000.00"]
    assert "%{customdata}" in bars["data"][0]["hovertemplate"]

    scatter = charts.status_scatter([{"org_code": "RA1", "trust_name": "A", "status": "full",
                                      "variance": D("-1234.50"), "ae_performance": D("95")}])
    assert scatter["data"][0]["customdata"] == ["−£1,234.50"]
    lines = charts.finance_lines([{"month": "Jun 2016", "plan_ytd": D("-500000"), "actual_ytd": D("-400000")}],
                                 control_total=D("-2000000"))
    assert lines["data"][2]["hovertemplate"] == "Control total −£2,000,000.00<extra></extra>"
    waterfall = charts.waterfall([{"period": "2016-17 Q1", "step": "allocation", "amount": D("250000")},
                                  {"period": "2016-17 Q1", "step": "earned", "amount": D("250000")}])
    figures = [bars, scatter, lines, waterfall,
               charts.small_multiples([{"group": "North", "period": "2016-17 Q1", "earned": D("5"), "withheld": D("0"),
                                        "pending": D("0")}]),
               charts.what_if_bars([{"version": "Stored", "earned": D("1"), "withheld": D("2"), "pending": D("3")}])]
    for figure in figures:
        assert money_axes(figure), figure["layout"]
        text = json.dumps(figure)
        assert '"tickformat"' not in text and "tickprefix" not in text  # Plotly's "~s" wrote 1.5M / 500m
        assert "£%{" not in text  # no hover built from Plotly's own number formatting


def test_a_figure_with_no_points_is_not_drawn_and_the_table_says_no_data_yet():
    empty = charts.finance_lines([])
    assert charts.has_points(empty) is False
    assert charts.has_points(charts.reason_bars([{"period": "Q1", "measure": "earned", "amount": D("0")}])) is True
    chart = Chart(name="finance", title="Finance", figure=empty, columns=[("month", "Month", "text")], rows=[],
                  caption="Monthly finance returns", summary="Line chart.")
    html = render_to_string("dashboard/_chart.html", {"chart": chart, "request": RequestFactory().get("/")})
    assert "data-figure" not in html and 'id="figure-finance-data"' not in html
    assert '<p class="chart-empty" id="figure-finance">No data yet</p>' in html
    assert '<td colspan="1">No data yet</td>' in html


def test_the_plot_container_has_no_role_of_its_own():
    # Plotly puts its toolbar's controls inside the plot: a role="img" around them is axe's
    # nested-interactive. The summary is visually hidden text beside it.
    figure = charts.reason_bars([{"period": "Q1", "measure": "earned", "amount": D("10")}])
    chart = Chart(name="reasons", title="Reasons", figure=figure, columns=[("period", "Quarter", "text")],
                  rows=[{"period": "Q1"}], caption="c", summary="Stacked bars.")
    html = render_to_string("dashboard/_chart.html", {"chart": chart, "request": RequestFactory().get("/")})
    assert '<div class="chart" id="figure-reasons" data-figure="figure-reasons-data"></div>' in html
    assert 'role="img"' not in html
    assert ('<p class="visually-hidden" id="figure-reasons-summary">Stacked bars. The numbers are in the table '
            'below the chart.</p>') in html
