"""finance.met is null when the finance test was not applied, and a £0.00 allocation is not in the
scheme (RULES.md, "Trusts with nothing at stake").

The stored results are made honest at once: a no-control-total quarter's ``finance_met`` (and the
``met`` of its detail) becomes null, and the results and year-end lines of trusts with a £0.00
allocation are removed. The engine's version changed as well (new reasons for tied figures; the
year end without those trusts), so every scheme that holds results is marked as changed for every
trust: the next recompute rewrites them, and until then they are shown as out of date.
"""
from django.db import migrations, models
from django.utils import timezone

BATCH = 500


def forwards(apps, schema_editor):
    Entitlement = apps.get_model("finance", "Entitlement")
    YearEndAward = apps.get_model("finance", "YearEndAward")
    Allocation = apps.get_model("finance", "Allocation")
    InputChange = apps.get_model("finance", "InputChange")

    unjudged = list(Entitlement.objects.filter(status="no_control_total").only("id", "finance_met", "detail"))
    for row in unjudged:
        row.finance_met = None
        if isinstance(row.detail, dict) and isinstance(row.detail.get("finance"), dict):
            row.detail["finance"]["met"] = None
    Entitlement.objects.bulk_update(unjudged, ["finance_met", "detail"], batch_size=BATCH)

    for trust_id, scheme_id in Allocation.objects.filter(stf_allocation=0).values_list("trust_id", "scheme_id"):
        Entitlement.objects.filter(trust_id=trust_id, scheme_id=scheme_id).delete()
        YearEndAward.objects.filter(trust_id=trust_id, scheme_id=scheme_id).delete()

    now = timezone.now()
    schemes = Entitlement.objects.values_list("scheme_id", flat=True).distinct()
    InputChange.objects.bulk_create([
        InputChange(scheme_id=scheme_id, trust=None, source="finance.engine", changed_at=now)
        for scheme_id in sorted(set(schemes))
    ])


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0005_history_baseline'),
    ]

    operations = [
        migrations.AlterField(
            model_name='entitlement',
            name='finance_met',
            field=models.BooleanField(help_text="Null when the finance test was not applied (no control total accepted, or the return for the quarter's last month missing); false only when an applied test failed", null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
