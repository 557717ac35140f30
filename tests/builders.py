"""Stored national data for the database tests: trusts with allocations and the returns of given
quarters, and entitlements stored by the engine (``recompute``), never written by hand.

The defaults make the 2016-17 arithmetic easy to state by hand: an allocation of £1,000,000.00 a
year is £250,000.00 a quarter (25% phasing); its A&E and RTT elements are 12.5% of that,
£31,250.00 each, cancer 5%, £12,500.00, and finance the remaining £175,000.00. The performance
figures ``MEETS`` are above every 2016-17 standard (A&E 95%, RTT 92%, cancer 85%); the finance
return (YTD plan -£500,000.00, actual -£400,000.00) is £100,000.00 ahead of plan.
(Engine tests without a database build their inputs in tests/finance/engine/country.py.)
"""
import datetime
from decimal import Decimal as D

from common.months import add_months
from tests.factories import (
    AllocationFactory, FinanceReturnFactory, PerformanceReturnFactory, TrustFactory, UploadFactory, scheme,
)

PLAN, ACTUAL = D("-500000.00"), D("-400000.00")
BEHIND = D("-650000.00")  # £150,000.00 behind PLAN: the finance test fails
MEETS = {"ae": (9600, 10000), "rtt": (93, 100), "cancer62": (90, 100)}  # 96%, 93%, 90%
MISSES_AE = {"ae": (912, 1000)}  # 91.20%: below the standard, no trajectory


def quarter_months(quarter, year="2016-17"):
    """The three months of a quarter of the scheme ``year`` (a financial year from April)."""
    start = datetime.date(int(year[:4]), 4, 1)
    return [add_months(start, (quarter - 1) * 3 + k) for k in range(3)]


def allocate(trust, *, year="2016-17", allocation="1000000.00", control_total="-500000.00", accepted=True):
    return AllocationFactory(trust=trust, scheme=scheme(year), stf_allocation=D(allocation),
                             control_total=D(control_total), control_total_accepted=accepted)


def finance_return(trust, quarter, *, year="2016-17", plan=PLAN, actual=ACTUAL, upload=None, **fields):
    """The finance return of the quarter's last month (the month the finance test reads)."""
    upload = upload or UploadFactory(kind="finance")
    return FinanceReturnFactory(trust=trust, month=quarter_months(quarter, year)[-1], plan_ytd=D(plan),
                                actual_ytd=D(actual), upload=upload, **fields)


def performance_returns(trust, quarter, *, year="2016-17", figures=None, upload=None):
    """Every month of the quarter, each metric at ``figures`` (numerator, denominator): ``MEETS``
    with any metric of ``figures`` changed (a figure of None leaves that metric out)."""
    upload = upload or UploadFactory(kind="performance")
    figures = {**MEETS, **(figures or {})}
    for month in quarter_months(quarter, year):
        for metric, figure in figures.items():
            if figure is not None:
                PerformanceReturnFactory(trust=trust, month=month, metric=metric, numerator=figure[0],
                                         denominator=figure[1], upload=upload)


def returns(trust, quarter, *, year="2016-17", plan=PLAN, actual=ACTUAL, performance=None, finance=True,
            upload=None):
    """A quarter's returns: the finance return (unless ``finance`` is False) and the performance."""
    upload = upload or UploadFactory()
    if finance:
        finance_return(trust, quarter, year=year, plan=plan, actual=actual, upload=upload)
    performance_returns(trust, quarter, year=year, figures=performance, upload=upload)


# How each status comes about, for a trust whose control total is accepted: the quarter's
# returns as ``returns`` takes them. (No control total is the allocation's: ``allocate(accepted=False)``.)
STATUS_RETURNS = {
    "full": {},
    "partial": {"performance": MISSES_AE},  # A&E element withheld
    "finance_failed": {"actual": BEHIND},  # the whole quarter withheld
    "pending": {"finance": False},  # the finance return awaited: the whole quarter pending
}


def quarter_with_status(trust, quarter, status, *, year="2016-17", upload=None, **overrides):
    returns(trust, quarter, year=year, upload=upload, **{**STATUS_RETURNS[status], **overrides})


