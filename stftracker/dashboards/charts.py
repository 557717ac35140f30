"""Plotly figures for the dashboards, built from tidy rows. Pure: no database, no request.

Every function takes plain rows (dicts) and returns a figure dict ``{"data": [...], "layout": {...}}``
that a template hands to the page with ``json_script`` and ``static/js/charts.js`` draws with
``Plotly.newPlot``. Money arrives as ``Decimal`` and leaves as a plot coordinate (a JSON number):
the figures are for drawing only; the tables beside them show the exact pounds and pence.
Every label of money a chart draws is ours, not Plotly's number formatting: the money axes'
ticks are placed and named here (:func:`money_axis`, "£1.5m", "£250k") and hover texts carry
``common.money.money_display`` ("−£1,234.00").
"""
import math
from decimal import Decimal

from common.money import money_display, money_short

from .spc import analyse

NHS_BLUE = "#005eb8"
TEXT = "#212b32"
GREY = "#768692"
GREEN = "#007f3b"
RED = "#d5281b"
ORANGE = "#b35c00"  # darker than NHS orange: 4.7:1 on white
PURPLE = "#330072"

# Status is never shown by colour alone: each has a marker shape and a text glyph as well.
STATUS_STYLE = {
    "full": {"label": "Full", "colour": GREEN, "symbol": "circle", "glyph": "✓"},
    "partial": {"label": "Partial", "colour": ORANGE, "symbol": "diamond", "glyph": "◐"},
    "finance_failed": {"label": "Finance failed", "colour": RED, "symbol": "x", "glyph": "✗"},
    "no_control_total": {"label": "No control total", "colour": PURPLE, "symbol": "square", "glyph": "⊘"},
    "pending": {"label": "Pending", "colour": GREY, "symbol": "triangle-up-open", "glyph": "…"},
}
STATUS_ORDER = list(STATUS_STYLE)

# Reasons money is withheld, in the order the pages list them.
REASON_LABELS = {
    "no_control_total": "No control total",
    "finance": "Finance test failed",
    "ae": "A&E 4 hours missed",
    "rtt": "RTT 18 weeks missed",
    "cancer62": "Cancer 62 days missed",
    "other": "Other",
}
REASON_COLOURS = {
    "no_control_total": PURPLE,
    "finance": RED,
    "ae": ORANGE,
    "rtt": "#7c2855",
    "cancer62": "#00786d",
    "other": TEXT,
}

MEASURE_LABELS = {"earned": "Earned", "pending": "Pending", **{f"withheld_{k}": f"Withheld: {v}" for k, v in REASON_LABELS.items()}}

FONT = {"family": "Arial, Helvetica, sans-serif", "color": TEXT, "size": 14}
MONEY_AXIS = {"gridcolor": "#d8dde0", "zerolinecolor": "#aeb7bd", "automargin": True}
PERCENT_AXIS = {"ticksuffix": "%", "gridcolor": "#d8dde0", "automargin": True}
NICE_STEPS = (Decimal("1"), Decimal("2"), Decimal("2.5"), Decimal("5"), Decimal("10"))


def money_ticks(values, *, most=6):
    """Tick positions and labels for a money axis spanning ``values`` (and zero): a round step
    (1, 2, 2.5 or 5 times a power of ten) giving at most ``most`` intervals, each tick labelled
    by ``money_short``. ``([], [])`` when there is nothing to span."""
    amounts = [Decimal(str(v)) for v in values if v is not None]
    if not amounts:
        return [], []
    low, high = min(min(amounts), Decimal("0")), max(max(amounts), Decimal("0"))
    span = high - low
    if span == 0:
        return [0.0], [money_short(0)]
    rough = span / most
    power = Decimal(10) ** (len(str(int(rough))) - 1) if rough >= 1 else Decimal("1")
    step = next(power * nice for nice in NICE_STEPS if power * nice >= rough)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    ticks, tick = [], first
    while tick <= high + step:
        ticks.append(tick)
        if tick >= high:
            break
        tick += step
    return [float(t) for t in ticks], [money_short(t) for t in ticks]


