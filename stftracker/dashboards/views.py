"""The dashboards: national overview, regions, footprints and trusts.

Every view is a GET that reads through ``selectors``, lays out through ``panels`` and ``tables``
and draws through the pure ``charts``; ``?format=csv&chart=<name>`` downloads the numbers behind
any chart or table of the page.
"""
import math

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from common.exports import csv_response
from common.throttles import UserRate
from finance import selectors as finance_selectors
from finance.eligibility import not_in_scheme_message
from performance.metrics import PAGE_NAMES
from trusts.roles import can_act_for, is_analyst

from . import charts, panels, selectors, tables, tidy, trends, year_end
from .chase import trust_due_rows
from .forms import WhatIfForm
from .tidy import Period


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

def area_page(request, *, title, heading_kind, region=None, footprint=None, area=None):
    schemes = selectors.scheme_options()
    period = chosen_period(request, schemes)
    context = {"title": title, "heading_kind": heading_kind, "area": area, "schemes": schemes,
               "period": period, "quarters": [1, 2, 3, 4], "region_code": region, "footprint_code": footprint}
    if period is None:
        return render(request, "dashboard/area.html", context)
    year_rows = selectors.entitlement_rows(scheme=period.scheme, region=region, footprint=footprint)
    quarter_rows = [r for r in year_rows if r["quarter"] == period.quarter]
    filters = {key: request.GET.get(key, "") for key in selectors.LEAGUE_FILTERS}
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.LEAGUE_SORTS else "trust"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    league = selectors.league(period, region=region, footprint=footprint, filters=filters, sort=sort,
                              descending=direction == "desc")
    failing, failing_periods = selectors.persistently_failing(period, region=region, footprint=footprint,
                                                              scheme_rows=year_rows)
    built = panels.area_charts(period, year_rows, quarter_rows, multiples=region is not None)
    if request.GET.get("format") == "csv":
        stem = "-".join(filter(None, ["stf", (area or {}).get("code", "national") if area else "national",
                                      period.scheme, f"q{period.quarter}"]))
        return csv_download(request, {**{c.name: c for c in built}, **tables.area_tables(league, failing)}, stem)
    # An area page does not repeat its own region (or footprint) in every row.
    hidden = {"region_name"} if region else {"region_name", "footprint_name"} if footprint else set()
    shown_columns = [c for c in tables.LEAGUE_COLUMNS if c[0] not in hidden]
    shown_keys = {c[0] for c in shown_columns}
    options = selectors.filter_options()
    if region:
        options["footprints"] = [f for f in options["footprints"] if f["region__code"] == region]
    earlier_scheme = trends.previous_scheme(schemes, period.scheme)
    earlier = selectors.period_totals(earlier_scheme, region=region, footprint=footprint) if earlier_scheme else {}
    context.update(
        headline=tidy.headline(quarter_rows),
        figures=trends.headline_figures(period, year_rows, earlier, earlier_scheme=earlier_scheme),
        charts=built,
        league=league, league_total=len(quarter_rows),
        trust_url=reverse("trust-detail", args=["__CODE__"]) + f"?year={period.scheme}&quarter={period.quarter}",
        filters=filters, sort=sort, direction=direction,
        league_columns=[(key, label, kind) for key, label, _, kind in shown_columns],
        league_headers=[h for h in tables.league_headers(sort, direction) if h["key"] in shown_keys],
        options=options, failing=failing, failing_periods=failing_periods,
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
        summary = tidy.area_summary(rows, code_key="region_code", name_key="region_name")
        known = selectors.regions()
    else:
        summary = tidy.area_summary([r for r in rows if r["footprint_code"]],
                                         code_key="footprint_code", name_key="footprint_name")
        known = selectors.footprints()
    by_code = {s["code"]: s for s in summary}
    table = tables.area_index_table(kind, [{**area, **by_code.get(area["code"], {"trusts": 0})} for area in known])
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
               "private": private, "title": trust.name, "mergers": selectors.mergers(trust),
               "stale": finance_selectors.staleness(trust=trust)}  # this trust's inputs, not the country's
    if period is None:
        return render(request, "dashboard/trust.html", context)
    asked = "what_if" in request.GET
    download = request.GET.get("format") == "csv"
    if asked and not private:
        raise PermissionDenied("The what-if panel is for the trust's own finance directors and analysts.")
    if download and request.GET.get("chart") in tables.PRIVATE_TABLES and not private:
        raise PermissionDenied("Upload history is for the trust's own finance directors and analysts.")

    scheme = next(s for s in schemes if s["code"] == period.scheme)
    all_rows = selectors.entitlement_rows(org_code=trust.org_code)  # every scheme's: the trends
    year_rows = [r for r in all_rows if r["scheme"] == period.scheme]
    trend_chart = trends.trust_trends(trust.name, schemes, all_rows)
    stored = next((r for r in year_rows if r["quarter"] == period.quarter), None)
    applicable = panels.applicable_metrics(scheme, trust)
    allocation = selectors.trust_allocation(trust, scheme["id"])
    built = panels.trust_charts(trust, scheme, period, year_rows, allocation=allocation, private=private)

    uploads, finance_versions, performance_versions = [], [], []
    if private:
        uploads = [tables.upload_row(u) for u in selectors.upload_history(trust, request.user)]
        finance_versions, performance_versions = (
            [tables.version_row(v) for v in versions]
            for versions in selectors.return_versions(trust, scheme["start_date"]))
    what_if_record, what_if_message, what_if_errors, retry_after = None, "", [], None
    if asked and stored is not None:
        form = WhatIfForm(request.GET, metrics=applicable)
        what_if_errors = form.error_list()
        if not what_if_errors:  # each what-if runs the engine: a user has WHAT_IF_THROTTLE_RATE of them
            retry_after = UserRate("what_if", settings.WHAT_IF_THROTTLE_RATE).wait_seconds(request)
            if retry_after is not None:
                what_if_message = (f"You have run the what-if as often as allowed ({settings.WHAT_IF_THROTTLE_RATE}). "
                                   f"Please try again in {math.ceil(retry_after / 60)} minute(s).")
            else:
                what_if_record, what_if_message = run_what_if(
                    trust=trust, scheme=period.scheme, quarter=period.quarter,
                    performance=form.performance, actual_ytd=form.actual_ytd)
    if what_if_record is not None:
        built.append(panels.what_if_chart(period, stored, what_if_record))

    if download:
        downloads = {c.name: c for c in built}
        downloads[trend_chart.name] = trend_chart
        if private:
            downloads.update(tables.private_tables(uploads, finance_versions, performance_versions))
        return csv_download(request, downloads, f"stf-{trust.org_code}-{period.scheme}")

    stored_metrics = stored["metrics"] if stored else []
    in_scheme = allocation is not None and allocation.stf_allocation > 0
    earlier_scheme = trends.previous_scheme(schemes, period.scheme)
    context.update(
        figures=trends.headline_figures(
            period, year_rows, trends.quarter_totals([r for r in all_rows if r["scheme"] == earlier_scheme]),
            earlier_scheme=earlier_scheme),
        trend_chart=trend_chart, ranks=trends.ranks(selectors.rank_rows(period), trust.org_code),
        due_rows=trust_due_rows(trust, period, private=private),
        scheme=scheme, stored=stored, year_rows=year_rows, charts=built,
        tests_table=tables.quarter_tests(stored) if stored else [],
        not_in_scheme=None if in_scheme else not_in_scheme_message(
            period.scheme, allocation.stf_allocation if allocation else None),
        applicable=[(m, PAGE_NAMES[m]) for m in applicable],
        stored_metrics={m["metric"]: m for m in stored_metrics},
        may_reopen=is_analyst(request.user) and stored is not None and stored["status"] != "pending",
        allocation=allocation, uploads=uploads, upload_columns=tables.UPLOAD_COLUMNS,
        finance_versions=finance_versions, finance_version_columns=tables.FINANCE_VERSION_COLUMNS,
        performance_versions=performance_versions, performance_version_columns=tables.PERFORMANCE_VERSION_COLUMNS,
        what_if=what_if_record, what_if_message=what_if_message, what_if_errors=what_if_errors, what_if_asked=asked,
        form_values={"actual_ytd": request.GET.get("actual_ytd", "")},
        year_end=year_end.trust_year_end(trust, period.scheme) if in_scheme else None,
        what_if_fields=[{"code": m, "label": PAGE_NAMES[m], "value": request.GET.get(f"perf_{m}", ""),
                         "stored": next((x.get("performance") for x in stored_metrics if x.get("metric") == m), None)}
                        for m in applicable],
    )
    response = render(request, "dashboard/trust.html", context, status=200 if retry_after is None else 429)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
