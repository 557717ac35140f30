"""The dashboards: national overview, regions, footprints and trusts.

Every view is a GET that reads through ``selectors`` and draws through the pure ``charts``;
``?format=csv&chart=<name>`` downloads the numbers behind any chart or table of the page.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from common.exports import csv_response
from common.money import money_display as money
from common.months import month_label
from trusts.models import TrustType
from trusts.roles import can_act_for

from . import charts, selectors, spc
from .selectors import Period

# The money columns of a data table: (key, heading, format).
MONEY_COLUMNS = [(field, field.capitalize(), "money") for field in selectors.MONEY_FIELDS]

LEAGUE_SORTS = {
    "trust": "trust_name", "org_code": "org_code", "region": "region_name", "footprint": "footprint_name",
    "type": "trust_type", "status": "status", "allocation": "allocation", "earned": "earned",
    "withheld": "withheld", "pending": "pending", "variance": "variance", "ae": "ae_performance",
}
LEAGUE_COLUMNS = [
    ("trust_name", "Trust", "trust", "text"),
    ("region_name", "Region", "region", "text"), ("footprint_name", "Footprint", "footprint", "text"),
    ("trust_type_label", "Type", "type", "text"), ("status", "Status", "status", "status"),
    ("allocation", "Allocation", "allocation", "money"), ("earned", "Earned", "earned", "money"),
    ("withheld", "Withheld", "withheld", "money"), ("pending", "Pending", "pending", "money"),
    ("variance", "Variance", "variance", "money"), ("ae_performance", "A&E", "ae", "percent"),
]
TRUST_TYPE_LABELS = dict(TrustType.choices)


@dataclass
class Chart:
    """A figure and the numbers behind it (for the table, screen readers and the CSV)."""

    name: str
    title: str
    figure: dict
    columns: list  # (key, label, kind)
    rows: list
    caption: str = ""
    summary: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def element_id(self):
        return f"figure-{self.name}"

    @property
    def data_id(self):
        return f"figure-{self.name}-data"


def chosen_period(request, schemes):
    """The year and quarter asked for in the query string, else the latest decided quarter."""
    by_code = {s["code"]: s for s in schemes}
    default = selectors.latest_decided_period()
    year = request.GET.get("year")
    scheme = by_code.get(year) or (by_code.get(default.scheme) if default else None) or (schemes[-1] if schemes else None)
    if scheme is None:
        return None
    try:
        quarter = int(request.GET.get("quarter", ""))
    except ValueError:
        quarter = None
    if quarter not in (1, 2, 3, 4):
        quarter = default.quarter if default and default.scheme == scheme["code"] else 1
    return Period(scheme["code"], scheme["start_date"], quarter)


def csv_download(request, charts_by_name, stem):
    name = request.GET.get("chart", "")
    chart = charts_by_name.get(name)
    if chart is None:
        raise Http404("No such chart on this page.")
    fieldnames = [key for key, _, _ in chart.columns]
    return csv_response(f"{stem}-{name}.csv", chart.rows, fieldnames)


# --- Area pages: national, region, footprint ------------------------------------------------

def league_rows(rows, params):
    """The league table: filtered by region, footprint, trust type and status; sorted."""
    filters = {key: params.get(key, "") for key in ("region", "footprint", "trust_type", "status")}
    chosen = [
        r for r in rows
        if (not filters["region"] or r["region_code"] == filters["region"])
        and (not filters["footprint"] or r["footprint_code"] == filters["footprint"])
        and (not filters["trust_type"] or r["trust_type"] == filters["trust_type"])
        and (not filters["status"] or r["status"] == filters["status"])
    ]
    sort = params.get("sort") if params.get("sort") in LEAGUE_SORTS else "trust"
    direction = "desc" if params.get("dir") == "desc" else "asc"
    key = LEAGUE_SORTS[sort]
    present = [r for r in chosen if r[key] is not None]
    missing = [r for r in chosen if r[key] is None]
    if key == "status":
        present.sort(key=lambda r: (charts.STATUS_ORDER.index(r["status"]), r["trust_name"]),
                     reverse=direction == "desc")
    else:
        present.sort(key=lambda r: (r[key], r["trust_name"]), reverse=direction == "desc")
    for row in chosen:
        row["trust_type_label"] = TRUST_TYPE_LABELS.get(row["trust_type"], row["trust_type"])
    return present + missing, filters, sort, direction


def league_headers(sort, direction):
    """The league table's column headers: aria-sort and the link that sorts by each (no JS needed)."""
    headers = []
    for key, label, sort_key, kind in LEAGUE_COLUMNS:
        current = sort == sort_key
        headers.append({
            "label": label, "sort": sort_key, "kind": kind, "key": key,
            "aria_sort": ("ascending" if direction == "asc" else "descending") if current else "none",
            "next_dir": "desc" if current and direction == "asc" else "asc",
        })
    return headers