def money_axis(values, **extra):
    """A money axis whose tick labels are our words ("£1.5m", "−£250k"), never Plotly's SI
    suffixes (its "m" is milli); Plotly still chooses the range."""
    tickvals, ticktext = money_ticks(values)
    axis = {**MONEY_AXIS, **extra}
    if tickvals:
        axis.update({"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext})
    return axis


def has_points(figure):
    """Whether a figure has anything to draw: a trace with at least one value."""
    for trace in figure.get("data", []):
        values = trace.get("y") or []
        if any(value is not None for value in values):
            return True
    return False


def plotly_text(value):
    """A name as Plotly text: Plotly reads ``<a href>``, ``<b>``, ``<br>``... and entities in every
    label, hover text, title and tick it draws, so ``&``, ``<`` and ``>`` become entities (which it
    shows as the characters). Every name that comes from data (trusts, footprints, regions, titles
    built from them) goes through here; labels of our own are written as Plotly text already.
    Quotes stay as they are: without ``<`` no tag, and so no attribute, can begin."""
    if value is None:
        return None
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number(value):
    """A plot coordinate from a Decimal, int or numeric string; None stays None (a gap)."""
    if value is None or value == "":
        return None
    return float(value)


def base_layout(title, **extra):
    """Shared look. The page's heading names the chart, so the title rides along in ``meta``
    (for an exported image or a test) and is not drawn twice."""
    layout = {
        "meta": {"title": plotly_text(title)},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 72, "r": 16, "t": 16, "b": 120},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
        "hoverlabel": {"font": {"family": FONT["family"]}},
        "autosize": True,
    }
    layout.update(extra)
    return layout


# --- National, regional and footprint figures -------------------------------------------------

def reason_bars(rows, *, title="Earned and withheld by reason, per quarter"):
    """Stacked bars per quarter. ``rows``: tidy {period, measure, amount} with measure one of
    ``earned``, ``pending`` or ``withheld_<reason>``; one trace per measure present."""
    periods = []
    for row in rows:
        if row["period"] not in periods:
            periods.append(row["period"])
    order = ["earned"] + [f"withheld_{reason}" for reason in REASON_LABELS] + ["pending"]
    present = {row["measure"] for row in rows}
    amounts = {(row["period"], row["measure"]): row["amount"] for row in rows}
    traces = []
    for measure in order:
        if measure not in present:
            continue
        if measure == "earned":
            colour = GREEN
        elif measure == "pending":
            colour = GREY
        else:
            reason = measure.removeprefix("withheld_")
            colour = REASON_COLOURS[reason]
        traces.append({
            "type": "bar",
            "name": MEASURE_LABELS[measure],
            "x": periods,
            "y": [number(amounts.get((period, measure), Decimal("0"))) for period in periods],
            "customdata": [money_display(amounts.get((period, measure), Decimal("0"))) for period in periods],
            "marker": {"color": colour},
            "hovertemplate": "%{x}<br>" + MEASURE_LABELS[measure] + ": %{customdata}<extra></extra>",
        })
    stacked = {}
    for row in rows:
        stacked[row["period"]] = stacked.get(row["period"], Decimal("0")) + Decimal(row["amount"])
    layout = base_layout(title, barmode="stack", yaxis=money_axis(list(stacked.values()), title={"text": "£", "standoff": 8}),
                         xaxis={"type": "category", "automargin": True})
    return {"data": traces, "layout": layout}


def status_scatter(rows, *, title="Trusts by finance variance and A&E performance"):
    """One trace per status (colour AND marker shape). ``rows``: {org_code, trust_name, status,
    variance (YTD actual − YTD plan, £), ae_performance (percent)}; rows missing either are left out."""
    traces = []
    for status in STATUS_ORDER:
        points = [r for r in rows if r["status"] == status
                  and r.get("variance") is not None and r.get("ae_performance") is not None]
        if not points:
            continue
        style = STATUS_STYLE[status]
        traces.append({
            "type": "scatter",
            "mode": "markers",
            "name": f"{style['glyph']} {style['label']}",
            "x": [number(p["variance"]) for p in points],
            "y": [number(p["ae_performance"]) for p in points],
            "text": [f"{plotly_text(p['trust_name'])} ({plotly_text(p['org_code'])})" for p in points],
            "customdata": [money_display(p["variance"]) for p in points],
            "marker": {"color": style["colour"], "symbol": style["symbol"], "size": 10,
                       "line": {"width": 1, "color": style["colour"]}},
            "hovertemplate": "%{text}<br>Variance %{customdata}<br>A&E %{y:.2f}%<extra>" + style["label"] + "</extra>",
        })
    variances = [r["variance"] for r in rows if r.get("variance") is not None and r.get("ae_performance") is not None]
    layout = base_layout(
        title,
        xaxis=money_axis(variances, title={"text": "YTD actual − YTD plan (£, excluding STF)"}),
        yaxis={**PERCENT_AXIS, "title": {"text": "A&E within 4 hours (quarter)"}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
        margin={"l": 72, "r": 16, "t": 16, "b": 140},
        shapes=[
            {"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
             "line": {"color": TEXT, "width": 1, "dash": "dot"}},
        ],
    )
    return {"data": traces, "layout": layout}


def short_period(label):
    """ "2016-17 Q3" -> "Q3" (the small multiples show one year; their heading names it)."""
    return label.rsplit(" ", 1)[-1]


def small_multiples(rows, *, title="Earned and withheld per quarter, by footprint", columns=3):
    """One subplot per footprint: stacked earned / withheld / pending bars per quarter.
    ``rows``: tidy {group, period, earned, withheld, pending}. The axes share a y range so that
    the panels compare."""
    groups = []
    for row in rows:
        if row["group"] not in groups:
            groups.append(row["group"])
    n = len(groups)
    columns = max(1, min(columns, n))
    lines = max(1, math.ceil(n / columns))
    gap_x, gap_y = 0.06, 0.12 if lines > 1 else 0.0
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (lines - 1)) / lines
    top = max((sum(number(r[k]) or 0 for k in ("earned", "withheld", "pending")) for r in rows), default=0)
    traces, annotations, layout_axes = [], [], {}
    for index, group in enumerate(groups):
        label = plotly_text(group)
        column, line = index % columns, index // columns
        suffix = "" if index == 0 else str(index + 1)
        x0 = column * (width + gap_x)
        y1 = 1 - line * (height + gap_y)
        y0 = y1 - height
        layout_axes[f"xaxis{suffix}"] = {"domain": [x0, x0 + width], "anchor": f"y{suffix}", "type": "category"}
        layout_axes[f"yaxis{suffix}"] = money_axis([0, top], domain=[y0, y1 - 0.04], anchor=f"x{suffix}",
                                                   range=[0, top * 1.05 if top else 1])
        annotations.append({"text": f"<b>{label}</b>", "x": x0, "xref": "paper", "xanchor": "left",
                            "y": y1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
                            "font": {"size": 12}})
        group_rows = [r for r in rows if r["group"] == group]
        for measure, measure_label, colour in (("earned", "Earned", GREEN), ("withheld", "Withheld", RED),
                                               ("pending", "Pending", GREY)):
            traces.append({
                "type": "bar", "name": measure_label, "legendgroup": measure, "showlegend": index == 0,
                "x": [short_period(r["period"]) for r in group_rows], "y": [number(r[measure]) for r in group_rows],
                "customdata": [money_display(r[measure]) for r in group_rows],
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                "marker": {"color": colour},
                "hovertemplate": label + "<br>%{x}: " + measure_label + " %{customdata}<extra></extra>",
            })
    layout = base_layout(title, barmode="stack", annotations=annotations, height=max(320, 260 * lines),
                         margin={"l": 72, "r": 16, "t": 56, "b": 32}, legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
                         **layout_axes)
    return {"data": traces, "layout": layout}


# --- Trust figures ----------------------------------------------------------------------------

WATERFALL_SHORT = {"allocation": "Allocation", "earned": "Earned", "pending": "Pending",
                   "withheld_no_control_total": "No CT", "withheld_finance": "Finance",
                   "withheld_ae": "A&E", "withheld_rtt": "RTT", "withheld_cancer62": "Cancer", "withheld_other": "Other"}


def waterfall(rows, *, title="From allocation to earned, per quarter"):
    """A waterfall per quarter, side by side, drawn as floating bars (``base`` + height) so that
    each step has its own colour and legend entry. ``rows``: tidy {period, step, amount} in order;
    each period starts with ``allocation``, then ``withheld_<reason>`` and ``pending`` are taken
    off in turn, and it ends with ``earned`` (which equals what is left)."""
    traces, running = {}, {}
    for row in rows:
        period, step, amount = row["period"], row["step"], Decimal(row["amount"])
        if step in ("allocation", "earned"):
            base, top = Decimal("0"), amount
            running[period] = amount
        else:
            top = running.get(period, Decimal("0"))
            base = top - amount
            running[period] = base
        if step not in traces:
            if step == "allocation":
                colour, name = NHS_BLUE, "Allocation"
            elif step == "earned":
                colour, name = GREEN, "Earned"
            elif step == "pending":
                colour, name = GREY, "Pending"
            else:
                reason = step.removeprefix("withheld_")
                colour, name = REASON_COLOURS[reason], MEASURE_LABELS[step]
            traces[step] = {"type": "bar", "name": name, "x": [[], []], "y": [], "base": [], "text": [],
                            "marker": {"color": colour, "line": {"color": "#ffffff", "width": 1}},
                            "textposition": "none",
                            "hovertemplate": "%{x}<br>" + name + ": %{text}<extra></extra>"}
        trace = traces[step]
        trace["x"][0].append(period)
        trace["x"][1].append(WATERFALL_SHORT.get(step, step))
        trace["y"].append(number(amount))
        trace["base"].append(number(base))
        trace["text"].append(money_display(amount))
    order = ["allocation"] + [f"withheld_{r}" for r in REASON_LABELS] + ["pending", "earned"]
    data = [traces[step] for step in order if step in traces]
    heights = [b + h for trace in data for b, h in zip(trace["base"], trace["y"])] + \
        [b for trace in data for b in trace["base"]]
    layout = base_layout(title, barmode="overlay", yaxis=money_axis(heights, title={"text": "£", "standoff": 8}),
                         xaxis={"type": "multicategory", "tickangle": 0, "automargin": True})
    # On a narrow screen charts.js swaps the two-level axis for one level ("Q3 A&E"), in order.
    compact = lambda period, label: f"{short_period(period)} {label}"  # noqa: E731
    layout["meta"]["compact"] = {
        "x": [[compact(p, label) for p, label in zip(*trace["x"])] for trace in data],
        "categories": [compact(row["period"], WATERFALL_SHORT.get(row["step"], row["step"])) for row in rows],
    }
    return {"data": data, "layout": layout}


def finance_lines(rows, *, control_total=None, title="Finance: YTD plan and actual (excluding STF)"):
    """YTD plan and actual by month, and the year's control total as a flat line.
    ``rows``: {month (label), plan_ytd, actual_ytd}."""
    months = [r["month"] for r in rows]
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": "YTD plan", "x": months,
         "y": [number(r["plan_ytd"]) for r in rows], "customdata": [money_display(r["plan_ytd"]) for r in rows],
         "line": {"color": NHS_BLUE, "dash": "dash"}, "marker": {"symbol": "square", "size": 8},
         "hovertemplate": "%{x}: plan %{customdata}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "YTD actual", "x": months,
         "y": [number(r["actual_ytd"]) for r in rows], "customdata": [money_display(r["actual_ytd"]) for r in rows],
         "line": {"color": TEXT}, "marker": {"symbol": "circle", "size": 8},
         "hovertemplate": "%{x}: actual %{customdata}<extra></extra>"},
    ]
    if control_total is not None and months:
        traces.append({"type": "scatter", "mode": "lines", "name": "Control total (year)", "x": months,
                       "y": [number(control_total)] * len(months),
                       "line": {"color": PURPLE, "dash": "dot", "width": 2},
                       "hovertemplate": "Control total " + money_display(control_total) + "<extra></extra>"})
    plotted = [r[key] for r in rows for key in ("plan_ytd", "actual_ytd")]
    if control_total is not None and months:
        plotted.append(control_total)
    layout = base_layout(title, yaxis=money_axis(plotted, title={"text": "£ surplus (+) / deficit (−)", "standoff": 8}),
                         xaxis={"type": "category", "automargin": True})
    return {"data": traces, "layout": layout}


