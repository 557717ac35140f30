"""Recompute service: stored results, fingerprints, bulk writes, runs, queueing, what-if, year end."""
from decimal import Decimal as D
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance import services
from finance.eligibility import entitlement_record
from finance.models import Entitlement, RecomputeRun, YearEndAward
from finance.selectors import eligibility_queryset, latest_run, year_end_awards
from tests.builders import country, quarter_months
from tests.factories import AllocationFactory, TrajectoryFactory, TrustFactory, scheme

pytestmark = pytest.mark.django_db
QUARTER_ENDS = [quarter_months(quarter)[-1] for quarter in (1, 2, 3, 4)]


def test_recompute_stores_one_row_per_trust_quarter_with_the_design_record():
    trust = country(1, quarters=(2,), performance={"ae": (912, 1000)})[0]
    for month in quarter_months(2):
        TrajectoryFactory(trust=trust, month=month, metric="ae", percent=D("92.00"))
    run = services.recompute(scheme=scheme("2016-17"))
    assert run.state == "done" and run.rows_written == 4 and run.progress_done == run.progress_total == 4
    entitlement = Entitlement.objects.select_related("trust", "scheme").get(trust=trust, quarter=2)
    record = entitlement_record(entitlement)
    assert list(record) == ["org_code", "trust_name", "year", "quarter", "status", "allocation", "earned", "withheld",
                            "pending", "finance", "metrics", "reasons", "adjustments", "scheme", "computed_at"]
    assert record["status"] == "partial"
    assert (record["allocation"], record["earned"], record["withheld"], record["pending"]) == (
        "250000.00", "218750.00", "31250.00", "0.00")
    assert record["finance"] == {"met": True, "element": "175000.00", "ytd_plan": "-500000.00", "ytd_actual": "-400000.00"}
    assert record["metrics"][0] == {"metric": "ae", "applicable": True, "element": "31250.00", "met": False,
                                    "performance": "91.20", "trajectory": "92.00", "standard": "95.00"}
    assert "A&E 91.20% is below both its trajectory 92.00% and the standard 95.00%: £31,250.00 withheld" in record["reasons"]
    assert record["scheme"] == record["year"] == "2016-17"
    assert record["computed_at"].endswith("Z") and len(record["computed_at"]) == 20
    q1 = Entitlement.objects.get(trust=trust, quarter=1)
    assert q1.status == "pending" and q1.pending == D("250000.00") and q1.finance_met is None


def test_an_unchanged_trust_quarter_is_not_rewritten():
    trusts = country(3, quarters=(1,))
    first = services.recompute(scheme=scheme("2016-17"))
    assert first.rows_written == 12
    stamps = dict(Entitlement.objects.values_list("id", "computed_at"))
    again = services.recompute(scheme=scheme("2016-17"))
    assert again.rows_written == 0
    assert dict(Entitlement.objects.values_list("id", "computed_at")) == stamps
    # One finance return changes: only that trust's Q1 is rewritten.
    from finance.models import FinanceReturn

    FinanceReturn.objects.filter(trust=trusts[1], month=QUARTER_ENDS[0]).update(actual_ytd=D("-500000.01"))
    third = services.recompute(scheme=scheme("2016-17"))
    assert third.rows_written == 1
    assert Entitlement.objects.get(trust=trusts[1], quarter=1).status == "finance_failed"
    assert Entitlement.objects.get(trust=trusts[0], quarter=1).computed_at == stamps[
        Entitlement.objects.get(trust=trusts[0], quarter=1).pk]


def test_query_count_does_not_grow_with_the_number_of_trusts():
    # (Both sizes fit in one bulk insert batch; larger writes add one query per batch of rows.)
    country(2, quarters=(1,))
    with CaptureQueriesContext(connection) as small:
        services.recompute(scheme=scheme("2016-17"))
    Entitlement.objects.all().delete()
    country(15, quarters=(1,))
    with CaptureQueriesContext(connection) as large:
        services.recompute(scheme=scheme("2016-17"))
    assert len(large) == len(small)


def test_a_scoped_recompute_writes_only_its_trusts_and_removes_stale_rows():
    a, b = country(2, quarters=(1,))
    services.recompute(scheme=scheme("2016-17"), trust_ids=[a.pk])
    assert set(Entitlement.objects.values_list("trust_id", flat=True)) == {a.pk}
    services.recompute(scheme=scheme("2016-17"))
    assert Entitlement.objects.filter(trust=b).count() == 4
    from finance.models import Allocation

    Allocation.objects.filter(trust=b).delete()
    services.recompute()
    assert not Entitlement.objects.filter(trust=b).exists()