def area_charts(period, year_rows, quarter_rows, *, multiples=False):
    reasons = selectors.reason_rows(year_rows)
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
        groups = selectors.group_totals(year_rows, "footprint_name")
        built.append(Chart(
            "footprints", f"Footprints, {period.scheme}",
            charts.small_multiples(groups, title=f"Earned, withheld and pending per quarter by footprint, {period.scheme}"),
            [("group", "Footprint", "text"), ("period", "Quarter", "text"), *MONEY_COLUMNS],
            groups, caption=f"Money per footprint and quarter, {period.scheme}",
            summary="Small multiples: one bar chart per footprint, earned, withheld and pending per quarter."))
    return built


def area_page(request, *, title, heading_kind, region=None, footprint=None, area=None):
    schemes = selectors.scheme_options()
    period = chosen_period(request, schemes)
    context = {"title": title, "heading_kind": heading_kind, "area": area, "schemes": schemes,
               "period": period, "quarters": [1, 2, 3, 4], "region_code": region, "footprint_code": footprint}
    if period is None:
        return render(request, "dashboard/area.html", context)
    year_rows = selectors.entitlement_rows(scheme=period.scheme, region=region, footprint=footprint)
    quarter_rows = [r for r in year_rows if r["quarter"] == period.quarter]
    league, filters, sort, direction = league_rows(quarter_rows, request.GET)
    failing, failing_periods = selectors.persistently_failing(period, region=region, footprint=footprint,
                                                              scheme_rows=year_rows)
    built = area_charts(period, year_rows, quarter_rows, multiples=region is not None)
    tables = {
        "league": Chart("league", "League table", {},
                        [("org_code", "Code", "text")] + [(k, label, kind) for k, label, _, kind in LEAGUE_COLUMNS],
                        league),
        "failing": Chart("failing", "Persistently failing", {},
                         [("trust_name", "Trust", "text"), ("org_code", "Code", "text"),
                          ("region_name", "Region", "text"), ("quarters_failed", "Quarters failed", "text"),
                          ("finance_failed", "Finance failed", "text"), ("ae_failed", "A&E failed", "text")],
                         failing),
    }
    if request.GET.get("format") == "csv":
        stem = "-".join(filter(None, ["stf", (area or {}).get("code", "national") if area else "national",
                                      period.scheme, f"q{period.quarter}"]))
        return csv_download(request, {**{c.name: c for c in built}, **tables}, stem)
    # An area page does not repeat its own region (or footprint) in every row.
    hidden = {"region_name"} if region else {"region_name", "footprint_name"} if footprint else set()
    shown_columns = [c for c in LEAGUE_COLUMNS if c[0] not in hidden]
    shown_keys = {c[0] for c in shown_columns}
    options = selectors.filter_options()
    if region:
        options["footprints"] = [f for f in options["footprints"] if f["region__code"] == region]
    context.update(
        headline=selectors.headline(quarter_rows),
        charts=built,
        league=league, league_total=len(quarter_rows),
        trust_url=reverse("trust-detail", args=["__CODE__"]) + f"?year={period.scheme}&quarter={period.quarter}", filters=filters, sort=sort, direction=direction,
        league_columns=[(key, label, kind) for key, label, _, kind in shown_columns],
        league_headers=[h for h in league_headers(sort, direction) if h["key"] in shown_keys], options=options, failing=failing, failing_periods=failing_periods,
        status_choices=[(s, charts.STATUS_STYLE[s]["label"]) for s in charts.STATUS_ORDER],
        filtered=any(filters.values()),
    )
    return render(request, "dashboard/area.html", context)


@login_required
def overview(request):
    return area_page(request, title="National overview", heading_kind="England")


@login_required
def region_detail(request, code):
    region = selectors.region(code)
    if region is None:
        raise Http404("No such region.")
    return area_page(request, title=region["name"], heading_kind="Region", region=code, area=region)


@login_required
def footprint_detail(request, code):
    footprint = selectors.footprint(code)
    if footprint is None:
        raise Http404("No such footprint.")
    return area_page(request, title=footprint["name"], heading_kind="STP footprint", footprint=code, area=footprint)


