"""Adjustments on review (RULES.md, "Adjustments on review"): an analyst proposes paying or withholding
one element of one trust-quarter, a second analyst approves it, and it can be withdrawn; at most one
approved adjustment per trust, scheme, quarter and element. Its history feeds the audit log."""

import django.db.models.deletion
import finance.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0007_scheme_year_end_methods_and_due_days'),
        ('trusts', '0002_trust_successions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalAdjustment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('quarter', models.PositiveSmallIntegerField()),
                ('element', models.CharField(help_text='finance, or a metric the scheme weighs (ae, rtt, cancer62)', max_length=20)),
                ('decision', models.CharField(choices=[('pay', 'Pay (met)'), ('withhold', 'Withhold (missed)')], max_length=10)),
                ('reason', models.TextField()),
                ('document', models.TextField(blank=True, max_length=200)),
                ('document_name', models.CharField(blank=True, help_text="The document's name as uploaded", max_length=200)),
                ('state', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=10)),
                ('proposed_at', models.DateTimeField()),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawal_reason', models.TextField(blank=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('approved_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='finance.scheme')),
                ('trust', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trusts.trust')),
                ('withdrawn_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical adjustment',
                'verbose_name_plural': 'historical adjustments',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Adjustment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quarter', models.PositiveSmallIntegerField()),
                ('element', models.CharField(help_text='finance, or a metric the scheme weighs (ae, rtt, cancer62)', max_length=20)),
                ('decision', models.CharField(choices=[('pay', 'Pay (met)'), ('withhold', 'Withhold (missed)')], max_length=10)),
                ('reason', models.TextField()),
                ('document', models.FileField(blank=True, max_length=200, upload_to=finance.models.adjustment_document_path)),
                ('document_name', models.CharField(blank=True, help_text="The document's name as uploaded", max_length=200)),
                ('state', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=10)),
                ('proposed_at', models.DateTimeField()),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawal_reason', models.TextField(blank=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='adjustments', to='finance.scheme')),
                ('trust', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='adjustments', to='trusts.trust')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-proposed_at', '-id'],
                'indexes': [models.Index(fields=['scheme', 'state'], name='finance_adj_scheme__8ab64a_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'approved')), fields=('trust', 'scheme', 'quarter', 'element'), name='adjustment_one_approved_per_element'), models.CheckConstraint(condition=models.Q(('quarter__gte', 1), ('quarter__lte', 4)), name='adjustment_quarter_1_4'), models.CheckConstraint(condition=models.Q(('decision__in', ['pay', 'withhold'])), name='adjustment_decision_known'), models.CheckConstraint(condition=models.Q(('state__in', ['proposed', 'approved', 'withdrawn'])), name='adjustment_state_known')],
            },
        ),
    ]
