"""Reads for the dashboards: a few queries per page, whatever the number of trusts.

Entitlements are read with one ``values()`` query (trust, region, footprint and scheme joined)
and flattened into tidy rows; everything else on a page (headline figures, reasons, league
table, small multiples) is computed from those rows in Python by the pure helpers below.
"""
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q

from common.months import month_range
from finance.models import Allocation, Entitlement, FinanceReturn, RecomputeRun, Scheme
from performance.models import PerformanceReturn, Trajectory
from trusts.models import Footprint, Region, Succession, Trust, TrustType, Upload
from trusts.successions import predecessor_cutoffs

from .charts import METRIC_LABELS, REASON_LABELS, STATUS_ORDER

ZERO = Decimal("0.00")
MONEY_FIELDS = ("allocation", "earned", "withheld", "pending")

ENTITLEMENT_VALUES = (
    "trust__org_code", "trust__name", "trust__trust_type", "trust__region__code", "trust__region__name",
    "trust__footprint__code", "trust__footprint__name", "scheme__code", "scheme__start_date", "quarter",
    "status", "allocation", "earned", "withheld", "pending", "finance_met", "detail", "computed_at",
)


@dataclass(frozen=True)
class Period:
    """A scheme's quarter: what the pages' ``year`` and ``quarter`` parameters choose."""

    scheme: str
    start_date: datetime.date
    quarter: int

    @property
    def label(self):
        return f"{self.scheme} Q{self.quarter}"

    @property
    def key(self):
        return (self.start_date, self.quarter)


def _decimal(value):
    if value is None or value == "":
        return None
    return Decimal(str(value))


# --- Pure helpers on tidy rows --------------------------------------------------------------

def flatten(values_row):
    """One ``values()`` row of Entitlement as a flat tidy row (pure)."""
    detail = values_row.get("detail") or {}
    finance = detail.get("finance") or {}
    metrics = {m.get("metric"): m for m in detail.get("metrics") or [] if isinstance(m, dict)}
    ytd_plan, ytd_actual = _decimal(finance.get("ytd_plan")), _decimal(finance.get("ytd_actual"))
    ae = metrics.get("ae") or {}
    row = {
        "org_code": values_row["trust__org_code"],
        "trust_name": values_row["trust__name"],
        "trust_type": values_row["trust__trust_type"],
        "region_code": values_row["trust__region__code"],
        "region_name": values_row["trust__region__name"],
        "footprint_code": values_row["trust__footprint__code"] or "",
        "footprint_name": values_row["trust__footprint__name"] or "",
        "scheme": values_row["scheme__code"],
        "period": Period(values_row["scheme__code"], values_row["scheme__start_date"], values_row["quarter"]),
        "quarter": values_row["quarter"],
        "status": values_row["status"],
        "finance_met": values_row["finance_met"],
        "ytd_plan": ytd_plan,
        "ytd_actual": ytd_actual,
        "variance": None if ytd_plan is None or ytd_actual is None else ytd_actual - ytd_plan,
        "ae_applicable": bool(ae.get("applicable")),
        "ae_performance": _decimal(ae.get("performance")) if ae.get("applicable") else None,
        "ae_met": ae.get("met") if ae.get("applicable") else None,
        "metrics": [m for m in detail.get("metrics") or [] if isinstance(m, dict)],
        "finance": finance,
        "reasons": list(detail.get("reasons") or []),
        "computed_at": values_row["computed_at"],
    }
    for field in MONEY_FIELDS:
        row[field] = values_row[field]
    row["withheld_by_reason"] = withheld_reasons(row)
    return row


def withheld_reasons(row):
    """Why the money of one trust-quarter was withheld: {reason: Decimal}, reasons as in
    ``charts.REASON_LABELS``. The whole quarter for no control total or a failed finance test;
    otherwise each applicable metric that was missed; anything left over is ``other``."""
    withheld = row["withheld"]
    if not withheld:
        return {}
    if row["status"] == "no_control_total":
        return {"no_control_total": withheld}
    if row["status"] == "finance_failed":
        return {"finance": withheld}
    reasons, explained = {}, ZERO
    for metric in row["metrics"]:
        if metric.get("applicable") and metric.get("met") is False and metric.get("metric") in REASON_LABELS:
            amount = _decimal(metric.get("element")) or ZERO
            reasons[metric["metric"]] = reasons.get(metric["metric"], ZERO) + amount
            explained += amount
    if withheld - explained:
        reasons["other"] = withheld - explained
    return reasons


