"""Entitlement rows for the dashboard tests, written directly (they reconcile: allocation =
earned + withheld + pending) with the detail JSON of the eligibility record."""
import datetime
from decimal import ROUND_HALF_UP, Decimal

from finance.models import Entitlement, Scheme
from tests.factories import FootprintFactory, RegionFactory, TrustFactory

PENNY = Decimal("0.01")
WEIGHTS = {"ae": Decimal("0.125"), "rtt": Decimal("0.125"), "cancer62": Decimal("0.05")}
STANDARDS = {"ae": "95.00", "rtt": "92.00", "cancer62": "85.00"}
COMPUTED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)


def money(value):
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def entitlement(trust, quarter, status, *, scheme="2016-17", allocation="250000.00", missed=(),
                performance=None, ytd_plan="-500000.00", ytd_actual="-400000.00", computed_at=COMPUTED_AT):
    """One trust-quarter. ``missed``: metrics that failed (status partial). Metrics apply as for
    an acute trust under 2016-17 (A&E, RTT, cancer)."""
    allocation = money(allocation)
    performance = {"ae": "96.00", "rtt": "93.00", "cancer62": "90.00", **(performance or {})}
    elements = {m: money(allocation * w) for m, w in WEIGHTS.items()}
    finance_element = allocation - sum(elements.values())
    metrics = []
    for metric, element in elements.items():
        met = None if status == "pending" else metric not in missed
        metrics.append({"metric": metric, "applicable": True, "element": str(element), "met": met,
                        "performance": performance[metric], "trajectory": None, "standard": STANDARDS[metric]})
    earned, withheld, pending = allocation, Decimal("0.00"), Decimal("0.00")
    reasons = []
    if status in ("finance_failed", "no_control_total"):
        earned, withheld = Decimal("0.00"), allocation
        reasons.append("Finance test failed" if status == "finance_failed" else "No control total")
    elif status == "pending":
        earned, pending = Decimal("0.00"), allocation
        reasons.append("Finance return awaited")
    elif status == "partial":
        withheld = sum((elements[m] for m in missed), Decimal("0.00"))
        earned = allocation - withheld
        reasons += [f"{m} missed: £{elements[m]:,.2f} withheld" for m in missed]
    finance_met = {"finance_failed": False, "pending": None, "no_control_total": None}.get(status, True)
    return Entitlement.objects.create(
        trust=trust, scheme=Scheme.objects.get(code=scheme), quarter=quarter, status=status,
        allocation=allocation, earned=earned, withheld=withheld, pending=pending, finance_met=finance_met,
        detail={"finance": {"met": finance_met, "element": str(finance_element),
                            "ytd_plan": ytd_plan, "ytd_actual": ytd_actual},
                "metrics": metrics, "reasons": reasons},
        fingerprint="test", computed_at=computed_at,
    )


STATUS_CYCLE = ["full", "partial", "finance_failed", "no_control_total", "pending"]


def country(trusts_per_footprint=2, *, regions=2, footprints_per_region=2, prefix="T", offset=0):
    """A small country: regions, footprints, trusts, and the four quarters of 2016-17 for each trust
    (statuses cycling through every status). Returns the trusts."""
    made = []
    n = offset
    for r in range(regions):
        region = RegionFactory(code=f"Y{r + 50}", name=f"Region {chr(65 + r)}")
        for f in range(footprints_per_region):
            footprint = FootprintFactory(code=f"E54{r}{f:05d}", name=f"Footprint {chr(65 + r)}{f + 1}", region=region)
            for _ in range(trusts_per_footprint):
                n += 1
                trust = TrustFactory(org_code=f"{prefix}{n:04d}", name=f"Trust {prefix}{n:04d} NHS Trust",
                                     region=region, footprint=footprint)
                for quarter in range(1, 5):
                    status = STATUS_CYCLE[(n + quarter) % len(STATUS_CYCLE)]
                    entitlement(trust, quarter, status, missed=("ae",) if status == "partial" else (),
                                performance={"ae": f"{90 + (n % 7)}.50"},
                                ytd_actual=str(Decimal("-500000.00") + Decimal(n * 10000 - 60000)))
                made.append(trust)
    return made