def trust_with_returns(*, quarters=(1, 2, 3, 4), year="2016-17", allocation="1000000.00", accepted=True,
                       performance=None, upload=None, **trust_fields):
    """A trust with an allocation and every return of ``quarters``."""
    trust = TrustFactory(**trust_fields)
    allocate(trust, year=year, allocation=allocation, accepted=accepted)
    for quarter in quarters:
        returns(trust, quarter, year=year, performance=performance, upload=upload)
    return trust


def country(count, *, quarters=(1, 2, 3, 4), year="2016-17", performance=None, upload=None, **trust_fields):
    """``count`` acute trusts, each allocated £1,000,000.00 with every return of ``quarters``."""
    upload = upload or UploadFactory()
    return [trust_with_returns(quarters=quarters, year=year, performance=performance, upload=upload,
                               **trust_fields) for _ in range(count)]


def recompute(*years, at=None, trust_ids=None):
    """Store the entitlements of ``years`` (every scheme when none is named) as the engine computes
    them. ``at``: the time the rows are stamped as computed (the engine's results written by
    ``finance.services.write_entitlements``); otherwise ``finance.services.recompute`` runs."""
    from finance import engine, selectors, services
    from finance.models import Scheme

    schemes = [scheme(year) for year in years] or list(Scheme.objects.order_by("start_date"))
    if at is None:
        runs = [services.recompute(scheme=each, trust_ids=trust_ids) for each in schemes]
        return runs[-1] if len(runs) == 1 else runs
    for each in schemes:
        rules = selectors.scheme_rules(each)
        results = engine.compute_entitlements(rules, selectors.engine_inputs(rules, trust_ids=trust_ids))
        services.write_entitlements(scheme=each, results=results, trust_ids=trust_ids, now=at)
        if rules.has_year_end:
            services.write_year_end(scheme=each, now=at)
    return None


def partial_q2_trust(org_code, name):
    """An acute trust allocated for 2016-17 whose Q2 is partial by the rules (A&E ``MISSES_AE``,
    finance ahead of plan): £218,750.00 earned, £31,250.00 withheld. Its returns are written as one
    committed transaction that queues no run of its own, then the country is recomputed in full."""
    from django.test import TestCase

    from finance import dependencies, services

    with TestCase.captureOnCommitCallbacks(execute=True), dependencies.deferred():
        trust = TrustFactory(org_code=org_code, name=name, trust_type="acute")
        allocate(trust)
        returns(trust, 2, performance=MISSES_AE)
    services.recompute()
    return trust


# The statuses of a trust's four quarters of 2016-17, by its place n (from 1) in an areas_country:
# STATUS_PATTERN[(n - 1) % 4]. Every status appears in every quarter of each group of four trusts.
STATUS_PATTERN = [
    ("finance_failed", "full", "pending", "partial"),
    ("no_control_total",) * 4,  # the control total is the year's: not accepted, every quarter withheld
    ("pending", "partial", "finance_failed", "full"),
    ("full", "finance_failed", "partial", "pending"),
]


def areas_country(trusts_per_footprint=2, *, regions=2, footprints_per_region=2, prefix="T", offset=0,
                  pattern=STATUS_PATTERN, upload=None):
    """Regions Y50, Y51, ... ("Region A", ...), each of footprints E54{r}{f:05d} ("Footprint A1",
    ...), each of trusts {prefix}{n:04d} (n from offset + 1), each allocated £1,000,000.00 for
    2016-17 with the returns that give its quarters the statuses ``pattern[(n - 1) % len(pattern)]``.
    Returns the trusts; ``recompute`` stores their entitlements."""
    from tests.factories import FootprintFactory, RegionFactory

    upload = upload or UploadFactory()
    made, n = [], offset
    for r in range(regions):
        region = RegionFactory(code=f"Y{r + 50}", name=f"Region {chr(65 + r)}")
        for f in range(footprints_per_region):
            footprint = FootprintFactory(code=f"E54{r}{f:05d}", name=f"Footprint {chr(65 + r)}{f + 1}", region=region)
            for _ in range(trusts_per_footprint):
                n += 1
                trust = TrustFactory(org_code=f"{prefix}{n:04d}", name=f"Trust {prefix}{n:04d} NHS Trust",
                                     region=region, footprint=footprint)
                statuses = pattern[(n - 1) % len(pattern)]
                allocate(trust, accepted="no_control_total" not in statuses)
                for quarter, status in enumerate(statuses, start=1):
                    quarter_with_status(trust, quarter, "full" if status == "no_control_total" else status,
                                        upload=upload)
                made.append(trust)
    return made
