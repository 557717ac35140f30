"""Stored statuses mean what they say: ``finance_met`` is null when the finance test was not applied,
and a trust with a £0.00 allocation is not in the scheme (no rows, no year-end line, no progress).

Figures (see tests/builders.py): £1,000,000.00 a year is £250,000.00 a quarter in 2016-17; the
finance return is YTD plan -£500,000.00, actual -£400,000.00 (£100,000.00 ahead of plan).
"""
from decimal import Decimal as D
from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from common.errors import DomainError
from finance import services
from finance.models import Allocation, Entitlement, InputChange, YearEndAward
from tests.builders import allocate, returns
from tests.factories import TrustFactory, scheme

pytestmark = pytest.mark.django_db


def test_no_control_total_ahead_of_plan_is_stored_as_not_judged():
    trust = TrustFactory()
    allocate(trust, accepted=False)
    returns(trust, 2)  # £100,000.00 ahead of plan at September 2016
    services.recompute(scheme=scheme("2016-17"))
    q2 = Entitlement.objects.get(trust=trust, quarter=2)
    assert q2.status == "no_control_total"
    assert q2.finance_met is None and q2.detail["finance"]["met"] is None
    assert q2.detail["finance"]["ytd_actual"] == "-400000.00"  # the figures are still shown
    assert (q2.earned, q2.withheld, q2.pending) == (D("0.00"), D("250000.00"), D("0.00"))
    assert not Entitlement.objects.filter(finance_met=False).exists()


def test_a_missing_return_is_stored_as_not_judged_and_an_applied_failure_as_false():
    trust = TrustFactory()
    allocate(trust)
    returns(trust, 1, actual="-500000.01")  # one penny behind plan: applied, failed
    services.recompute(scheme=scheme("2016-17"))
    stored = {e.quarter: (e.status, e.finance_met, e.detail["finance"]["met"])
              for e in Entitlement.objects.filter(trust=trust)}
    assert stored == {1: ("finance_failed", False, False), 2: ("pending", None, None),
                      3: ("pending", None, None), 4: ("pending", None, None)}


def test_a_nil_allocation_gets_no_rows_no_year_end_line_and_does_not_hold_the_year_up():
    # RAA: £1,000,000.00, every return, all met: earns £1,000,000.00. RZZ: £0.00, every return too.
    # Progress counts the trust in the scheme only: 1 trust × 4 quarters.
    in_scheme, nil = TrustFactory(org_code="RAA"), TrustFactory(org_code="RZZ")
    allocate(in_scheme)
    allocate(nil, allocation="0.00")
    for trust in (in_scheme, nil):
        for quarter in (1, 2, 3, 4):
            returns(trust, quarter)
    run = services.recompute(scheme=scheme("2016-17"))
    assert run.progress_total == run.progress_done == 4 and run.rows_written == 4
    assert not Entitlement.objects.filter(trust=nil).exists()
    assert Entitlement.objects.filter(trust=in_scheme, status="full").count() == 4
    # The year end is decided without RZZ, and RZZ has no line in it.
    assert list(YearEndAward.objects.values_list("trust__org_code", flat=True)) == ["RAA"]
    assert services.recompute(scheme=scheme("2016-17")).rows_written == 0  # idempotent


def test_an_allocation_cut_to_nil_removes_the_trusts_rows_and_one_raised_brings_them_back():
    trust = TrustFactory()
    allocate(trust)
    returns(trust, 1)
    services.recompute(scheme=scheme("2016-17"))
    assert Entitlement.objects.filter(trust=trust).count() == 4
    Allocation.objects.filter(trust=trust).update(stf_allocation=D("0.00"))
    assert services.recompute(scheme=scheme("2016-17")).rows_written == 4  # four rows deleted
    assert not Entitlement.objects.filter(trust=trust).exists()
    assert services.recompute(scheme=scheme("2016-17")).rows_written == 0
    Allocation.objects.filter(trust=trust).update(stf_allocation=D("0.04"))
    services.recompute(scheme=scheme("2016-17"))
    # £0.04 a year: a penny a quarter.
    assert list(Entitlement.objects.filter(trust=trust).order_by("quarter").values_list("allocation", flat=True)) == [
        D("0.01")] * 4


def test_what_if_for_a_trust_not_in_the_scheme_says_so():
    trust = TrustFactory(org_code="RZZ")
    allocate(trust, allocation="0.00")
    with pytest.raises(DomainError) as raised:
        services.what_if(trust=trust, scheme=scheme("2016-17"), quarter=2)
    assert str(raised.value) == ("RZZ: Not in the scheme for 2016-17: the allocation is £0.00, so there is no status "
                                 "and nothing is earned, withheld or pending.")


def test_the_migration_makes_stored_results_honest_and_marks_them_for_recompute():
    # Rows as the previous engine stored them: a no-control-total quarter with met false, and a
    # £0.00 trust with a "full" quarter and a year-end line.
    refused, nil = TrustFactory(org_code="RNC"), TrustFactory(org_code="RZZ")
    s = scheme("2016-17")
    allocate(refused, accepted=False)
    allocate(nil, allocation="0.00")
    now = timezone.now()
    finance = {"met": False, "element": "175000.00", "ytd_plan": "-500000.00", "ytd_actual": "-400000.00"}
    Entitlement.objects.create(trust=refused, scheme=s, quarter=1, status="no_control_total",
                               allocation=D("250000.00"), earned=D("0"), withheld=D("250000.00"), pending=D("0"),
                               finance_met=False, detail={"finance": finance, "metrics": [], "reasons": []},
                               fingerprint="old", computed_at=now)
    Entitlement.objects.create(trust=nil, scheme=s, quarter=1, status="full", allocation=D("0"), earned=D("0"),
                               withheld=D("0"), pending=D("0"), finance_met=True, detail={}, fingerprint="old",
                               computed_at=now)
    YearEndAward.objects.create(trust=nil, scheme=s, eligible=True, incentive=D("0"), bonus=D("0"), computed_at=now)
    InputChange.objects.all().delete()
    state_apps = MigrationLoader(connection).project_state(("finance", "0006_finance_met_null_when_not_judged")).apps

    import_module("finance.migrations.0006_finance_met_null_when_not_judged").forwards(state_apps, None)

    row = Entitlement.objects.get(trust=refused)
    assert row.finance_met is None and row.detail["finance"]["met"] is None
    assert row.detail["finance"]["ytd_actual"] == "-400000.00"
    assert not Entitlement.objects.filter(trust=nil).exists() and not YearEndAward.objects.filter(trust=nil).exists()
    assert list(InputChange.objects.values_list("scheme__code", "trust", "resolved_at")) == [("2016-17", None, None)]
    # The recompute that follows resolves the change.
    services.recompute(scheme=s)
    assert not InputChange.objects.filter(resolved_at__isnull=True).exists()
