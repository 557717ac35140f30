"""The pure chart functions: figure data checked against values computed by hand."""
from decimal import Decimal

import pytest

from stftracker.dashboards import charts

D = Decimal


def test_spc_chart_draws_mean_limits_special_causes_trajectory_and_standard():
    rows = [{"month": f"M{i}", "performance": D(v), "trajectory": D("90")}
            for i, v in enumerate((12, 13, 12, 13, 12, 13, 12, 4, 6, 5, 7, 6, 5))]
    figure = charts.spc_chart(rows, title="A&E", standard=D("95"))
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["Performance"]["y"] == [12, 13, 12, 13, 12, 13, 12, 4, 6, 5, 7, 6, 5]
    assert traces["Mean"]["y"] == pytest.approx([120 / 13] * 13)
    assert traces["Upper process limit"]["y"][0] == pytest.approx(120 / 13 + 2.66 * 1.75)
    assert traces["Lower process limit"]["y"][0] == pytest.approx(120 / 13 - 2.66 * 1.75)
    # a shift of seven, a point below the lower limit, then 6, 5 and 6, 5 below two sigma
    # (mean - 2/3 × 2.66 × 1.75 = 6.127) in windows of three below the mean: the 7 (M10) is not
    assert traces["Special cause"]["x"] == [f"M{i}" for i in (*range(10), 11, 12)]
    assert traces["Trajectory"]["y"] == [90] * 13
    assert traces["Standard 95%"]["y"] == [95] * 13


def test_reason_bars_stack_earned_withheld_by_reason_and_pending_per_quarter():
    rows = [
        {"period": "2016-17 Q1", "measure": "earned", "amount": D("900.00")},
        {"period": "2016-17 Q1", "measure": "withheld_ae", "amount": D("100.00")},
        {"period": "2016-17 Q2", "measure": "earned", "amount": D("500.50")},
        {"period": "2016-17 Q2", "measure": "withheld_finance", "amount": D("400.00")},
        {"period": "2016-17 Q2", "measure": "pending", "amount": D("99.50")},
    ]
    figure = charts.reason_bars(rows)
    assert figure["layout"]["barmode"] == "stack"
    traces = {t["name"]: t for t in figure["data"]}
    assert list(traces) == ["Earned", "Withheld: Finance test failed", "Withheld: A&E 4 hours missed", "Pending"]
    assert traces["Earned"]["x"] == ["2016-17 Q1", "2016-17 Q2"]
    assert traces["Earned"]["y"] == [900.0, 500.5]
    assert traces["Withheld: A&E 4 hours missed"]["y"] == [100.0, 0.0]
    assert traces["Withheld: Finance test failed"]["y"] == [0.0, 400.0]
    assert traces["Pending"]["y"] == [0.0, 99.5]
    # Each quarter's stack adds up to its allocation.
    assert sum(t["y"][1] for t in figure["data"]) == 1000.0


def test_status_scatter_shows_status_by_shape_and_colour_and_leaves_out_incomplete_rows():
    rows = [
        {"org_code": "RA1", "trust_name": "A", "status": "full", "variance": D("1000"), "ae_performance": D("95.5")},
        {"org_code": "RA2", "trust_name": "B", "status": "finance_failed", "variance": D("-250.75"), "ae_performance": D("88")},
        {"org_code": "RA3", "trust_name": "C", "status": "full", "variance": D("10"), "ae_performance": D("97")},
        {"org_code": "RA4", "trust_name": "D", "status": "partial", "variance": None, "ae_performance": D("90")},
    ]
    figure = charts.status_scatter(rows)
    traces = {t["name"]: t for t in figure["data"]}
    assert set(traces) == {"✓ Full", "✗ Finance failed"}
    assert traces["✓ Full"]["x"] == [1000.0, 10.0] and traces["✓ Full"]["y"] == [95.5, 97.0]
    assert traces["✗ Finance failed"]["x"] == [-250.75]
    assert traces["✓ Full"]["text"] == ["A (RA1)", "C (RA3)"]
    symbols = {t["marker"]["symbol"] for t in figure["data"]}
    colours = {t["marker"]["color"] for t in figure["data"]}
    assert len(symbols) == 2 and len(colours) == 2
    assert len({s["symbol"] for s in charts.STATUS_STYLE.values()}) == len(charts.STATUS_STYLE)