def test_every_scheme_when_none_is_given():
    trust = TrustFactory()
    for code in ("2016-17", "2017-18", "2018-19"):
        AllocationFactory(trust=trust, scheme=scheme(code))
    run = services.recompute()
    assert run.state == "done" and run.progress_total == 12
    assert Entitlement.objects.filter(trust=trust).count() == 12
    assert "2016-17: 4 trust-quarters" in run.message and "2018-19" in run.message


def test_a_failure_is_recorded_on_the_run():
    country(1, quarters=(1,))
    with mock.patch("finance.services.engine.compute_entitlements", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            services.recompute(scheme=scheme("2016-17"))
    run = latest_run()
    assert run.state == "failed" and run.message == "RuntimeError: boom" and run.finished_at is not None


def test_a_run_records_its_trusts_sorted_and_once():
    run = services.create_run(scheme=scheme("2016-17"), trust_ids=["7", 3, 7], trigger="command")
    run.refresh_from_db()
    assert (run.state, run.trust_ids, run.trigger, run.task_id) == ("queued", [3, 7], "command", "")
    assert services.create_run().trust_ids is None


def test_what_if_uses_the_same_engine_and_writes_nothing():
    trust = country(1, quarters=(2,), performance={"ae": (90, 100)})[0]
    s = scheme("2016-17")
    runs = RecomputeRun.objects.count()
    base = services.what_if(trust=trust, scheme=s, quarter=2)
    assert base["status"] == "partial" and base["withheld"] == "31250.00"
    better = services.what_if(trust=trust, scheme=s, quarter=2, performance={"ae": D("95.00")})
    assert better["status"] == "full" and better["metrics"][0]["performance"] == "95.00"
    failing = services.what_if(trust=trust, scheme=s, quarter=2, actual_ytd=D("-500000.01"))
    assert failing["status"] == "finance_failed" and failing["withheld"] == "250000.00"
    assert not Entitlement.objects.exists() and RecomputeRun.objects.count() == runs


def test_year_end_awards_reconcile_the_country_to_the_pot():
    trusts = country(3)
    # Trust 0 beats its control total (-500,000) by £120,000.50 at month 12.
    from finance.models import FinanceReturn

    FinanceReturn.objects.filter(trust=trusts[0], month=QUARTER_ENDS[3]).update(actual_ytd=D("-379999.50"))
    # Trust 1 ends exactly on its control total: eligible, no incentive.
    FinanceReturn.objects.filter(trust=trusts[1], month=QUARTER_ENDS[3]).update(actual_ytd=D("-500000.00"))
    # Trust 2 fails finance in Q3 and Q4 (withheld £500,000.00) and ends below its control total.
    FinanceReturn.objects.filter(trust=trusts[2], month=QUARTER_ENDS[2]).update(actual_ytd=D("-600000.00"))
    FinanceReturn.objects.filter(trust=trusts[2], month=QUARTER_ENDS[3]).update(actual_ytd=D("-500000.01"))
    services.recompute(scheme=scheme("2016-17"))
    awards = {a.trust_id: a for a in year_end_awards(scheme("2016-17"))}
    assert set(awards) == {t.pk for t in trusts}
    assert awards[trusts[0].pk].incentive == D("120000.50")
    assert awards[trusts[1].pk].eligible and awards[trusts[1].pk].incentive == 0
    assert not awards[trusts[2].pk].eligible and awards[trusts[2].pk].bonus == 0
    # Pool = 1,800,000,000.00 - 3,000,000.00 + 500,000.00 withheld = 1,797,500,000.00;
    # bonus = pool - 120,000.50 = 1,797,379,999.50 shared equally by trusts 0 and 1: 898,689,999.75 each.
    assert awards[trusts[0].pk].bonus == awards[trusts[1].pk].bonus == D("898689999.75")
    earned = sum(Entitlement.objects.values_list("earned", flat=True))
    total = earned + sum(a.incentive + a.bonus for a in awards.values())
    assert total == D("1800000000.00")


def test_no_year_end_while_a_quarter_is_pending():
    country(2, quarters=(1, 2, 3))
    services.recompute(scheme=scheme("2016-17"))
    assert not YearEndAward.objects.exists()


def test_eligibility_queryset_filters():
    a, b = country(2, quarters=(1,))
    services.recompute(scheme=scheme("2016-17"))
    assert eligibility_queryset(year="2016-17").count() == 8
    assert eligibility_queryset(year="2017-18").count() == 0
    assert [e.trust_id for e in eligibility_queryset(year="2016-17", quarter=1, org_code=a.org_code)] == [a.pk]
    assert eligibility_queryset(region=b.region.code, status="full").count() == 1
    assert eligibility_queryset(footprint=a.footprint.code, quarter=2, status="pending").count() == 1
    assert eligibility_queryset(trust_type="mental_health").count() == 0

