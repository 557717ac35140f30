"""The chase list page, ``/returns/outstanding/?year=&quarter=``: the returns outstanding and late
in a quarter, with the money they hold pending (``finance.chase``), and the due dates on a trust's page.

Analysts see every trust in the scheme; anyone else the trusts they direct (none without a role).
Filters ``kind``, ``state``, ``region``; ``sort`` and ``dir`` order the table (a script sorts it
in place too); ``?format=csv`` downloads the rows shown.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from common.exports import table_csv_response
from common.months import month_label
from finance import chase
from finance.models import Scheme
from performance.metrics import PAGE_NAMES
from performance.models import METRIC_CODES
from trusts.models import Region
from trusts.roles import directed_trust_ids, is_analyst

from .tidy import Period

KIND_NAMES = {chase.FINANCE: "Finance return", **PAGE_NAMES}
# The CSV download: (key, heading, kind) as common.exports writes them; returns and states in words.
CSV_COLUMNS = [("org_code", "Code", "text"), ("trust_name", "Trust", "text"), ("region", "Region", "text"),
               ("kind", "Return", "text"), ("month", "Month", "month"), ("due", "Due", "date"),
               ("state", "State", "text"), ("days_late", "Days late", "count"),
               ("pending_money", "Pending money", "money")]
CSV_WORDS = {"kind": KIND_NAMES, "state": chase.STATE_LABELS}
# (key, label, kind for the script's sort, how a row sorts by it)
COLUMNS = [
    ("trust", "Trust", "text", lambda r: (r.trust_name.lower(), r.org_code)),
    ("region", "Region", "text", lambda r: r.region_name.lower()),
    ("kind", "Return", "text", lambda r: KIND_NAMES.get(r.kind, r.kind).lower()),
    ("month", "Month", "text", lambda r: r.month),
    ("due", "Due", "text", lambda r: r.due),
    ("state", "State", "text", lambda r: r.state),
    ("days_late", "Days late", "number", lambda r: r.days_late),
    ("pending_money", "Pending money", "money", lambda r: r.pending_money),
]
SORTS = {key: order for key, _, _, order in COLUMNS}


def visible_trust_ids(user):
    """None (every trust) for analysts; else the trusts the user directs."""
    return None if is_analyst(user) else sorted(directed_trust_ids(user))


def chosen_quarter(request):
    """(scheme, quarter) asked for, else the latest quarter with anything due; None without schemes."""
    schemes = {scheme.code: scheme for scheme in Scheme.objects.order_by("start_date").only("code", "start_date", "applicability", "returns_due")}
    default = chase.default_period()
    year = request.GET.get("year")
    if year not in schemes:
        year = default[0] if default else next(reversed(schemes), None)
    if year is None:
        return None, []
    try:
        quarter = int(request.GET.get("quarter", ""))
    except ValueError:
        quarter = None
    if quarter not in (1, 2, 3, 4):
        quarter = default[1] if default and default[0] == year else 1
    return (schemes[year], quarter), [{"code": code} for code in schemes]


def csv_row(item):
    return {"org_code": item.org_code, "trust_name": item.trust_name, "region": item.region_name, "kind": item.kind,
            "month": item.month, "due": item.due, "state": item.state, "days_late": item.days_late,
            "pending_money": item.pending_money}


@login_required
@require_safe
def outstanding(request):
    chosen, schemes = chosen_quarter(request)
    context = {"title": "Returns outstanding", "schemes": schemes, "quarters": [1, 2, 3, 4]}
    if chosen is None:
        raise Http404("No scheme is set up yet.")
    scheme, quarter = chosen
    everything = chase.chase_list(scheme, quarter, trust_ids=visible_trust_ids(request.user))
    filters = {key: request.GET.get(key, "") for key in ("kind", "state", "region")}
    shown = everything.filtered(**filters)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "due"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    items = sorted(shown.items, key=lambda r: (r.org_code, r.kind, r.month))
    items.sort(key=SORTS[sort], reverse=direction == "desc")
    if request.GET.get("format") == "csv":
        return table_csv_response(f"stf-returns-outstanding-{scheme.code}-q{quarter}.csv",
                                  [csv_row(i) for i in items], CSV_COLUMNS, words=CSV_WORDS)
    context.update(
        scheme=scheme, quarter=quarter, chase=shown, total=len(everything.items), items=[
            {"item": i, "kind_name": KIND_NAMES.get(i.kind, i.kind), "month_label": month_label(i.month),
             "trust_url": reverse("trust-detail", args=[i.org_code]) + f"?year={scheme.code}&quarter={quarter}"}
            for i in items],
        filters=filters, filtered=any(filters.values()), sort=sort, direction=direction,
        headers=[{"key": key, "label": label, "kind": kind,
                  "aria_sort": ("descending" if direction == "desc" else "ascending") if key == sort else "none",
                  "next_dir": "desc" if key == sort and direction == "asc" else "asc"}
                 for key, label, kind, _ in COLUMNS],
        kind_options=[(k, KIND_NAMES[k]) for k in (chase.FINANCE, *METRIC_CODES)],
        state_options=[(s, chase.STATE_LABELS[s]) for s in chase.STATES],
        region_options=list(Region.objects.order_by("name").values_list("code", "name")),
        period=Period(scheme.code, scheme.start_date, quarter), period_label=f"Q{quarter} {scheme.code}",
    )
    return render(request, "dashboard/chase.html", context)


def trust_due_rows(trust, period, *, private):
    """The trust page's due dates of the quarter shown (for its own finance directors and analysts):
    rows of kind, month, due and state; an empty list for anyone else or without a period."""
    if not private or period is None:
        return []
    return [{"item": item, "kind_name": KIND_NAMES.get(item.kind, item.kind), "month_label": month_label(item.month)}
            for item in chase.trust_due_dates(trust, period.scheme, period.quarter)]
