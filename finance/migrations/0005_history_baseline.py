"""A baseline historical record for every scheme, allocation and trust that has none.

The schemes of 0002_schemes, and any row written in bulk without history, had no version for their
first edit to be compared with; each now gets one, of the row as it stands. New rows without history
get theirs after each ``migrate`` (common.history.connect_baselines).
"""
from django.db import DEFAULT_DB_ALIAS, migrations

from common.history import write_baselines

MODELS = [("finance", "Scheme"), ("finance", "Allocation"), ("trusts", "Trust")]


def write_history_baselines(apps, schema_editor):
    using = schema_editor.connection.alias if schema_editor is not None else DEFAULT_DB_ALIAS
    for app_label, name in MODELS:
        write_baselines(apps.get_model(app_label, name), apps.get_model(app_label, f"Historical{name}"), using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0004_input_changes"),
        ("trusts", "0002_trust_successions"),
    ]
    operations = [migrations.RunPython(write_history_baselines, migrations.RunPython.noop)]