def test_waterfall_floats_each_step_from_allocation_down_to_earned():
    rows = [
        {"period": "Q1", "step": "allocation", "amount": D("1000.00")},
        {"period": "Q1", "step": "withheld_ae", "amount": D("125.00")},
        {"period": "Q1", "step": "withheld_cancer62", "amount": D("50.00")},
        {"period": "Q1", "step": "earned", "amount": D("825.00")},
        {"period": "Q2", "step": "allocation", "amount": D("1000.00")},
        {"period": "Q2", "step": "pending", "amount": D("1000.00")},
        {"period": "Q2", "step": "earned", "amount": D("0.00")},
    ]
    figure = charts.waterfall(rows)
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["Allocation"]["x"] == [["Q1", "Q2"], ["Allocation", "Allocation"]]
    assert traces["Allocation"]["base"] == [0, 0] and traces["Allocation"]["y"] == [1000, 1000]
    # A&E hangs from 1000 down to 875; cancer from 875 down to 825.
    assert traces["Withheld: A&E 4 hours missed"]["base"] == [875] and traces["Withheld: A&E 4 hours missed"]["y"] == [125]
    assert traces["Withheld: Cancer 62 days missed"]["base"] == [825]
    assert traces["Pending"]["base"] == [0] and traces["Pending"]["y"] == [1000]
    assert traces["Earned"]["y"] == [825, 0]
    assert traces["Earned"]["text"] == ["£825.00", "£0.00"]
    # The one-level labels a phone uses keep the steps in order.
    assert figure["layout"]["meta"]["compact"]["categories"] == [
        "Q1 Allocation", "Q1 A&E", "Q1 Cancer", "Q1 Earned", "Q2 Allocation", "Q2 Pending", "Q2 Earned"]


def test_finance_lines_draw_plan_actual_and_a_flat_control_total():
    rows = [{"month": "Apr 2016", "plan_ytd": D("-100.00"), "actual_ytd": D("-90.00")},
            {"month": "May 2016", "plan_ytd": D("-200.00"), "actual_ytd": D("-230.00")}]
    figure = charts.finance_lines(rows, control_total=D("-1200.00"))
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["YTD plan"]["y"] == [-100, -200]
    assert traces["YTD actual"]["y"] == [-90, -230]
    assert traces["Control total (year)"]["y"] == [-1200, -1200]
    assert "Control total (year)" not in {t["name"] for t in charts.finance_lines(rows)["data"]}


def test_small_multiples_give_each_footprint_its_own_axes_on_a_shared_scale():
    rows = []
    for group, earned in (("North", D("300")), ("South", D("100")), ("East", D("50")), ("West", D("10"))):
        for period in ("Q1", "Q2"):
            rows.append({"group": group, "period": period, "earned": earned, "withheld": D("20"), "pending": D("0")})
    figure = charts.small_multiples(rows, columns=3)
    layout = figure["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["<b>North</b>", "<b>South</b>", "<b>East</b>", "<b>West</b>"]
    assert {k for k in layout if k.startswith("xaxis")} == {"xaxis", "xaxis2", "xaxis3", "xaxis4"}
    # 3 traces per footprint, each on its own axes; one legend entry per measure.
    assert len(figure["data"]) == 12
    assert [t["yaxis"] for t in figure["data"] if t["name"] == "Earned"] == ["y", "y2", "y3", "y4"]
    assert sum(t["showlegend"] for t in figure["data"]) == 3
    # Shared scale: the tallest stack (300 + 20) sets every panel's range.
    ranges = [layout[k]["range"] for k in layout if k.startswith("yaxis")]
    assert len(ranges) == 4 and all(r == [0, pytest.approx(320 * 1.05)] for r in ranges)
    # Four panels in three columns make two rows: the fourth panel sits below the first.
    assert layout["xaxis4"]["domain"] == layout["xaxis"]["domain"]
    assert layout["yaxis4"]["domain"][1] < layout["yaxis"]["domain"][0]


def test_what_if_bars_compare_stored_and_what_if():
    rows = [{"version": "Stored", "earned": D("250000.00"), "withheld": D("0.00"), "pending": D("0.00")},
            {"version": "What-if", "earned": D("218750.00"), "withheld": D("31250.00"), "pending": D("0.00")}]
    figure = charts.what_if_bars(rows)
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["Earned"]["y"] == [250000, 218750]
    assert traces["Withheld"]["y"] == [0, 31250]
    assert figure["layout"]["barmode"] == "group"


def test_spc_chart_draws_no_limits_from_fewer_than_twelve_months():
    rows = [{"month": f"M{i}", "performance": D(v), "trajectory": None} for i, v in enumerate(range(80, 91))]
    figure = charts.spc_chart(rows, title="A&E", standard=D("95"))
    names = {t["name"] for t in figure["data"]}
    assert "Mean" not in names and "Special cause" not in names  # eleven rising months: no trend flagged
    assert figure["spc"]["reading"].limits is None