def area_index(request, *, kind):
    schemes = selectors.scheme_options()
    period = chosen_period(request, schemes)
    rows = selectors.entitlement_rows(scheme=period.scheme, quarter=period.quarter) if period else []
    if kind == "region":
        summary = selectors.area_summary(rows, code_key="region_code", name_key="region_name")
        known = selectors.regions()
    else:
        summary = selectors.area_summary([r for r in rows if r["footprint_code"]],
                                         code_key="footprint_code", name_key="footprint_name")
        known = selectors.footprints()
    by_code = {s["code"]: s for s in summary}
    areas = [{**area, **by_code.get(area["code"], {"trusts": 0})} for area in known]
    columns = [("name", "Region" if kind == "region" else "Footprint", "text"), ("code", "Code", "text")]
    if kind == "footprint":
        columns.append(("region__name", "Region", "text"))
    columns += [("trusts", "Trusts", "count"), *MONEY_COLUMNS]
    columns += [(f"n_{s}", charts.STATUS_STYLE[s]["label"], "count") for s in charts.STATUS_ORDER]
    table = Chart("areas", "Regions" if kind == "region" else "Footprints", {}, columns, areas)
    if request.GET.get("format") == "csv" and period:
        return csv_download(request, {"areas": table}, f"stf-{kind}s-{period.scheme}-q{period.quarter}")
    return render(request, "dashboard/area_index.html", {
        "kind": kind, "title": "Regions" if kind == "region" else "STP footprints", "schemes": schemes,
        "period": period, "quarters": [1, 2, 3, 4], "table": table,
        "detail_url": "region-detail" if kind == "region" else "footprint-detail",
    })


@login_required
def region_index(request):
    return area_index(request, kind="region")


@login_required
def footprint_index(request):
    return area_index(request, kind="footprint")


# --- Trust page -----------------------------------------------------------------------------

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


def parse_what_if(request, metrics):
    """The what-if form's overrides: {metric: Decimal percent} and a YTD actual, with errors."""
    performance, errors, actual = {}, [], None
    for metric in metrics:
        raw = request.GET.get(f"perf_{metric}", "").strip().rstrip("%")
        if not raw:
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors.append((f"perf_{metric}", f"{charts.METRIC_LABELS[metric]} must be a percentage, like 93.5."))
            continue
        if not value.is_finite() or not 0 <= value <= 100:
            errors.append((f"perf_{metric}", f"{charts.METRIC_LABELS[metric]} must be between 0 and 100."))
            continue
        performance[metric] = value
    raw = request.GET.get("actual_ytd", "").strip().replace(",", "").replace("£", "")
    if raw:
        try:
            actual = Decimal(raw)
            if not actual.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append(("actual_ytd", "The YTD actual must be an amount in pounds, like -1250000."))
            actual = None
    return performance, actual, errors


def run_what_if(*, trust, scheme, quarter, performance, actual_ytd):
    """The what-if record from the engine, or a message saying why there is none."""
    from finance.models import Scheme
    from finance.services import RecomputeError, what_if

    try:
        record = what_if(trust=trust, scheme=Scheme.objects.get(code=scheme), quarter=quarter,
                         performance=performance or None, actual_ytd=actual_ytd)
    except RecomputeError as error:
        return None, str(error)
    return record, ""


