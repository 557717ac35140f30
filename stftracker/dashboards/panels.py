"""The charts of each dashboard page, each beside the table of numbers behind it, built from the
selectors' rows: what a page shows, apart from the request that asks for it."""
from decimal import Decimal

from common.money import money_display as money
from common.months import month_label
from performance.metrics import PAGE_NAMES

from . import charts, selectors, spc, tidy
from .tables import MONEY_COLUMNS, Chart


def area_charts(period, year_rows, quarter_rows, *, multiples=False):
    """An area page's charts: money by reason per quarter, the finance and A&E scatter, and (for
    a region, ``multiples``) a small bar chart per footprint."""
    reasons = tidy.reason_rows(year_rows)
    scatter_rows = [r for r in quarter_rows if r["variance"] is not None and r["ae_performance"] is not None]
    reason_table = [{"period": r["period"], "measure": charts.MEASURE_LABELS[r["measure"]], "amount": r["amount"]}
                    for r in reasons]
    built = [
        Chart("reasons", f"Earned and withheld by reason, {period.scheme}",
              charts.reason_bars(reasons, title=f"Earned and withheld by reason per quarter, {period.scheme}"),
              [("period", "Quarter", "text"), ("measure", "Measure", "text"), ("amount", "Amount", "money")],
              reason_table, caption=f"Money earned, withheld (by reason) and pending per quarter of {period.scheme}",
              summary="Stacked bar chart of money earned, withheld by reason and pending in each quarter."),
        Chart("scatter", f"Finance variance against A&E performance, {period.label}",
              charts.status_scatter(scatter_rows, title=f"Trusts by finance variance and A&E, {period.label}"),
              [("trust_name", "Trust", "text"), ("org_code", "Code", "text"), ("status", "Status", "status"),
               ("variance", "YTD actual − plan", "money"), ("ae_performance", "A&E (quarter)", "percent")],
              scatter_rows, caption=f"Finance variance and A&E performance of each trust, {period.label}",
              summary="Scatter of trusts: finance variance against plan across, A&E 4-hour performance up; "
                      "marker shape and colour show the status.",
              note="Trusts not judged on A&E, or without a finance return for the quarter, are not plotted."),
    ]
    if multiples:
        groups = tidy.group_totals(year_rows, "footprint_name")
        built.append(Chart(
            "footprints", f"Footprints, {period.scheme}",
            charts.small_multiples(groups, title=f"Earned, withheld and pending per quarter by footprint, {period.scheme}"),
            [("group", "Footprint", "text"), ("period", "Quarter", "text"), *MONEY_COLUMNS],
            groups, caption=f"Money per footprint and quarter, {period.scheme}",
            summary="Small multiples: one bar chart per footprint, earned, withheld and pending per quarter."))
    return built


def applicable_metrics(scheme, trust):
    """The metrics the scheme judges a trust of this type on, in the scheme's order."""
    return [m for m in scheme["applicability"].get(trust.trust_type, []) if m in PAGE_NAMES]


def waterfall_rows(rows):
    """Steps from allocation to earned for each quarter (pure)."""
    steps = []
    for row in rows:
        label = row["period"].label
        steps.append({"period": label, "step": "allocation", "label": "Allocation", "amount": row["allocation"]})
        for reason, amount in row["withheld_by_reason"].items():
            steps.append({"period": label, "step": f"withheld_{reason}", "label": charts.MEASURE_LABELS[f"withheld_{reason}"],
                          "amount": amount})
        if row["pending"]:
            steps.append({"period": label, "step": "pending", "label": "Pending", "amount": row["pending"]})
        steps.append({"period": label, "step": "earned", "label": "Earned", "amount": row["earned"]})
    return steps


def trust_charts(trust, scheme, period, year_rows, *, allocation, private):
    """A trust page's charts: the waterfall, finance against plan (``private``: the monthly
    returns are the trust's own, for its finance directors and analysts only) and an SPC chart
    per applicable metric. Performance is NHS England's published statistics, shown to everyone
    signed in; the trust's trajectories only when ``private`` (``trusts.roles``). A few queries,
    whatever the number of trusts."""
    steps = waterfall_rows(year_rows)
    built = [Chart(
        "waterfall", f"From allocation to earned, {period.scheme}",
        charts.waterfall(steps, title=f"From allocation to earned, per quarter of {period.scheme}"),
        [("period", "Quarter", "text"), ("label", "Step", "text"), ("amount", "Amount", "money")], steps,
        caption=f"Allocation, money withheld by reason, pending and earned per quarter, {period.scheme}",
        summary="Waterfall chart per quarter: the allocation, less what was withheld and what is pending, gives what was earned.")]
    if private:
        built.append(finance_chart(trust, scheme, period, allocation))
    series = selectors.performance_series(trust, scheme["start_date"], trajectories=private)
    for metric in applicable_metrics(scheme, trust):
        built.append(spc_panel(metric, series.get(metric, []), scheme, trajectories=private))
    return built