def headline(rows):
    """Totals of a set of trust-quarters: money, withheld by reason, trusts by status (pure)."""
    totals = {field: sum((r[field] for r in rows), ZERO) for field in MONEY_FIELDS}
    reasons = defaultdict(lambda: ZERO)
    for row in rows:
        for reason, amount in row["withheld_by_reason"].items():
            reasons[reason] += amount
    statuses = Counter(r["status"] for r in rows)
    return {
        **totals,
        "trusts": len(rows),
        "withheld_by_reason": [(reason, REASON_LABELS[reason], reasons[reason]) for reason in REASON_LABELS
                               if reason in reasons],
        "by_status": [(status, statuses.get(status, 0)) for status in STATUS_ORDER],
    }


def reason_rows(rows):
    """Tidy {period, measure, amount} per quarter for ``charts.reason_bars`` (pure)."""
    sums = defaultdict(lambda: ZERO)
    periods = sorted({r["period"] for r in rows}, key=lambda p: p.key)
    for row in rows:
        label = row["period"].label
        sums[(label, "earned")] += row["earned"]
        sums[(label, "pending")] += row["pending"]
        for reason, amount in row["withheld_by_reason"].items():
            sums[(label, f"withheld_{reason}")] += amount
    measures = ["earned"] + [f"withheld_{r}" for r in REASON_LABELS] + ["pending"]
    return [
        {"period": period.label, "measure": measure, "amount": sums[(period.label, measure)]}
        for period in periods for measure in measures if (period.label, measure) in sums
    ]


def group_totals(rows, key):
    """Money per group (``key`` a row field, e.g. footprint_name) and period, for small multiples."""
    sums = {}
    for row in sorted(rows, key=lambda r: (not r[key], r[key] or "", r["period"].key)):  # "No footprint" last
        group = row[key] or "No footprint"
        entry = sums.setdefault((group, row["period"].label),
                                {"group": group, "period": row["period"].label, "earned": ZERO,
                                 "withheld": ZERO, "pending": ZERO, "allocation": ZERO})
        for field in MONEY_FIELDS:
            entry[field] += row[field]
    return list(sums.values())


def area_summary(rows, *, code_key, name_key):
    """One row per area (region or footprint): trusts, money, and ``n_<status>`` trusts by status (pure)."""
    areas = {}
    for row in rows:
        entry = areas.setdefault(row[code_key], {"code": row[code_key], "name": row[name_key], "trusts": 0,
                                                 **{f: ZERO for f in MONEY_FIELDS},
                                                 **{f"n_{s}": 0 for s in STATUS_ORDER}})
        entry["trusts"] += 1
        entry[f"n_{row['status']}"] += 1
        for field in MONEY_FIELDS:
            entry[field] += row[field]
    return sorted(areas.values(), key=lambda a: a["name"])


def failing_trusts(rows, *, periods, threshold=3):
    """Trusts that failed the finance test or A&E in at least ``threshold`` of ``periods`` (pure)."""
    wanted = {p.key for p in periods}
    by_trust = {}
    for row in rows:
        if row["period"].key not in wanted:
            continue
        entry = by_trust.setdefault(row["org_code"], {"org_code": row["org_code"], "trust_name": row["trust_name"],
                                                      "region_name": row["region_name"], "failed": {},
                                                      "finance_failed": 0, "ae_failed": 0})
        finance = row["status"] == "finance_failed"
        ae = row["ae_met"] is False
        entry["finance_failed"] += finance
        entry["ae_failed"] += ae
        if finance or ae:
            entry["failed"][row["period"].label] = " and ".join(
                word for word, failed in (("finance", finance), ("A&E", ae)) if failed)
    failing = [e for e in by_trust.values() if len(e["failed"]) >= threshold]
    for entry in failing:
        entry["quarters_failed"] = len(entry["failed"])
        entry["periods"] = [(p.label, entry["failed"].get(p.label, "")) for p in periods]
    return sorted(failing, key=lambda e: (-e["quarters_failed"], e["trust_name"]))


# --- Queries --------------------------------------------------------------------------------

def scheme_options():
    """Schemes (year choices), oldest first: one query."""
    return list(Scheme.objects.order_by("start_date").values("id", "code", "name", "start_date", "standards", "applicability"))


def latest_decided_period():
    """The default view: the latest scheme and quarter in which most trust-quarters are decided
    (not pending); else the latest with any decided result; else the latest with any result.
    One query (a count per period, however many trusts)."""
    periods = (Entitlement.objects.values("scheme__code", "scheme__start_date", "quarter")
               .annotate(total=Count("id"), decided=Count("id", filter=~Q(status="pending")))
               .order_by("-scheme__start_date", "-quarter"))
    periods = list(periods)
    for wanted in (lambda p: p["decided"] * 2 >= p["total"], lambda p: p["decided"] > 0, lambda p: True):
        found = next((p for p in periods if wanted(p)), None)
        if found:
            return Period(found["scheme__code"], found["scheme__start_date"], found["quarter"])
    return None


