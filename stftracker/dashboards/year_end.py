"""The year-end page (``/year-end/?year=``) and the year-end line of a trust's page.

The page is part of the national published view, like the overview, the regions and the
footprints: every logged-in user, finance directors included, sees every trust's line (the
figures a year end names, the year-end actual against the control total, are published with the
quarters' eligibility records). A finance director also sees their own trust's line on its page.

Reads go through :func:`finance.year_end_records.year_end_overview` (a constant handful of queries,
whatever the number of trusts); ``?format=csv`` downloads the trusts' records, ``&table=regions``
or ``&table=footprints`` the totals.
"""
import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from common.exports import table_csv_response
from common.months import month_label
from finance import selectors as finance_selectors
from finance.models import Scheme, YearEndAward
from finance.year_end_records import award_record, wait_records, year_end_overview
from performance.metrics import REASON_NAMES

# The per-trust table: (key, heading, kind); kind "money" sorts as a number.
TRUST_COLUMNS = [
    ("trust_name", "Trust", "text"), ("region", "Region", "text"), ("footprint", "Footprint", "text"),
    ("eligible", "Eligible", "text"), ("incentive", "Incentive", "money"), ("bonus", "Bonus", "money"),
    ("general_distribution", "Distribution", "money"), ("total", "Total", "money"),
]
SORTS = {key for key, _, _ in TRUST_COLUMNS}
# The CSV downloads, written by common.exports as the page shows them: (key, heading, kind).
TRUST_CSV_COLUMNS = [("org_code", "Code", "text"), ("trust_name", "Trust", "text"), ("region", "Region", "text"),
                     ("footprint", "Footprint", "text"), ("year", "Year", "text"), ("method", "Method", "text"),
                     ("eligible", "Eligible", "text"), ("incentive", "Incentive", "money"), ("bonus", "Bonus", "money"),
                     ("general_distribution", "Distribution", "money"), ("total", "Total", "money"),
                     ("reasons", "Reasons", "list")]


def area_csv_columns(kind):
    return [("name", kind, "text"), ("code", "Code", "text"), ("trusts", "Trusts", "count"),
            ("eligible", "Eligible", "count"), ("incentive", "Incentive", "money"), ("bonus", "Bonus", "money"),
            ("general_distribution", "Distribution", "money"), ("total", "Total", "money")]



AWARD_MONEY = ("incentive", "bonus", "general_distribution", "total")
NATIONAL_ROWS = [
    ("pot", "Pot"), ("allocations", "Allocations"), ("unallocated", "Unallocated (pot − allocations)"),
    ("withheld", "Withheld in the year"), ("pool", "Pool (unallocated + withheld)"),
    ("earned", "Earned in the quarters"), ("pending", "Pending"), ("incentives", "Incentives"),
    ("bonus", "Bonus"), ("general_distribution", "General distribution"), ("awarded", "Awarded at the year end"),
    ("unawarded", "Not awarded (pool − awarded)"),
]


def chosen_scheme(request):
    """The scheme asked for (``?year=``), else the latest with a stored year end, else the latest."""
    schemes = list(Scheme.objects.order_by("start_date"))
    by_code = {s.code: s for s in schemes}
    asked = request.GET.get("year")
    if asked:
        if asked not in by_code:
            raise Http404("No such scheme.")
        return by_code[asked], schemes
    latest = (YearEndAward.objects.order_by("-scheme__start_date").values_list("scheme__code", flat=True).first())
    return (by_code.get(latest) or (schemes[-1] if schemes else None)), schemes


def award_row(award):
    record = award_record(award)
    trust = award.trust
    return {
        **record,
        "region": trust.region.name if trust.region_id else "",
        "region_code": trust.region.code if trust.region_id else "",
        "footprint": trust.footprint.name if trust.footprint_id else "",
        "footprint_code": trust.footprint.code if trust.footprint_id else "",
        "eligible": "Yes" if award.eligible else "No",
        **{name: getattr(award, name) for name in AWARD_MONEY},
    }


