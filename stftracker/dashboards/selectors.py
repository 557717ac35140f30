"""Reads for the dashboards: a few queries per page, whatever the number of trusts.

Entitlements are read with one ``values()`` query (trust, region, footprint and scheme joined)
and flattened into tidy rows (``tidy``); most of a page (headline figures, reasons, small
multiples) is computed from those rows in Python by the pure helpers there. The league table is
filtered and sorted by the database (one more query).
"""
import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, DecimalField, F, Func, IntegerField, Q, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, NullIf, Round

from common.months import month_range
from finance.models import Allocation, Entitlement, FinanceReturn, Scheme
from performance.metrics import PAGE_NAMES
from performance.models import METRIC_CODES, PerformanceReturn, Trajectory
from trusts.models import Footprint, Region, Succession, Trust, TrustType, Upload
from trusts.successions import predecessor_cutoffs

from .charts import STATUS_ORDER
from .tidy import MONEY_FIELDS, Period, failing_trusts, flatten
from .trends import percent_earned

ENTITLEMENT_VALUES = (
    "trust__org_code", "trust__name", "trust__trust_type", "trust__region__code", "trust__region__name",
    "trust__footprint__code", "trust__footprint__name", "scheme__code", "scheme__start_date", "quarter",
    "status", "allocation", "earned", "withheld", "pending", "finance_met", "detail", "computed_at",
)
# What the league table may be sorted by, and the filters it takes.
LEAGUE_SORTS = ("trust", "org_code", "region", "footprint", "type", "status", "allocation", "earned", "withheld",
                "pending", "variance", "ae")
LEAGUE_FILTERS = ("region", "footprint", "trust_type", "status")
TRUST_TYPE_LABELS = dict(TrustType.choices)


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


class CodePointOrder(Func):
    """Text ordered by code point, as Python orders ``str``: SQLite's default, PostgreSQL's "C" collation."""

    template = "%(expressions)s"
    arity = 1

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra_context)


def _detail_decimal(path):
    """A decimal the detail JSON holds as text (e.g. "-400000.00"); NULL where missing, null or blank."""
    decimal = DecimalField(max_digits=20, decimal_places=2)
    return Case(When(**{path: None}, then=Value(None, output_field=decimal)),
                default=Cast(NullIf(KT(path), Value("")), decimal))


def _detail_pennies(path):
    """Money in the detail JSON as whole pennies, so that differences are exact on every database."""
    return Cast(Round(_detail_decimal(path) * Value(100)), BigIntegerField())


def _ae_performance():
    """A&E performance of the quarter (as ``flatten`` reads it): the last ``ae`` element of the
    detail's metrics, its performance if it applies, else NULL. A scheme has at most one element
    per known metric."""
    whens = []
    for index in reversed(range(len(METRIC_CODES))):
        element = f"detail__metrics__{index}"
        applies = Case(When(**{f"{element}__applicable": True}, then=_detail_decimal(f"{element}__performance")))
        whens.append(When(**{f"{element}__metric": "ae"}, then=applies))
    return Case(*whens, output_field=DecimalField(max_digits=20, decimal_places=2))


def _league_sort_value(sort):
    """What the league table is sorted by for ``sort`` (one of LEAGUE_SORTS), as the rows show it:
    text by code point, status in STATUS_ORDER, variance (YTD actual − plan) in pennies."""
    if sort == "status":
        return Case(*[When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)],
                    output_field=IntegerField())
    if sort == "variance":
        return _detail_pennies("detail__finance__ytd_actual") - _detail_pennies("detail__finance__ytd_plan")
    if sort == "ae":
        return _ae_performance()
    text = {"trust": F("trust__name"), "org_code": F("trust__org_code"), "region": F("trust__region__name"),
            "footprint": Coalesce(F("trust__footprint__name"), Value("")), "type": F("trust__trust_type")}
    if sort in text:
        return CodePointOrder(text[sort])
    return F(sort)  # allocation, earned, withheld, pending