def area_filter(*, region=None, footprint=None, org_code=None):
    q = Q()
    if region:
        q &= Q(trust__region__code=region)
    if footprint:
        q &= Q(trust__footprint__code=footprint)
    if org_code:
        q &= Q(trust__org_code=org_code)
    return q


def entitlement_rows(*, scheme=None, quarter=None, periods=None, region=None, footprint=None, org_code=None):
    """Tidy rows of entitlements (one query), ordered by period then trust name."""
    queryset = Entitlement.objects.filter(area_filter(region=region, footprint=footprint, org_code=org_code))
    if scheme:
        queryset = queryset.filter(scheme__code=scheme)
    if quarter:
        queryset = queryset.filter(quarter=quarter)
    if periods is not None:
        wanted = Q(pk__in=[])
        for period in periods:
            wanted |= Q(scheme__code=period.scheme, quarter=period.quarter)
        queryset = queryset.filter(wanted)
    queryset = queryset.order_by("scheme__start_date", "quarter", "trust__name").values(*ENTITLEMENT_VALUES)
    return [flatten(row) for row in queryset]


def recent_periods(period, *, count=4):
    """The ``count`` latest periods with results, up to and including ``period``: one query."""
    found = (Entitlement.objects.filter(scheme__start_date__lte=period.start_date)
             .values_list("scheme__code", "scheme__start_date", "quarter").distinct()
             .order_by("-scheme__start_date", "-quarter"))
    periods = [Period(*row) for row in found]
    return sorted([p for p in periods if p.key <= period.key], key=lambda p: p.key)[-count:]


def persistently_failing(period, *, region=None, footprint=None, threshold=3, window=4, scheme_rows=None):
    """Trusts failing finance or A&E in ``threshold`` of the last ``window`` quarters (across
    schemes), and those quarters: one or two queries. ``scheme_rows``: the rows of the period's
    scheme (same area) when the caller has them already; only earlier schemes are then read."""
    periods = recent_periods(period, count=window)
    if scheme_rows is None:
        rows = entitlement_rows(periods=periods, region=region, footprint=footprint) if periods else []
    else:
        earlier = [p for p in periods if p.scheme != period.scheme]
        rows = list(scheme_rows)
        if earlier:
            rows += entitlement_rows(periods=earlier, region=region, footprint=footprint)
    return failing_trusts(rows, periods=periods, threshold=threshold), periods


def region(code):
    """{code, name} of a region, or None."""
    return Region.objects.filter(code=code).values("code", "name").first()


def footprint(code):
    """{code, name, region__code, region__name} of a footprint, or None."""
    return Footprint.objects.filter(code=code).values("code", "name", "region__code", "region__name").first()


def regions():
    return list(Region.objects.order_by("name").values("code", "name"))


def footprints():
    return list(Footprint.objects.order_by("name").values("code", "name", "region__code", "region__name"))


def filter_options():
    """Regions, footprints and trust types for the league table's filters: two queries."""
    return {
        "regions": list(Region.objects.order_by("name").values("code", "name")),
        "footprints": list(Footprint.objects.order_by("name").values("code", "name", "region__code")),
        "trust_types": list(TrustType.choices),
        "statuses": STATUS_ORDER,
    }


def latest_run():
    """The latest recompute request, whatever its state: one query."""
    return RecomputeRun.objects.order_by("-created_at", "-id").first()


DEMO_DATA_SETS = {  # what each demo data set holds, as the banner names it
    "trusts": "trusts, regions and STP footprints",
    "ae_tidy": "A&E attendances and 4-hour breaches",
    "plans": "allocations and control totals",
    "finance": "monthly finance returns",
    "performance": "RTT and cancer 62-day returns",
    "trajectories": "trajectories",
}


def demo_data():
    """None unless the national data set is the demo's; then which of its data sets are published
    statistics and which are simulated, for every page to say so (one query)."""
    order = list(DEMO_DATA_SETS)
    rows = sorted(Upload.objects.filter(source="demo").values_list("kind", "notes"),
                  key=lambda row: order.index(row[0]) if row[0] in order else len(order))
    if not rows:
        return None
    published, simulated, gaps = [], [], []
    for kind, notes in rows:
        label = DEMO_DATA_SETS.get(kind, kind)
        if kind == "performance" and not any(k == "ae_tidy" for k, _ in rows):
            label = "A&E, RTT and cancer 62-day returns"
        target = published if notes.get("provenance") == "published" else simulated
        if label not in target:
            target.append(label)
        gaps += notes.get("simulated_ae_months", [])
    return {"published": published, "simulated": simulated, "ae_gaps": sorted(set(gaps))}