def finance_chart(trust, scheme, period, allocation):
    """YTD plan and actual by month against the year's control total."""
    finance = [{"month": month_label(r["month"]), "month_start": r["month"],  # the label drawn, the month tabled
                **{k: r[k] for k in ("plan_ytd", "actual_ytd", "forecast_outturn")},
                "variance": r["actual_ytd"] - r["plan_ytd"]} for r in selectors.finance_rows(trust, scheme["start_date"])]
    control_total = allocation.control_total if allocation else None
    return Chart(
        "finance", f"Finance against plan, {period.scheme}",
        charts.finance_lines(finance, control_total=control_total,
                             title=f"YTD plan and actual by month, {period.scheme} (excluding STF)"),
        [("month_start", "Month", "month"), ("plan_ytd", "YTD plan", "money"), ("actual_ytd", "YTD actual", "money"),
         ("variance", "Actual − plan", "money"), ("forecast_outturn", "Forecast outturn", "money")], finance,
        caption=f"Monthly finance returns, {period.scheme}",
        summary="Line chart of year-to-date plan and actual surplus or deficit by month, with the control total.",
        note=(f"Control total for the year: {money(control_total)}"
              + ("" if allocation.control_total_accepted else " (not accepted)")) if allocation else
             "No allocation or control total is recorded for this year.")


def spc_panel(metric, series, scheme, *, trajectories=True):
    """One metric's SPC chart, its monthly points flagged where a special cause shows; with the
    trust's trajectory only when ``trajectories`` (its own finance directors and analysts)."""
    points = [{"month": month_label(p["month"]), "month_start": p["month"], "performance": p["performance"],
               "numerator": p["numerator"], "denominator": p["denominator"],
               **({"trajectory": p["trajectory"]} if trajectories else {})} for p in series]
    standard = Decimal(str(scheme["standards"].get(metric))) if metric in scheme["standards"] else None
    figure = charts.spc_chart(points, title=f"{PAGE_NAMES[metric]}: monthly performance (SPC)",
                              standard=standard)
    reading = figure.pop("spc")["reading"]
    for point, cause in zip(points, reading.causes):
        point["special_cause"] = spc.cause_label(cause)
    columns = [("month_start", "Month", "month"), ("numerator", "Within standard", "count"), ("denominator", "Total", "count"),
               ("performance", "Performance", "percent"), ("trajectory", "Trajectory", "percent"),
               ("special_cause", "Signal", "text")]
    if not trajectories:
        columns = [column for column in columns if column[0] != "trajectory"]
    shown = "with trajectory; " if trajectories else ""
    return Chart(
        f"spc-{metric}", PAGE_NAMES[metric], figure, columns, points,
        caption=f"{PAGE_NAMES[metric]} by month {shown}standard {standard}%",
        summary=f"SPC chart of {PAGE_NAMES[metric]} by month with mean, process limits, "
                f"{'trajectory ' if trajectories else ''}and standard.",
        extra={"limits": reading.limits, "reading": reading})


def what_if_chart(period, stored, record):
    """The stored result beside the what-if the engine computed (its money as text)."""
    versions = [
        {"version": f"Stored ({stored['status'].replace('_', ' ')})", "status": stored["status"],
         **{k: stored[k] for k in tidy.MONEY_FIELDS}},
        {"version": f"What-if ({record['status'].replace('_', ' ')})", "status": record["status"],
         **{k: Decimal(record[k]) for k in tidy.MONEY_FIELDS}},
    ]
    return Chart(
        "what-if", f"What-if, {period.label}",
        charts.what_if_bars(versions, title=f"Stored result and what-if, {period.label}"),
        [("version", "Version", "text"), ("status", "Status", "status"), *MONEY_COLUMNS],
        versions, caption=f"Stored entitlement and the what-if, {period.label}",
        summary="Bar chart comparing the stored result with the what-if: earned, withheld and pending.")