def area_totals(rows, code_key, name_key):
    """Totals per region or footprint, by name; the trusts in none (ambulance trusts have no
    footprint) in a last row named "No footprint" (or "No region"), so the rows add up to the nation."""
    totals = defaultdict(lambda: {"trusts": 0, "eligible": 0, **{name: Decimal("0.00") for name in AWARD_MONEY}})
    for row in rows:
        area = totals[(row[name_key], row[code_key])]
        area["trusts"] += 1
        area["eligible"] += row["eligible"] == "Yes"
        for name in AWARD_MONEY:
            area[name] += row[name]
    named = [{"code": code, "name": name, **figures} for (name, code), figures in sorted(totals.items()) if code]
    nowhere = [{"code": "", "name": f"No {name_key}", **figures} for (_, code), figures in totals.items() if not code]
    return named + nowhere


def sorted_rows(rows, sort, descending):
    kind = next(k for key, _, k in TRUST_COLUMNS if key == sort)
    key = (lambda r: r[sort]) if kind == "money" else (lambda r: (r[sort] or "").lower())
    ordered = sorted(rows, key=lambda r: r["org_code"])
    return sorted(ordered, key=key, reverse=descending)


def headers(sort, direction):
    return [{
        "key": key, "label": label, "kind": kind,
        "aria_sort": ("ascending" if direction == "asc" else "descending") if key == sort else "none",
        "next_dir": "desc" if key == sort and direction == "asc" else "asc",
    } for key, label, kind in TRUST_COLUMNS]


def wait_rows(overview):
    """The waits for the page: each trust and the months of each return, written as months."""
    rows = []
    for record in wait_records(overview):
        awaited = [(("Finance" if kind == "finance" else REASON_NAMES.get(kind, kind)),
                    ", ".join(month_label(_month(m)) for m in months)) for kind, months in record["missing"].items()]
        rows.append({**record, "awaited": awaited, "pending_money": Decimal(record["pending"])})
    return rows


def _month(text):
    return datetime.datetime.strptime(text, "%Y-%m").date()


@login_required
@require_GET
def year_end_page(request):
    scheme, schemes = chosen_scheme(request)
    context = {"title": "Year end", "schemes": schemes, "scheme": scheme}
    if scheme is None:
        return render(request, "dashboard/year_end.html", context)
    overview = year_end_overview(scheme)
    rows = [award_row(award) for award in overview.awards]
    regions = area_totals(rows, "region_code", "region")
    footprints = area_totals(rows, "footprint_code", "footprint")
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", "trusts")
        if table == "regions":
            return table_csv_response(f"stf-year-end-{scheme.code}-regions.csv", regions, area_csv_columns("Region"))
        if table == "footprints":
            return table_csv_response(f"stf-year-end-{scheme.code}-footprints.csv", footprints,
                                      area_csv_columns("Footprint"))
        if table != "trusts":
            raise Http404("No such table on this page.")
        return table_csv_response(f"stf-year-end-{scheme.code}.csv", rows, TRUST_CSV_COLUMNS,
                                  words={"method": {scheme.year_end_method: overview.method_label}})
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "trust_name"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    national = overview.outcome.national
    context.update(
        overview=overview, outcome=overview.outcome, method_label=overview.method_label,
        rows=sorted_rows(rows, sort, direction == "desc"), headers=headers(sort, direction), columns=TRUST_COLUMNS,
        regions=regions, footprints=footprints, waits=wait_rows(overview),
        national=national, national_rows=[(label, national.get(key), key) for key, label in NATIONAL_ROWS],
        stale=finance_selectors.staleness(year=scheme.code),
    )
    return render(request, "dashboard/year_end.html", context)


def trust_year_end(trust, scheme_code):
    """The year-end line of a trust's page for the scheme ``scheme_code``: the scheme's state and
    message, the trust's stored award when decided, or the months of the returns it waits for.
    None when the scheme is unknown. A constant handful of queries."""
    scheme = Scheme.objects.filter(code=scheme_code).first()
    if scheme is None:
        return None
    overview = year_end_overview(scheme, trust=trust)
    award = overview.awards[0] if overview.awards else None
    own_wait = next((row for row in wait_rows(overview) if row["org_code"] == trust.org_code), None)
    return {
        "scheme": scheme, "state": overview.outcome.state, "message": overview.outcome.message,
        "method": scheme.year_end_method, "method_label": overview.method_label,
        "award": award, "reasons": (award.detail or {}).get("reasons", []) if award else [],
        "wait": own_wait, "waiting_trusts": len(overview.outcome.waits),
    }
