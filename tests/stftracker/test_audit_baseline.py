"""Baseline history: rows written without history (a data migration, a bulk write) get a first version
after each migrate, so the audit log shows their first edit in the admin as before and after."""
import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as installed_apps
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from common.history import BASELINE_REASON, missing_history, write_baselines
from finance.models import Allocation, Scheme
from stftracker.audit.selectors import FIRST_RECORDED, recent_changes
from stftracker.demo import load_demo
from tests.admin_forms import change_in_admin
from tests.factories import RegionFactory, TrustFactory
from trusts.models import Trust, TrustType

MODELS = (Scheme, Allocation, Trust)
SYSTEM = "system (command, import or task)"


def history_counts():
    return {model.__name__: model.history.count() for model in MODELS}


def run_post_migrate():
    """What ``migrate`` (and ``flush``) run once the migrations are applied."""
    emit_post_migrate_signal(0, False, connection.alias)


@pytest.fixture
def unrecorded(db):
    """A scheme, a trust and an allocation written as a data migration or a bulk write does: no history."""
    scheme = Scheme.objects.bulk_create([Scheme(
        code="2019-20", name="Provider Sustainability Fund 2019/20", start_date=datetime.date(2019, 4, 1),
        pot=Decimal("2450000000.00"), weights={"ae": "30"}, standards={"ae": "90"},
        phasing=["15", "20", "30", "35"], rule_variant="threshold_or_prior_year",
        applicability={t: (["ae"] if t == "acute" else []) for t, _ in TrustType.choices},
        comparison_scheme=Scheme.objects.get(code="2018-19"),
        source_document="Guidance", checked_by="Loaded by a migration", reviewed_on=datetime.date(2019, 3, 1),
    )])[0]
    region = RegionFactory(code="YBULK", name="Bulk Region")
    trust = Trust.objects.bulk_create([
        Trust(org_code="RBULK", name="Bulk Hospitals NHS Trust", trust_type="acute", region=region)
    ])[0]
    allocation = Allocation.objects.bulk_create([Allocation(
        trust=trust, scheme=scheme, stf_allocation=Decimal("1000000.00"), control_total=Decimal("-500000.00"),
        control_total_accepted=True,
    )])[0]
    for obj in (scheme, trust, allocation):
        assert not type(obj).history.filter(id=obj.pk).exists()
    return {"scheme": scheme, "trust": trust, "allocation": allocation}


def latest(kind):
    return recent_changes(kind=kind, limit=1)[0]


# --- The baseline ----------------------------------------------------------------------------------


def test_the_migrations_left_every_shipped_scheme_with_a_baseline_and_its_year_end_change(db):
    year_end_migration = import_module("finance.migrations.0007_scheme_year_end_methods_and_due_days")
    schemes = {scheme.code: scheme for scheme in Scheme.objects.all()}
    assert {code: scheme.year_end_method for code, scheme in schemes.items()} == {
        "2016-17": "incentive_bonus", "2017-18": "general_distribution", "2018-19": "incentive_bonus"}
    for code, scheme in schemes.items():
        records = list(scheme.history.order_by("history_date", "history_id"))
        baseline = records[0]
        assert (baseline.history_type, baseline.history_user, baseline.history_change_reason) == (
            "+", None, BASELINE_REASON), code
        # 2016-17 had a year end before (its baseline says so); the two later years got theirs.
        if code == "2016-17":
            assert len(records) == 1
            assert baseline.year_end_method == "incentive_bonus"
            continue
        assert len(records) == 2, code
        assert (baseline.year_end_method, baseline.year_end_bands) == ("none", []), code
        change = records[1]
        assert (change.history_type, change.history_user, change.history_change_reason) == (
            "~", None, year_end_migration.REASON), code
        assert (change.year_end_method, change.year_end_bands) == (scheme.year_end_method, scheme.year_end_bands)


def test_after_migrate_only_rows_without_history_get_a_baseline(unrecorded):
    recorded = TrustFactory(org_code="RSAVED")  # saved: its "created" record is there already
    before = history_counts()

    run_post_migrate()

    assert history_counts() == {name: count + 1 for name, count in before.items()}
    for obj in unrecorded.values():
        (record,) = type(obj).history.filter(id=obj.pk)
        assert (record.history_type, record.history_user, record.history_change_reason) == ("+", None, BASELINE_REASON)
    assert unrecorded["trust"].history.get().trust_type == "acute"  # the row as it stood
    assert unrecorded["scheme"].history.get().standards == {"ae": "90"}
    assert recorded.history.count() == 1 and recorded.history.get().history_change_reason is None

    run_post_migrate()
    assert history_counts() == {name: count + 1 for name, count in before.items()}


def test_nothing_missing_costs_one_query_per_model(unrecorded):
    run_post_migrate()
    for model in MODELS:
        with CaptureQueriesContext(connection) as queries:
            assert write_baselines(model, model.history.model) == 0
        assert len(queries) == 1, model


def test_many_rows_are_written_in_batches(db):
    region = RegionFactory()
    Trust.objects.bulk_create([
        Trust(org_code=f"RB{n:03d}", name=f"Trust {n}", trust_type="community", region=region) for n in range(7)
    ])
    assert write_baselines(Trust, Trust.history.model, batch_size=3) == 7
    assert not missing_history(Trust, Trust.history.model).exists()