@login_required
def trust_detail(request, org_code):
    trust = selectors.trust_for_page(org_code)
    if trust is None:
        raise Http404("No such trust.")
    schemes = selectors.scheme_options()
    period = chosen_period(request, schemes)
    private = can_act_for(request.user, trust)
    context = {"trust": trust, "schemes": schemes, "period": period, "quarters": [1, 2, 3, 4],
               "private": private, "title": trust.name, "mergers": selectors.mergers(trust)}
    if period is None:
        return render(request, "dashboard/trust.html", context)
    scheme = next(s for s in schemes if s["code"] == period.scheme)
    all_rows = selectors.entitlement_rows(org_code=trust.org_code)
    year_rows = [r for r in all_rows if r["scheme"] == period.scheme]
    stored = next((r for r in year_rows if r["quarter"] == period.quarter), None)
    applicable = [m for m in scheme["applicability"].get(trust.trust_type, []) if m in charts.METRIC_LABELS]
    built = []

    steps = waterfall_rows(year_rows)
    built.append(Chart(
        "waterfall", f"From allocation to earned, {period.scheme}",
        charts.waterfall(steps, title=f"From allocation to earned, per quarter of {period.scheme}"),
        [("period", "Quarter", "text"), ("label", "Step", "text"), ("amount", "Amount", "money")], steps,
        caption=f"Allocation, money withheld by reason, pending and earned per quarter, {period.scheme}",
        summary="Waterfall chart per quarter: the allocation, less what was withheld and what is pending, gives what was earned."))

    allocation = selectors.trust_allocation(trust, scheme["id"])
    finance = [{"month": month_label(r["month"]), **{k: r[k] for k in ("plan_ytd", "actual_ytd", "forecast_outturn")},
                "variance": r["actual_ytd"] - r["plan_ytd"]} for r in selectors.finance_rows(trust, scheme["start_date"])]
    control_total = allocation.control_total if allocation else None
    # Monthly finance returns are the trust's own: its finance directors and analysts only.
    if private:
        built.append(Chart(
            "finance", f"Finance against plan, {period.scheme}",
            charts.finance_lines(finance, control_total=control_total,
                                 title=f"YTD plan and actual by month, {period.scheme} (excluding STF)"),
            [("month", "Month", "text"), ("plan_ytd", "YTD plan", "money"), ("actual_ytd", "YTD actual", "money"),
             ("variance", "Actual − plan", "money"), ("forecast_outturn", "Forecast outturn", "money")], finance,
            caption=f"Monthly finance returns, {period.scheme}",
            summary="Line chart of year-to-date plan and actual surplus or deficit by month, with the control total.",
            note=(f"Control total for the year: {money(control_total)}"
                  + ("" if allocation.control_total_accepted else " (not accepted)")) if allocation else
                 "No allocation or control total is recorded for this year."))

    series = selectors.performance_series(trust, scheme["start_date"])
    for metric in applicable:
        points = [{"month": month_label(p["month"]), "performance": p["performance"], "trajectory": p["trajectory"],
                   "numerator": p["numerator"], "denominator": p["denominator"]} for p in series.get(metric, [])]
        standard = Decimal(str(scheme["standards"].get(metric))) if metric in scheme["standards"] else None
        figure = charts.spc_chart(points, title=f"{charts.METRIC_LABELS[metric]}: monthly performance (SPC)",
                                  standard=standard)
        limits = spc.spc_limits([p["performance"] for p in points])
        for point, flag in zip(points, figure.pop("spc")["flags"]):
            point["special_cause"] = "Special cause" if flag else ""
        built.append(Chart(
            f"spc-{metric}", charts.METRIC_LABELS[metric], figure,
            [("month", "Month", "text"), ("numerator", "Within standard", "text"), ("denominator", "Total", "text"),
             ("performance", "Performance", "percent"), ("trajectory", "Trajectory", "percent"),
             ("special_cause", "Signal", "text")], points,
            caption=f"{charts.METRIC_LABELS[metric]} by month with trajectory; standard {standard}%",
            summary=f"SPC chart of {charts.METRIC_LABELS[metric]} by month with mean, process limits, trajectory and standard.",
            extra={"limits": limits}))

    what_if_record, what_if_message, what_if_errors = None, "", []
    uploads = selectors.upload_history(trust) if private else []
    finance_versions, performance_versions = (
        selectors.return_versions(trust, scheme["start_date"]) if private else ([], []))
    finance_versions = [version_row(v) for v in finance_versions]
    performance_versions = [version_row(v) for v in performance_versions]
    asked = "what_if" in request.GET
    if asked and not private:
        raise PermissionDenied("The what-if panel is for the trust's own finance directors and analysts.")
    if asked and stored is not None:
        performance, actual_ytd, what_if_errors = parse_what_if(request, applicable)
        if not what_if_errors:
            what_if_record, what_if_message = run_what_if(trust=trust, scheme=period.scheme, quarter=period.quarter,
                                                          performance=performance, actual_ytd=actual_ytd)
    if what_if_record is not None:
        versions = [
            {"version": f"Stored ({stored['status'].replace('_', ' ')})", "status": stored["status"],
             **{k: stored[k] for k in selectors.MONEY_FIELDS}},
            {"version": f"What-if ({what_if_record['status'].replace('_', ' ')})", "status": what_if_record["status"],
             **{k: Decimal(what_if_record[k]) for k in selectors.MONEY_FIELDS}},
        ]
        built.append(Chart(
            "what-if", f"What-if, {period.label}",
            charts.what_if_bars(versions, title=f"Stored result and what-if, {period.label}"),
            [("version", "Version", "text"), ("status", "Status", "status"), *MONEY_COLUMNS],
            versions, caption=f"Stored entitlement and the what-if, {period.label}",
            summary="Bar chart comparing the stored result with the what-if: earned, withheld and pending."))

    if request.GET.get("format") == "csv":
        tables = {c.name: c for c in built}
        if private:
            tables["uploads"] = Chart("uploads", "Uploads", {}, UPLOAD_COLUMNS, [upload_row(u) for u in uploads])
            tables["finance-versions"] = Chart("finance-versions", "Finance return versions", {},
                                               FINANCE_VERSION_COLUMNS, finance_versions)
            tables["performance-versions"] = Chart("performance-versions", "Performance return versions", {},
                                                   PERFORMANCE_VERSION_COLUMNS, performance_versions)
        elif request.GET.get("chart") in ("uploads", "finance-versions", "performance-versions"):
            raise PermissionDenied("Upload history is for the trust's own finance directors and analysts.")
        return csv_download(request, tables, f"stf-{trust.org_code}-{period.scheme}")

    context.update(
        scheme=scheme, stored=stored, year_rows=year_rows, charts=built,
        applicable=[(m, charts.METRIC_LABELS[m]) for m in applicable],
        stored_metrics={m["metric"]: m for m in (stored["metrics"] if stored else [])},
        allocation=allocation, uploads=[upload_row(u) for u in uploads], upload_columns=UPLOAD_COLUMNS,
        finance_versions=finance_versions, finance_version_columns=FINANCE_VERSION_COLUMNS,
        performance_versions=performance_versions, performance_version_columns=PERFORMANCE_VERSION_COLUMNS,
        what_if=what_if_record, what_if_message=what_if_message, what_if_errors=what_if_errors, what_if_asked=asked,
        form_values={"actual_ytd": request.GET.get("actual_ytd", "")},
        what_if_fields=[{"code": m, "label": charts.METRIC_LABELS[m], "value": request.GET.get(f"perf_{m}", ""),
                         "stored": next((x.get("performance") for x in (stored["metrics"] if stored else [])
                                         if x.get("metric") == m), None)} for m in applicable],
    )
    return render(request, "dashboard/trust.html", context)


