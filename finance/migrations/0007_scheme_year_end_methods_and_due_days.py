"""Year ends as scheme data, and when returns are due (RULES.md, "Year end (2017/18 and
2018/19)" and "Returns and when they are due").

``has_year_end`` becomes ``year_end_method``: a scheme that had a year end keeps the incentive and
bonus (its earlier history records too); 2017-18 gets the general distribution on its sliding
scale and 2018-19 the incentive and bonus, as RULES.md sets them. Each scheme's returns are due on
the default working days. A scheme whose year end changed gets a history record of the change and,
when it holds results, is marked as changed: the next recompute writes its year end, and until then
its figures show as out of date.
"""
from decimal import Decimal

from django.db import migrations, models
from django.utils import timezone

import finance.models
from common.history import write_versions

BANDS = [
    {"up_to": "0", "weight": "1"},
    {"up_to": "25", "weight": "0.75"},
    {"up_to": "50", "weight": "0.5"},
    {"up_to": "100", "weight": "0.25"},
]
METHODS = {"2017-18": "general_distribution", "2018-19": "incentive_bonus"}


REASON = "Year end set as scheme data (RULES.md)"


def year_end_of(code, had_year_end):
    """The year-end method and bands RULES.md gives a scheme (by its code and its old flag)."""
    method = METHODS.get(code, "incentive_bonus" if had_year_end else "none")
    return method, (BANDS if method == "general_distribution" else [])


def forwards(apps, schema_editor):
    Scheme = apps.get_model("finance", "Scheme")
    HistoricalScheme = apps.get_model("finance", "HistoricalScheme")
    InputChange = apps.get_model("finance", "InputChange")
    Entitlement = apps.get_model("finance", "Entitlement")
    # Earlier records said the same thing with the old flag: a year end meant the incentive and bonus.
    HistoricalScheme.objects.filter(has_year_end=True).update(year_end_method="incentive_bonus")
    now = timezone.now()
    changed = []
    for scheme in Scheme.objects.order_by("pk"):
        method, bands = year_end_of(scheme.code, scheme.has_year_end)
        scheme.year_end_method, scheme.year_end_bands = method, bands
        scheme.save(update_fields=["year_end_method", "year_end_bands"])
        if method == ("incentive_bonus" if scheme.has_year_end else "none"):
            continue  # what the old flag said: not a change
        changed.append(scheme)
        if Entitlement.objects.filter(scheme_id=scheme.pk).exists():
            InputChange.objects.create(scheme_id=scheme.pk, trust=None, source="finance.scheme", changed_at=now)
    write_versions(Scheme, HistoricalScheme, changed, reason=REASON, using=schema_editor.connection.alias)
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys of the rows written now, so that the same transaction may
        # then drop the old column (PostgreSQL refuses to alter a table with pending trigger events).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def backwards(apps, schema_editor):
    Scheme = apps.get_model("finance", "Scheme")
    for scheme in Scheme.objects.all():
        scheme.has_year_end = scheme.year_end_method != "none"
        scheme.save(update_fields=["has_year_end"])


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0006_finance_met_null_when_not_judged'),
        ('trusts', '0002_trust_successions'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='yearendaward',
            name='year_end_award_not_negative',
        ),
        migrations.AddField(
            model_name='historicalscheme',
            name='returns_due',
            field=models.JSONField(default=finance.models.default_returns_due, help_text='Working days after the month end by which each return is due: finance and each metric'),
        ),
        migrations.AddField(
            model_name='historicalscheme',
            name='year_end_bands',
            field=models.JSONField(blank=True, default=list, help_text='General distribution: shortfall bands, percent of allocation -> weight'),
        ),
        migrations.AddField(
            model_name='historicalscheme',
            name='year_end_method',
            field=models.CharField(choices=[('incentive_bonus', 'Incentive (£1 for £1) and bonus pro rata to allocation'), ('general_distribution', 'General distribution on a sliding scale, weighted by allocation'), ('none', 'No year end')], default='none', help_text='How what is left of the pot is shared once the year is decided', max_length=30),
        ),
        migrations.AddField(
            model_name='scheme',
            name='returns_due',
            field=models.JSONField(default=finance.models.default_returns_due, help_text='Working days after the month end by which each return is due: finance and each metric'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='year_end_bands',
            field=models.JSONField(blank=True, default=list, help_text='General distribution: shortfall bands, percent of allocation -> weight'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='year_end_method',
            field=models.CharField(choices=[('incentive_bonus', 'Incentive (£1 for £1) and bonus pro rata to allocation'), ('general_distribution', 'General distribution on a sliding scale, weighted by allocation'), ('none', 'No year end')], default='none', help_text='How what is left of the pot is shared once the year is decided', max_length=30),
        ),
        migrations.AddField(
            model_name='yearendaward',
            name='general_distribution',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=16),
        ),
        migrations.AddConstraint(
            model_name='yearendaward',
            constraint=models.CheckConstraint(condition=models.Q(('bonus__gte', 0), ('general_distribution__gte', 0), ('incentive__gte', 0)), name='year_end_award_not_negative'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='historicalscheme',
            name='has_year_end',
        ),
        migrations.RemoveField(
            model_name='scheme',
            name='has_year_end',
        ),
    ]
