"""The year ends of the demo country (real England with simulated figures), loaded and recomputed
once for the module: 2016-17 (incentive and bonus) and 2017-18 (general distribution) are complete
years and reconcile to the pot to the penny; 2018-19 is half-way and says what it waits for.

Every expected figure is summed or worked out here from the stored rows (allocations, returns,
quarters), never taken from the year-end code."""
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from common.months import add_months
from finance.models import Allocation, Entitlement, FinanceReturn, Scheme, YearEndAward
from performance.models import PerformanceReturn
from stftracker.demo import DEMO_ACCOUNTS, load_demo
from stftracker.demo.loader import _wipe
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def england(django_db_setup, django_db_blocker):
    from finance.services import recompute

    with django_db_blocker.unblock():
        result = load_demo()
        recompute()
        yield result
        with transaction.atomic():
            _wipe()
            get_user_model().objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).delete()


@pytest.fixture
def api(england):
    from tests.factories import UserFactory

    return token_client(UserFactory(username="year-end-analyst", role="analyst"))


@pytest.mark.parametrize("year", ["2016-17", "2017-18"])
def test_a_complete_year_reconciles_to_the_pot_to_the_penny(england, api, year):
    scheme = Scheme.objects.get(code=year)
    earned = sum(Entitlement.objects.filter(scheme=scheme).values_list("earned", flat=True))
    awards = list(YearEndAward.objects.filter(scheme=scheme))
    assert awards and not Entitlement.objects.filter(scheme=scheme, pending__gt=0).exists()
    assert earned + sum(a.incentive + a.bonus + a.general_distribution for a in awards) == scheme.pot
    body = api.get("/api/v1/year-end/", {"year": year}).json()
    assert (body["state"], body["decided"], body["national"]["reconciles"]) == ("decided", True, True)
    assert body["national"]["check"] == body["national"]["pot"] == f"{scheme.pot:.2f}"
    assert body["national"]["earned"] == f"{earned:.2f}"
    assert body["count"] == Allocation.objects.filter(scheme=scheme, stf_allocation__gt=0).count()


def test_2016_17_pays_incentives_and_bonus_and_2017_18_a_general_distribution(england):
    first = YearEndAward.objects.filter(scheme__code="2016-17")
    second = YearEndAward.objects.filter(scheme__code="2017-18")
    assert not first.filter(general_distribution__gt=0).exists() and first.filter(bonus__gt=0).exists()
    assert not second.filter(incentive__gt=0).exists() and not second.filter(bonus__gt=0).exists()
    assert second.filter(general_distribution__gt=0).exists()


def test_2017_18_shares_follow_the_bands_weighted_by_allocation(england):
    """Each share is within a penny of pool × weight × allocation / Σ(weight × allocation), the
    weight read off the scheme's bands for the shortfall at March 2018 as a percent of the allocation."""
    scheme = Scheme.objects.get(code="2017-18")
    bands = [(Fraction(b["up_to"]), Fraction(b["weight"])) for b in scheme.year_end_bands]
    march = add_months(scheme.start_date, 11)
    actuals = dict(FinanceReturn.objects.current().filter(month=march).values_list("trust_id", "actual_ytd"))
    allocations = list(Allocation.objects.filter(scheme=scheme, stf_allocation__gt=0))
    withheld = sum(Entitlement.objects.filter(scheme=scheme).values_list("withheld", flat=True))
    pool = Fraction(scheme.pot - sum(a.stf_allocation for a in allocations) + withheld)
    weights = {}
    for a in allocations:
        actual = actuals.get(a.trust_id)
        if not a.control_total_accepted or actual is None:
            weights[a.trust_id] = Fraction(0)
            continue
        percent = 100 * Fraction(max(Decimal(0), a.control_total - actual)) / Fraction(a.stf_allocation)
        weights[a.trust_id] = next((w for up_to, w in bands if percent <= up_to), Fraction(0))
    assert len(set(weights.values())) >= 3  # the demo reaches several bands
    weighted = {a.trust_id: weights[a.trust_id] * Fraction(a.stf_allocation) for a in allocations}
    total = sum(weighted.values())
    shares = dict(YearEndAward.objects.filter(scheme=scheme).values_list("trust_id", "general_distribution"))
    for trust_id, w in weighted.items():
        exact = pool * w / total
        floor = Decimal(exact.numerator * 100 // exact.denominator) / 100
        assert shares[trust_id] - floor in (Decimal("0.00"), Decimal("0.01")), trust_id
    assert sum(shares.values()) == pool


def _expected_waits(scheme):
    """{org_code: {"finance" or metric: ["YYYY-MM", ...]}} worked out from the stored returns: every
    quarter of a trust that accepted its control total whose finance return for the last month is
    missing, or whose test passed but a month of a metric it is judged on is missing."""
    trust_types = {}
    allocations = Allocation.objects.filter(scheme=scheme, stf_allocation__gt=0, control_total_accepted=True)
    for org_code, trust_type in allocations.values_list("trust__org_code", "trust__trust_type"):
        trust_types[org_code] = trust_type
    end = add_months(scheme.start_date, 12)
    finance = {(code, month): (plan, actual) for code, month, plan, actual in FinanceReturn.objects.current().filter(
        month__gte=scheme.start_date, month__lt=end).values_list("trust__org_code", "month", "plan_ytd", "actual_ytd")}
    performance = set(PerformanceReturn.objects.current().filter(month__gte=scheme.start_date, month__lt=end)
                      .values_list("trust__org_code", "metric", "month"))
    expected = defaultdict(dict)
    for code, trust_type in trust_types.items():
        metrics = scheme.applicability.get(trust_type, [])
        for quarter in range(1, 5):
            months = [add_months(scheme.start_date, (quarter - 1) * 3 + k) for k in range(3)]
            found = finance.get((code, months[-1]))
            if found is not None and found[1] < found[0]:
                continue  # finance failed: the whole quarter is withheld, nothing pending
            missing = {metric: [f"{m:%Y-%m}" for m in months if (code, metric, m) not in performance]
                       for metric in metrics}
            missing = {metric: ms for metric, ms in missing.items() if ms}
            if found is None:
                missing = {"finance": [f"{months[-1]:%Y-%m}"], **missing}
            for kind, ms in missing.items():
                expected[code].setdefault(kind, []).extend(ms)
    return dict(expected)


def test_2018_19_half_way_says_which_trusts_wait_for_which_months(england, api):
    scheme = Scheme.objects.get(code="2018-19")
    expected = _expected_waits(scheme)
    # The demo has finance returns to September 2018: every trust that accepted waits at least for
    # December 2018 and March 2019.
    assert len(expected) > 150
    assert all({"2018-12", "2019-03"} <= set(kinds["finance"]) for kinds in expected.values())
    assert not YearEndAward.objects.filter(scheme=scheme).exists()
    body = api.get("/api/v1/year-end/", {"year": "2018-19"}).json()
    assert (body["state"], body["decided"], body["count"]) == ("waiting", False, 0)
    got = {wait["org_code"]: {kind: sorted(ms) for kind, ms in wait["missing"].items()} for wait in body["waits"]}
    assert got == {code: {kind: sorted(ms) for kind, ms in kinds.items()} for code, kinds in expected.items()}
    first = sorted(expected)[0]
    assert body["message"].startswith(f"Waits for {len(expected)} trusts: {first} (finance ")
    assert body["message"].endswith(f" and {len(expected) - 5} more.")
    assert body["national"]["pool"] is None
    pending = sum(Entitlement.objects.filter(scheme=scheme).values_list("pending", flat=True))
    assert pending > 0 and body["national"]["pending"] == f"{pending:.2f}"
