"""manage.py recompute and export_eligibility."""
import csv
import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from finance.eligibility import CSV_FIELDS
from finance.models import Entitlement, RecomputeRun
from tests.factories import AllocationFactory, FinanceReturnFactory, TrustFactory, scheme

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def mental_health_trust():
    trust = TrustFactory(org_code="RMH01", name="Leafy Mental Health NHS Trust", trust_type="mental_health")
    AllocationFactory(trust=trust, scheme=scheme("2016-17"), stf_allocation=D("400000.00"))
    FinanceReturnFactory(trust=trust, month=datetime.date(2016, 6, 1), plan_ytd=D("-100.00"), actual_ytd=D("-99.00"))
    return trust


def test_recompute_one_year_reports_what_it_did(mental_health_trust):
    output = run("recompute", "--year", "2016-17")
    assert "in-process" in output
    assert "2016-17: 4 trust-quarters, 4 written" in output
    assert "4 trust-quarters computed, 4 rows written in" in output
    assert Entitlement.objects.count() == 4
    assert RecomputeRun.objects.get(catch_up=False).trigger == "command"


def test_recompute_every_year_and_an_unknown_year(mental_health_trust):
    run("recompute")
    assert Entitlement.objects.filter(scheme__code="2016-17").count() == 4
    with pytest.raises(CommandError, match="No scheme '2030-31'"):
        run("recompute", "--year", "2030-31")


def test_export_json_prints_the_eligibility_records(mental_health_trust):
    run("recompute", "--year", "2016-17")
    records = json.loads(run("export_eligibility", "--year", "2016-17", "--quarter", "1"))
    assert len(records) == 1
    record = records[0]
    # A mental-health trust is judged on finance alone: Q1 = 25% of £400,000.00, all earned.
    assert (record["org_code"], record["quarter"], record["status"], record["allocation"], record["earned"]) == (
        "RMH01", 1, "full", "100000.00", "100000.00")
    assert record["finance"] == {"met": True, "element": "100000.00", "ytd_plan": "-100.00", "ytd_actual": "-99.00"}
    assert all(m["applicable"] is False for m in record["metrics"])
    assert len(json.loads(run("export_eligibility", "--year", "2016-17"))) == 4


def test_export_csv(mental_health_trust):
    run("recompute", "--year", "2016-17")
    text = run("export_eligibility", "--year", "2016-17", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == CSV_FIELDS
    assert [(r["quarter"], r["status"], r["pending"]) for r in rows] == [
        ("1", "full", "0.00"), ("2", "pending", "100000.00"), ("3", "pending", "100000.00"), ("4", "pending", "100000.00")]
    # Negative money stays a number, not neutralised text.
    assert rows[0]["ytd_plan"] == "-100.00"


def test_export_needs_a_known_year():
    with pytest.raises(CommandError, match="No scheme"):
        run("export_eligibility", "--year", "1999-00")
