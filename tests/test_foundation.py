"""The foundation: schemes shipped as data, database constraints, settings from the environment."""
import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from finance.models import Entitlement, Scheme
from tests.factories import FinanceReturnFactory, PerformanceReturnFactory, TrustFactory

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_schemes_are_shipped_as_valid_data():
    schemes = {s.code: s for s in Scheme.objects.all()}
    assert sorted(schemes) == ["2016-17", "2017-18", "2018-19"]
    for scheme in schemes.values():
        scheme.full_clean()  # raises if the shipped data breaks its own rules
    assert schemes["2016-17"].weights == {"ae": "12.5", "rtt": "12.5", "cancer62": "5"}
    assert schemes["2017-18"].phasing == ["15", "20", "30", "35"]
    assert schemes["2018-19"].comparison_scheme == schemes["2017-18"]


@pytest.mark.django_db
def test_scheme_validation_reports_every_error_at_once():
    scheme = Scheme.objects.get(code="2016-17")
    scheme.weights = {"ae": "80", "rtt": "30", "flu": "1"}
    scheme.phasing = ["25", "25", "25"]
    with pytest.raises(ValidationError) as caught:
        scheme.full_clean()
    errors = caught.value.message_dict
    assert any("more than 100%" in m for m in errors["weights"])
    assert any("'flu'" in m for m in errors["weights"])
    assert errors["phasing"] == ["Phasing must list four quarterly percentages."]


@pytest.mark.django_db
def test_year_end_bands_and_due_days_are_checked_band_by_band():
    scheme = Scheme.objects.get(code="2017-18")
    assert scheme.year_end_bands[1] == {"up_to": "25", "weight": "0.75"}
    assert scheme.returns_due["finance"] == 8
    scheme.year_end_bands = [{"up_to": "25", "weight": "0.75"}, {"up_to": "10", "weight": "1.5"}, {"upto": "5"}]
    scheme.returns_due = {"finance": 0, "flu": 3, "ae": "10"}
    with pytest.raises(ValidationError) as caught:
        scheme.full_clean()
    errors = caught.value.message_dict
    assert errors["year_end_bands"] == [
        "Band 2: up_to 10 must be above the band before it.",
        "Band 2: weight must be between 0 and 1, not '1.5'.",
        "Band 3 must be {\"up_to\": percent, \"weight\": 0 to 1}, not {'upto': '5'}.",
    ]
    assert errors["returns_due"] == [
        "Due day of 'finance' must be a whole number of working days from 1 to 60, not 0.",
        "Unknown return 'flu': one of ae, cancer62, finance, rtt.",
        "Due day of 'ae' must be a whole number of working days from 1 to 60, not '10'.",
    ]


@pytest.mark.django_db
def test_only_one_current_return_per_trust_and_month():
    first = FinanceReturnFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FinanceReturnFactory(trust=first.trust, month=first.month)
    # A superseded row may stay beside the current one.
    FinanceReturnFactory(trust=first.trust, month=first.month, is_current=False)


@pytest.mark.django_db
def test_database_rejects_numerator_above_denominator_and_mid_month_dates():
    with pytest.raises(IntegrityError), transaction.atomic():
        PerformanceReturnFactory(numerator=11, denominator=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        FinanceReturnFactory(month=datetime.date(2016, 6, 15))


@pytest.mark.django_db
def test_database_rejects_an_entitlement_that_does_not_reconcile():
    trust = TrustFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(
            trust=trust, scheme=Scheme.objects.get(code="2016-17"), quarter=1, status="full",
            allocation=Decimal("100.00"), earned=Decimal("99.99"), withheld=Decimal("0.00"),
            pending=Decimal("0.00"), fingerprint="x", computed_at=datetime.datetime.now(datetime.timezone.utc),
        )


def _manage(*args, env):
    """manage.py on the settings the product ships (not the suite's)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "stftracker.settings"},
        capture_output=True, text=True, timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="0", ALLOWED_HOSTS="stf.example.nhs.uk")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = dict(os.environ, DEBUG="0", SECRET_KEY="x" * 20 + "-a-long-random-production-secret-Zq9", ALLOWED_HOSTS="stf.example.nhs.uk",
               REDIS_URL="redis://127.0.0.1:6379/0")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only; never in production
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