UPLOAD_COLUMNS = [("uploaded_at", "Received", "text"), ("file_name", "File", "text"), ("kind", "Kind", "text"),
                  ("status", "Status", "text"), ("uploaded_by", "By", "text"), ("rows_new", "New rows", "text"),
                  ("rows_changed", "Changed rows", "text"), ("rows_unchanged", "Unchanged rows", "text")]


def upload_row(upload):
    return {
        "uploaded_at": upload.uploaded_at.strftime("%d %b %Y %H:%M"), "file_name": upload.file_name,
        "kind": upload.get_kind_display() or upload.kind, "status": upload.get_status_display(),
        "uploaded_by": upload.uploaded_by.get_username() if upload.uploaded_by else "",
        "rows_new": upload.rows_new, "rows_changed": upload.rows_changed, "rows_unchanged": upload.rows_unchanged,
    }


FINANCE_VERSION_COLUMNS = [("month", "Month", "text"), ("version", "Version", "text"), ("plan_ytd", "YTD plan", "money"),
                           ("actual_ytd", "YTD actual", "money"), ("forecast_outturn", "Forecast outturn", "money"),
                           ("file_name", "File", "text"), ("uploaded_at", "Received", "text"), ("uploaded_by", "By", "text")]
PERFORMANCE_VERSION_COLUMNS = [("month", "Month", "text"), ("metric", "Metric", "text"), ("version", "Version", "text"),
                               ("numerator", "Within standard", "text"), ("denominator", "Total", "text"),
                               ("performance", "Performance", "percent"), ("file_name", "File", "text"),
                               ("uploaded_at", "Received", "text"), ("uploaded_by", "By", "text")]


def version_row(row):
    """One version of a return, for the upload history tables (current or superseded in words)."""
    out = dict(row)
    out["month"] = month_label(row["month"])
    out["version"] = "Current" if row["is_current"] else "Superseded"
    out["uploaded_at"] = row["uploaded_at"].strftime("%d %b %Y %H:%M") if row.get("uploaded_at") else ""
    if "metric" in row:
        out["metric"] = charts.METRIC_LABELS.get(row["metric"], row["metric"])
        out["performance"] = (Decimal(row["numerator"]) * 100 / Decimal(row["denominator"])
                              if row.get("denominator") else None)
    return out