def spc_chart(rows, *, title, standard=None):
    """An SPC (XmR) chart of monthly performance in the NHS "Making Data Count" manner, with the
    trajectory and the national standard. ``rows``: {month (label), performance, trajectory}
    (percents as Decimals, None where missing)."""
    months = [r["month"] for r in rows]
    values = [None if r["performance"] is None else Decimal(r["performance"]) for r in rows]
    reading = analyse(values, target=standard)  # limits from at least SPC_MIN_POINTS months
    limits, flags = reading.limits, reading.flags
    traces = [{
        "type": "scatter", "mode": "lines+markers", "name": "Performance", "x": months,
        "y": [number(v) for v in values], "line": {"color": GREY}, "marker": {"color": GREY, "size": 7},
        "hovertemplate": "%{x}: %{y:.2f}%<extra></extra>",
    }]
    if limits:
        for key, name, dash in (("mean", "Mean", "solid"), ("upper", "Upper process limit", "dash"),
                                ("lower", "Lower process limit", "dash")):
            traces.append({"type": "scatter", "mode": "lines", "name": name, "x": months,
                           "y": [number(limits[key])] * len(months),
                           "line": {"color": TEXT if key == "mean" else GREY, "dash": dash, "width": 1.5},
                           "hovertemplate": name + " %{y:.2f}%<extra></extra>"})
        special_x = [m for m, flag in zip(months, flags) if flag]
        if special_x:
            traces.append({"type": "scatter", "mode": "markers", "name": "Special cause",
                           "x": special_x, "y": [number(v) for v, flag in zip(values, flags) if flag],
                           "marker": {"color": ORANGE, "size": 12, "symbol": "circle-open-dot",
                                      "line": {"width": 2, "color": ORANGE}},
                           "hovertemplate": "%{x}: %{y:.2f}% (special cause)<extra></extra>"})
    if any(r.get("trajectory") is not None for r in rows):
        traces.append({"type": "scatter", "mode": "lines+markers", "name": "Trajectory", "x": months,
                       "y": [number(r.get("trajectory")) for r in rows],
                       "line": {"color": NHS_BLUE, "dash": "dashdot", "shape": "hv"},
                       "marker": {"symbol": "triangle-up", "size": 6},
                       "hovertemplate": "%{x}: trajectory %{y:.2f}%<extra></extra>"})
    if standard is not None and months:
        traces.append({"type": "scatter", "mode": "lines", "name": f"Standard {Decimal(standard):.0f}%",
                       "x": months, "y": [number(standard)] * len(months),
                       "line": {"color": GREEN, "dash": "dot", "width": 2},
                       "hovertemplate": "Standard %{y:.2f}%<extra></extra>"})
    layout = base_layout(title, yaxis={**PERCENT_AXIS, "title": {"text": "% within standard", "standoff": 8}},
                         xaxis={"type": "category", "automargin": True})
    return {"data": traces, "layout": layout, "spc": {"flags": flags, "reading": reading}}


def what_if_bars(rows, *, title="Stored result and what-if"):
    """Grouped bars comparing the stored entitlement with the what-if. ``rows``: {version (label),
    earned, withheld, pending}."""
    traces = []
    for measure, label, colour in (("earned", "Earned", GREEN), ("withheld", "Withheld", RED),
                                   ("pending", "Pending", GREY)):
        traces.append({"type": "bar", "name": label, "x": [r["version"] for r in rows],
                       "y": [number(r[measure]) for r in rows],
                       "customdata": [money_display(r[measure]) for r in rows],
                       "marker": {"color": colour},
                       "hovertemplate": "%{x}<br>" + label + " %{customdata}<extra></extra>"})
    values = [r[measure] for r in rows for measure in ("earned", "withheld", "pending")]
    layout = base_layout(title, barmode="group", yaxis=money_axis(values, title={"text": "£", "standoff": 8}),
                         xaxis={"type": "category", "automargin": True})
    return {"data": traces, "layout": layout}