def league_queryset(period, *, region=None, footprint=None, filters=None, sort="trust", descending=False):
    """The league table of a period's trust-quarters in an area, as ``values()`` rows not yet
    read: filtered by ``filters`` ({region, footprint, trust_type, status}: codes, blank for
    any), sorted by ``sort`` (one of LEAGUE_SORTS) with ties by trust name, both in the chosen
    direction; trusts without a value (no variance, A&E not judged) last, by name. Sliced, it
    reads one page (LIMIT/OFFSET); ``league_rows`` makes its rows tidy."""
    queryset = Entitlement.objects.filter(area_filter(region=region, footprint=footprint),
                                          scheme__code=period.scheme, quarter=period.quarter)
    lookups = {"region": "trust__region__code", "footprint": "trust__footprint__code",
               "trust_type": "trust__trust_type", "status": "status"}
    for key, value in (filters or {}).items():
        if value:
            queryset = queryset.filter(**{lookups[key]: value})
    queryset = queryset.alias(sort_value=_league_sort_value(sort),
                              sort_name=CodePointOrder(Case(When(sort_value__isnull=False, then=F("trust__name")))))
    if descending:
        order = [F("sort_value").desc(nulls_last=True), F("sort_name").desc()]
    else:
        order = [F("sort_value").asc(nulls_last=True), F("sort_name").asc()]
    return queryset.order_by(*order, "trust__name", "trust__org_code").values(*ENTITLEMENT_VALUES)


def league_rows(values_rows):
    """Tidy rows of league ``values()`` rows, with the trust type's label (pure)."""
    rows = [flatten(row) for row in values_rows]
    for row in rows:
        row["trust_type_label"] = TRUST_TYPE_LABELS.get(row["trust_type"], row["trust_type"])
    return rows


def league(period, *, region=None, footprint=None, filters=None, sort="trust", descending=False):
    """The whole league table (``league_queryset``) as tidy rows: one query."""
    return league_rows(league_queryset(period, region=region, footprint=footprint, filters=filters, sort=sort,
                                       descending=descending))


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


def filter_options(*, region=None):
    """Regions, footprints and trust types for the league table's filters: two queries.
    ``footprints`` are those of ``region`` (a code) when one is chosen, ``all_footprints`` every
    one (for the script that narrows the footprint select as the region select changes)."""
    every = list(Footprint.objects.order_by("name").values("code", "name", "region__code"))
    return {
        "regions": list(Region.objects.order_by("name").values("code", "name")),
        "footprints": [f for f in every if f["region__code"] == region] if region else every,
        "all_footprints": every,
        "trust_types": list(TrustType.choices),
        "statuses": STATUS_ORDER,
    }


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


# --- The trust page -------------------------------------------------------------------------

def trust_allocation(trust, scheme_id):
    return Allocation.objects.filter(trust=trust, scheme_id=scheme_id).first()


def finance_rows(trust, start_date):
    """The trust's current monthly finance returns within the financial year from ``start_date``."""
    end = month_range(start_date, 13)[-1]
    return list(FinanceReturn.objects.current().filter(trust=trust, month__gte=start_date, month__lt=end)
                .order_by("month").values("month", "plan_ytd", "actual_ytd", "forecast_outturn"))


def performance_series(trust, start_date, *, history_months=12, trajectories=True):
    """Monthly performance and trajectory per metric, for the financial year from ``start_date``
    and the ``history_months`` before it (the SPC baseline), predecessors' months included
    (``performance_by_trust`` for this one trust): three queries.
    Returns {metric: [{month, numerator, denominator, performance, trajectory}]}; without
    ``trajectories`` the trust's trajectories are not read (every ``trajectory`` is None)."""
    first, end = _series_months(start_date, history_months)
    returns = performance_by_trust(start_date, [trust.pk], history_months=history_months).get(trust.pk, {})
    trajectories = {(t["metric"], t["month"]): t["percent"] for t in
                    Trajectory.objects.current().filter(trust=trust, month__gte=first, month__lt=end)
                    .values("month", "metric", "percent")} if trajectories else {}
    series = defaultdict(dict)
    for metric, points in returns.items():
        for point in points:
            series[metric][point["month"]] = {**point, "metric": metric,
                                              "trajectory": trajectories.get((metric, point["month"]))}
    for (metric, month), percent in trajectories.items():
        series[metric].setdefault(month, {"month": month, "metric": metric, "numerator": None,
                                          "denominator": None, "performance": None, "trajectory": percent})
    return {metric: [months[m] for m in sorted(months)] for metric, months in series.items()
            if metric in PAGE_NAMES}