def test_the_data_migration_writes_baselines_with_the_models_of_its_state(unrecorded):
    # The state models of the migrated database (the function must not use the installed models).
    loader = MigrationLoader(connection)
    state_apps = loader.project_state(loader.graph.leaf_nodes("finance")).apps
    before = history_counts()

    import_module("finance.migrations.0005_history_baseline").write_history_baselines(state_apps, None)

    assert history_counts() == {name: count + 1 for name, count in before.items()}
    assert unrecorded["allocation"].history.get().history_change_reason == BASELINE_REASON
    import_module("finance.migrations.0005_history_baseline").write_history_baselines(installed_apps, None)
    assert history_counts() == {name: count + 1 for name, count in before.items()}


def test_rows_the_demo_writes_through_the_intake_have_history(db):
    load_demo(scale=0.1)
    assert Trust.objects.exists() and Allocation.objects.exists()
    for model in MODELS:
        assert not missing_history(model, model.history.model).exists(), model
    assert Allocation.history.filter(history_type="+").count() == Allocation.objects.count()


# --- The first edit after a data migration, on the audit log -----------------------------------------


def test_first_admin_edit_of_a_shipped_scheme_shows_standards_before_and_after(client, admin_user_, analyst):
    scheme = Scheme.objects.get(code="2018-19")
    assert scheme.standards == {"ae": "90"}

    change_in_admin(client, admin_user_, scheme, standards='{"ae": "89"}')

    scheme.refresh_from_db()
    assert scheme.standards == {"ae": "89"}
    entry = latest("scheme")
    assert (entry.subject, entry.action, entry.user) == ("STF 2018-19 scheme", "changed", "admin")
    assert [(c.field, c.old, c.new) for c in entry.changes] == [("standards", '{"ae": "90"}', '{"ae": "89"}')]
    assert entry.detail == ""
    assert entry.when == scheme.history.latest().history_date
    assert entry.when > scheme.history.earliest().history_date

    client.force_login(analyst)
    html = client.get("/audit/?kind=scheme").content.decode()
    assert "<strong>standards</strong>: {&quot;ae&quot;: &quot;90&quot;} → {&quot;ae&quot;: &quot;89&quot;}" in html
    assert FIRST_RECORDED not in html


def test_first_admin_edit_of_a_bulk_written_scheme_shows_before_and_after(client, unrecorded, admin_user_):
    run_post_migrate()
    scheme = unrecorded["scheme"]

    change_in_admin(client, admin_user_, scheme, checked_by="A. Reviewer", pot="2500000000.00")

    entry = latest("scheme")
    assert (entry.subject, entry.action, entry.user, entry.detail) == ("STF 2019-20 scheme", "changed", "admin", "")
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("checked by", "Loaded by a migration", "A. Reviewer"),
        ("pot", "2,450,000,000.00", "2,500,000,000.00"),
    ]
    baseline = recent_changes(kind="scheme", limit=2)[1]
    assert (baseline.subject, baseline.action, baseline.user) == ("STF 2019-20 scheme", "created", SYSTEM)
    assert baseline.reason == BASELINE_REASON and baseline.changes == []


def test_first_admin_edit_of_a_bulk_written_allocation_shows_before_and_after(client, unrecorded, admin_user_):
    run_post_migrate()

    change_in_admin(client, admin_user_, unrecorded["allocation"], stf_allocation="1250000.50",
                    control_total_accepted=False)

    entry = latest("allocation")
    assert (entry.subject, entry.action, entry.user, entry.trust_code) == (
        "RBULK allocation under STF 2019-20", "changed", "admin", "RBULK")
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("control total accepted", "yes", "no"),
        ("stf allocation", "1,000,000.00", "1,250,000.50"),
    ]
    assert entry.detail == ""
    assert entry.when == unrecorded["allocation"].history.latest().history_date


def test_first_admin_edit_of_a_bulk_written_trust_type_shows_before_and_after(client, unrecorded, admin_user_,
                                                                             analyst):
    run_post_migrate()
    trust = unrecorded["trust"]

    change_in_admin(client, admin_user_, trust, trust_type="community")

    entry = latest("trust")
    assert (entry.subject, entry.action, entry.user) == ("Bulk Hospitals NHS Trust (RBULK)", "changed", "admin")
    assert [(c.field, c.old, c.new) for c in entry.changes] == [("trust type", "Acute", "Community")]
    assert entry.when == trust.history.latest().history_date

    client.force_login(analyst)
    html = client.get("/audit/?trust=RBULK").content.decode()
    assert "<strong>trust type</strong>: Acute → Community" in html


def test_without_a_baseline_the_first_edit_has_nothing_to_compare_with(unrecorded, analyst):
    # What the baseline prevents: the row edited before any baseline was written.
    trust = unrecorded["trust"]
    trust.trust_type = "community"
    trust._history_user = analyst
    trust.save()

    entry = latest("trust")
    assert entry.changes == [] and entry.detail == FIRST_RECORDED