def data_as_at():
    """When the published figures were last computed (one aggregate query)."""
    return Entitlement.objects.aggregate(at=Max("computed_at"))["at"]


# --- The trust page -------------------------------------------------------------------------

def trust_allocation(trust, scheme_id):
    return Allocation.objects.filter(trust=trust, scheme_id=scheme_id).first()


def finance_rows(trust, start_date):
    """The trust's current monthly finance returns within the financial year from ``start_date``."""
    end = month_range(start_date, 13)[-1]
    return list(FinanceReturn.objects.current().filter(trust=trust, month__gte=start_date, month__lt=end)
                .order_by("month").values("month", "plan_ytd", "actual_ytd", "forecast_outturn"))


def performance_series(trust, start_date, *, history_months=12):
    """Monthly performance and trajectory per metric, for the financial year from ``start_date``
    and the ``history_months`` before it (the SPC baseline), predecessors' months included: three queries.
    Returns {metric: [{month, numerator, denominator, performance, trajectory}]}."""
    first = month_range(start_date, 1)[0]
    first = datetime.date(first.year - history_months // 12, first.month, 1)
    end = month_range(start_date, 13)[-1]
    # A successor's series includes its predecessors' months before the merger (as the engine does).
    until = dict(predecessor_cutoffs().get(trust.pk, []))
    summed = {}
    for row in (PerformanceReturn.objects.current()
                .filter(trust_id__in=[trust.pk, *until], month__gte=first, month__lt=end)
                .values("trust_id", "month", "metric", "numerator", "denominator")):
        if row["trust_id"] != trust.pk and row["month"] >= until[row["trust_id"]]:
            continue
        key = (row["metric"], row["month"])
        total = summed.setdefault(key, {"month": row["month"], "metric": row["metric"], "numerator": 0, "denominator": 0})
        total["numerator"] += row["numerator"]
        total["denominator"] += row["denominator"]
    returns = summed.values()
    trajectories = {(t["metric"], t["month"]): t["percent"] for t in
                    Trajectory.objects.current().filter(trust=trust, month__gte=first, month__lt=end)
                    .values("month", "metric", "percent")}
    series = defaultdict(dict)
    for row in returns:
        performance = (Decimal(row["numerator"]) * 100 / Decimal(row["denominator"])) if row["denominator"] else None
        series[row["metric"]][row["month"]] = {**row, "performance": performance,
                                               "trajectory": trajectories.get((row["metric"], row["month"]))}
    for (metric, month), percent in trajectories.items():
        series[metric].setdefault(month, {"month": month, "metric": metric, "numerator": None,
                                          "denominator": None, "performance": None, "trajectory": percent})
    return {metric: [months[m] for m in sorted(months)] for metric, months in series.items()
            if metric in METRIC_LABELS}


def upload_history(trust, *, limit=50):
    """Uploads that touched the trust, newest first, with who sent them: one query."""
    return list(Upload.objects.filter(trusts=trust).select_related("uploaded_by")
                .order_by("-uploaded_at", "-id")[:limit])


def trust_for_page(org_code):
    return Trust.objects.select_related("region", "footprint").filter(org_code=org_code).first()


def mergers(trust):
    """The trusts this one took over (with the dates) and the trust that took it over: two queries."""
    return {
        "predecessors": list(Succession.objects.filter(successor=trust).select_related("predecessor")
                             .order_by("effective_from", "predecessor__org_code")),
        "successor": Succession.objects.filter(predecessor=trust).select_related("successor").first(),
    }


def return_versions(trust, start_date):
    """Every version (current and superseded) of the trust's finance and performance returns in
    the financial year from ``start_date``, with the upload that brought each: a few queries.
    Performance versions are kept only where a month's figure was replaced."""
    from finance.selectors_intake import return_history

    months = set(month_range(start_date, 12))
    finance = [row for row in return_history(trust=trust, kind="finance") if row["month"] in months]
    performance = [row for row in return_history(trust=trust, kind="performance") if row["month"] in months]
    versions = Counter((row["month"], row["metric"]) for row in performance)
    replaced = [row for row in performance if versions[(row["month"], row["metric"])] > 1]
    return finance, replaced