def _series_months(start_date, history_months):
    """(first month, month after the last) of a performance series: the financial year from
    ``start_date`` and the ``history_months`` before it."""
    first = month_range(start_date, 1)[0]
    return datetime.date(first.year - history_months // 12, first.month, 1), month_range(start_date, 13)[-1]


def upload_history(trust, user, *, limit=50):
    """Uploads that touched the trust that ``user`` may see (``intake.selectors.visible_uploads``),
    newest first, with who sent them: one query."""
    from stftracker.intake.selectors import visible_uploads

    return list(visible_uploads(user=user, trust=trust)[:limit])


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
    from stftracker.intake.selectors import return_history

    months = set(month_range(start_date, 12))
    finance = [row for row in return_history(trust=trust, kind="finance") if row["month"] in months]
    performance = [row for row in return_history(trust=trust, kind="performance") if row["month"] in months]
    versions = Counter((row["month"], row["metric"]) for row in performance)
    replaced = [row for row in performance if versions[(row["month"], row["metric"])] > 1]
    return finance, replaced


# --- Finance-style figures, ranks and the national Making Data Count table ----------------------

def period_totals(scheme_code, *, region=None, footprint=None):
    """{quarter: {allocation, earned, withheld, pending, rows, percent_earned}} of a scheme's
    trust-quarters in an area, summed by the database: one query, whatever the number of trusts."""
    found = (Entitlement.objects.filter(area_filter(region=region, footprint=footprint), scheme__code=scheme_code)
             .values("quarter").annotate(rows=Count("id"), **{f: Sum(f) for f in MONEY_FIELDS})
             .order_by("quarter"))
    out = {}
    for row in found:
        money = {f: Decimal(row[f] or 0).quantize(Decimal("0.01")) for f in MONEY_FIELDS}
        out[row["quarter"]] = {**money, "rows": row["rows"],
                               "percent_earned": percent_earned(money["earned"], money["allocation"])}
    return out


def rank_rows(period):
    """Per trust, what it earned and was allocated in the decided (not pending) quarters of the
    period's scheme up to the period's quarter: one query, summed by the database."""
    found = (Entitlement.objects.filter(scheme__code=period.scheme, quarter__lte=period.quarter)
             .exclude(status="pending")
             .values("trust__org_code", "trust__region__code", "trust__region__name", "trust__trust_type")
             .annotate(earned=Sum("earned"), allocation=Sum("allocation")).order_by("trust__org_code"))
    return [{"org_code": r["trust__org_code"], "region_code": r["trust__region__code"],
             "region_name": r["trust__region__name"], "trust_type": r["trust__trust_type"],
             "earned": Decimal(r["earned"] or 0), "allocation": Decimal(r["allocation"] or 0)} for r in found]


def performance_by_trust(start_date, trust_ids, *, history_months=12):
    """Every trust's monthly performance per metric (what ``performance_series`` adds one trust's
    trajectories to): the financial year from ``start_date`` and the ``history_months`` before it, a successor's
    predecessors' months before the merger summed in; two queries for any
    number of trusts. Returns {trust_id: {metric: [{month, numerator, denominator, performance}]}}."""
    first, end = _series_months(start_date, history_months)
    wanted = set(trust_ids)
    claims = defaultdict(list)  # predecessor -> [(successor, first month no longer the predecessor's)]
    for successor, predecessors in predecessor_cutoffs().items():
        if successor in wanted:
            for predecessor, until in predecessors:
                claims[predecessor].append((successor, until))
    summed = {}
    for trust_id, month, metric, numerator, denominator in (
            PerformanceReturn.objects.current()
            .filter(trust_id__in=wanted | set(claims), month__gte=first, month__lt=end)
            .values_list("trust_id", "month", "metric", "numerator", "denominator")):
        owners = [trust_id] if trust_id in wanted else []
        owners += [successor for successor, until in claims.get(trust_id, []) if month < until]
        for owner in owners:
            total = summed.setdefault((owner, metric, month), [0, 0])
            total[0] += numerator
            total[1] += denominator
    series = defaultdict(lambda: defaultdict(list))
    for (owner, metric, month), (numerator, denominator) in sorted(summed.items()):
        if metric in PAGE_NAMES:
            series[owner][metric].append({
                "month": month, "numerator": numerator, "denominator": denominator,
                "performance": Decimal(numerator) * 100 / Decimal(denominator) if denominator else None})
    return series


def mdc_trusts(scheme_code, region=None):
    """The trusts of the national Making Data Count table: those allocated under the scheme (a
    region's when given), by name, with their region: one query."""
    queryset = Trust.objects.filter(allocations__scheme__code=scheme_code).order_by("name", "org_code")
    if region:
        queryset = queryset.filter(region__code=region)
    return list(queryset.values("id", "org_code", "name", "trust_type", "region__code", "region__name"))
