"""Returns and when they are due: the working-day arithmetic, and the chase list of the returns
that have not arrived (RULES.md, "Returns and when they are due").

**Due dates.** ``Scheme.returns_due`` gives, per return (``finance`` and each metric), the working
day after the month ends by which it is due: ``{"finance": 8, ...}`` means the 8th working day
counted from the first day after the month's end. Working days are Monday to Friday that are not
bank holidays of ``settings.BANK_HOLIDAYS_SUBDIVISION`` (``"ENG"`` by default: England and Wales
share their bank holidays), taken from the ``holidays`` package, substitute days included.
:func:`due_date` is pure.

**What is chased.** For a scheme and quarter, every trust in the scheme (allocation above £0.00,
as ``finance.engine.in_scheme``), each month of the quarter that has ended, and each return its
type is judged on: the finance return and the metrics of ``Scheme.applicability`` for its trust
type (a return with no due day in ``returns_due`` is not chased). A return has arrived when there
is a current row for the trust and month (``FinanceReturn``; ``PerformanceReturn`` of that
metric). As the engine judges it, a successor's metric month before a merger has also arrived
when a predecessor's row for it has (``trusts.successions``); a trust dissolved into its successor
before the month (a ``Succession`` effective on or before it) is not chased for it.

**State.** ``outstanding`` until it arrives while today is on or before its due date; ``late``
once today is past it (``days_late`` calendar days after the due date; 0 while outstanding).
Months that have not ended are not listed: nothing is due yet. Today is
``django.utils.timezone.localdate()`` (:func:`today`) unless an ``as_of`` date is passed.

**Pending money** (our choice), read from the stored ``Entitlement`` of the trust-quarter, so
that a trust's chased money never exceeds what the quarter holds pending and nothing is counted
twice:

* the finance return of the quarter's **last** month holds the quarter's whole ``pending``
  (RULES.md rule 9: without it the whole quarter is pending); the first two months' finance
  returns decide nothing and hold £0.00;
* a metric's element is pending only when the finance test was applied and met and the metric
  lacks a month (its ``met`` is null). It is held by the **earliest** missing month of that metric
  in the quarter (the one chased longest); its later missing months hold £0.00, so the element is
  counted once. While the last month's finance return is missing, it already holds the whole
  quarter and the metric months hold £0.00;
* a trust-quarter with no stored entitlement yet (its figures not computed) holds £0.00.

So the pending money of a trust's rows is the quarter's pending when its last finance return is
missing, else the sum of its pending metric elements that a missing month holds: never more than
the quarter's ``pending``.

Queries do not grow with the number of trusts: one per table (the scheme, allocations, mergers,
finance returns, performance returns, entitlements), each in bulk.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

import holidays
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from common.months import add_months
from performance.models import PerformanceReturn
from trusts.models import Succession
from trusts.successions import predecessor_cutoffs

from .models import Allocation, Entitlement, FinanceReturn, Scheme

ZERO = Decimal("0.00")
FINANCE = "finance"
OUTSTANDING, LATE, RECEIVED, NOT_ENDED = "outstanding", "late", "received", "not_ended"
STATES = (OUTSTANDING, LATE)
STATE_LABELS = {OUTSTANDING: "Outstanding", LATE: "Late", RECEIVED: "Received", NOT_ENDED: "Month not ended"}


# --- Working days --------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(subdivision: str, year: int) -> frozenset:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: datetime.date, *, subdivision: str | None = None) -> bool:
    """Monday to Friday and not a bank holiday of ``subdivision`` (``BANK_HOLIDAYS_SUBDIVISION``)."""
    subdivision = subdivision or settings.BANK_HOLIDAYS_SUBDIVISION
    return day.weekday() < 5 and day not in _bank_holidays(subdivision, day.year)


def due_date(month: datetime.date, working_day: int, *, subdivision: str | None = None) -> datetime.date:
    """The ``working_day``-th working day after ``month`` ends (``month`` any date in it).

    ``due_date(date(2016, 4, 1), 8)`` is 12 May 2016: April ends on a Saturday, 2 May is the May
    Day bank holiday, so the 8th working day of May is Thursday the 12th."""
    if isinstance(working_day, bool) or not isinstance(working_day, int) or working_day < 1:
        raise ValueError(f"A due day is a whole number of working days from 1, not {working_day!r}.")
    day = add_months(month, 1) - datetime.timedelta(days=1)
    count = 0
    while count < working_day:
        day += datetime.timedelta(days=1)
        if is_working_day(day, subdivision=subdivision):
            count += 1
    return day


def today() -> datetime.date:
    """Today, as the chase list counts lateness (local date of the site's time zone)."""
    return timezone.localdate()


# --- Returns of a quarter ---------------------------------------------------------------------


@dataclass(frozen=True)
class DueReturn:
    """One return of one trust and month: when it is due, and whether and when it arrived."""

    trust_id: int
    org_code: str
    trust_name: str
    region_code: str
    region_name: str
    kind: str  # finance, or a metric code
    month: datetime.date
    due: datetime.date
    state: str  # outstanding | late | received | not_ended
    received_on: datetime.date | None = None
    days_late: int = 0
    pending_money: Decimal = ZERO

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


@dataclass
class ChaseList:
    """The chase list of one scheme's quarter: the returns outstanding or late, and their sums."""

    scheme: str
    quarter: int
    today: datetime.date
    items: list[DueReturn] = field(default_factory=list)

    @property
    def label(self):
        return f"Q{self.quarter} {self.scheme}"

    @property
    def outstanding(self):
        return sum(1 for item in self.items if item.state == OUTSTANDING)

    @property
    def late(self):
        return sum(1 for item in self.items if item.state == LATE)

    @property
    def pending_money(self) -> Decimal:
        return sum((item.pending_money for item in self.items), ZERO)

    def filtered(self, *, kind=None, state=None, region=None) -> ChaseList:
        """The same list keeping only one kind, state and region (code), where given."""
        items = [item for item in self.items
                 if (not kind or item.kind == kind) and (not state or item.state == state)
                 and (not region or item.region_code == region)]
        return ChaseList(self.scheme, self.quarter, self.today, items)


def quarter_months(scheme: Scheme, quarter: int) -> list[datetime.date]:
    return [add_months(scheme.start_date, (quarter - 1) * 3 + k) for k in range(3)]


def _kinds(scheme: Scheme, trust_type: str) -> list[str]:
    """The returns a trust of ``trust_type`` sends under ``scheme`` that have a due day."""
    due = scheme.returns_due or {}
    kinds = [FINANCE] + list((scheme.applicability or {}).get(trust_type, []))
    return [kind for kind in kinds if kind in due]


def _scheme(scheme) -> Scheme:
    return scheme if isinstance(scheme, Scheme) else Scheme.objects.get(code=scheme)


def _arrivals(model, *, months, trust_ids, metric):
    """{(trust_id, month[, metric]): first arrival date} of the rows with a current version, in one query."""
    rows = model.objects.filter(month__in=months)
    if trust_ids is not None:
        rows = rows.filter(trust_id__in=trust_ids)
    keys = ["trust_id", "month", "metric"] if metric else ["trust_id", "month"]
    found = (rows.values(*keys).order_by()
             .annotate(first=Min("created_at"), current=Count("id", filter=Q(is_current=True)))
             .filter(current__gt=0))
    return {tuple(row[key] for key in keys): timezone.localdate(row["first"]) for row in found}


def quarter_returns(scheme, quarter: int, *, trust_ids=None, as_of=None, include_received=False) -> list[DueReturn]:
    """Every return of the quarter for the trusts in the scheme (or those of ``trust_ids``), with its
    state; received returns and months not yet ended only with ``include_received``. See the
    module's docstring for what is chased and the money each return holds."""
    scheme = _scheme(scheme)
    as_of = as_of or today()
    months = quarter_months(scheme, quarter)
    allocations = (Allocation.objects.filter(scheme=scheme, stf_allocation__gt=0)
                   .select_related("trust", "trust__region").order_by("trust__org_code"))
    if trust_ids is not None:
        trust_ids = list(trust_ids)
        allocations = allocations.filter(trust_id__in=trust_ids)
    trusts = [allocation.trust for allocation in allocations]
    if not trusts:
        return []
    ids = [trust.pk for trust in trusts] if trust_ids is not None else None

    links = list(Succession.objects.values_list("predecessor_id", "successor_id", "effective_from"))
    dissolved = {predecessor: effective_from for predecessor, _, effective_from in links}
    lineage = predecessor_cutoffs(links)
    predecessors = {p for trust in trusts for p, _ in lineage.get(trust.pk, [])}
    finance = _arrivals(FinanceReturn, months=months, trust_ids=ids, metric=False)
    performance = _arrivals(PerformanceReturn, months=months,
                            trust_ids=None if ids is None else ids + sorted(predecessors), metric=True)
    stored = Entitlement.objects.filter(scheme=scheme, quarter=quarter)
    if ids is not None:
        stored = stored.filter(trust_id__in=ids)
    entitlements = {row["trust_id"]: row for row in stored.values("trust_id", "pending", "detail")}

    due_days = scheme.returns_due or {}
    dues = {(kind, month): due_date(month, day) for kind, day in due_days.items() for month in months}
    rows = []
    for trust in trusts:
        trust_rows = []
        for kind in _kinds(scheme, trust.trust_type):
            for month in months:
                gone = dissolved.get(trust.pk)
                if gone is not None and gone <= month:
                    continue  # dissolved into its successor: not chased
                if kind == FINANCE:
                    received = finance.get((trust.pk, month))
                else:
                    received = performance.get((trust.pk, month, kind))
                    if received is None:
                        found = [performance.get((p, month, kind)) for p, until in lineage.get(trust.pk, [])
                                 if month < until]
                        found = [day for day in found if day is not None]
                        received = min(found) if found else None
                due = dues[(kind, month)]
                if received is not None:
                    state = RECEIVED
                elif add_months(month, 1) > as_of:
                    state = NOT_ENDED
                else:
                    state = LATE if as_of > due else OUTSTANDING
                trust_rows.append(DueReturn(
                    trust_id=trust.pk, org_code=trust.org_code, trust_name=trust.name, region_code=trust.region.code,
                    region_name=trust.region.name, kind=kind, month=month, due=due, state=state, received_on=received,
                    days_late=(as_of - due).days if state == LATE else 0,
                ))
        rows.extend(_with_pending_money(trust_rows, entitlements.get(trust.pk), last_month=months[-1]))
    if not include_received:
        rows = [row for row in rows if row.state in STATES]
    return rows


def _with_pending_money(rows: list[DueReturn], entitlement, *, last_month) -> list[DueReturn]:
    """The trust's rows with the money each missing return holds (the module's docstring)."""
    if not entitlement:
        return rows
    detail = entitlement["detail"] or {}
    missing = [row for row in rows if row.state in STATES]
    holds = {}
    finance_last = next((row for row in missing if row.kind == FINANCE and row.month == last_month), None)
    if finance_last is not None:
        holds[id(finance_last)] = Decimal(entitlement["pending"])
    elif (detail.get("finance") or {}).get("met") is True:
        for metric in detail.get("metrics") or []:
            if not metric.get("applicable") or metric.get("met") is not None:
                continue
            months = sorted((row for row in missing if row.kind == metric["metric"]), key=lambda row: row.month)
            if months:
                holds[id(months[0])] = Decimal(metric["element"])
    if not holds:
        return rows
    return [replace(row, pending_money=holds[id(row)]) if id(row) in holds else row for row in rows]


def chase_list(scheme, quarter: int, *, trust_ids=None, as_of=None) -> ChaseList:
    """The returns outstanding or late in a scheme's quarter, for every trust in the scheme or those
    of ``trust_ids`` (a finance director's own: ``trusts.roles.directed_trust_ids``)."""
    scheme = _scheme(scheme)
    as_of = as_of or today()
    items = quarter_returns(scheme, quarter, trust_ids=trust_ids, as_of=as_of)
    return ChaseList(scheme.code, quarter, as_of, items)


def trust_due_dates(trust, scheme, quarter: int, *, as_of=None) -> list[DueReturn]:
    """One trust's returns of the quarter, received or not, for its page (nothing when it is not in
    the scheme): a handful of queries."""
    return quarter_returns(scheme, quarter, trust_ids=[getattr(trust, "pk", trust)], as_of=as_of,
                           include_received=True)


def default_period(*, as_of=None) -> tuple[str, int] | None:
    """The latest (scheme, quarter) with anything due: the latest quarter whose first month has
    ended by today. One query."""
    as_of = as_of or today()
    for code, start in Scheme.objects.order_by("-start_date").values_list("code", "start_date"):
        for quarter in (4, 3, 2, 1):
            if add_months(start, (quarter - 1) * 3 + 1) <= as_of:
                return code, quarter
    return None
