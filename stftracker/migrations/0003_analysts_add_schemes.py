"""Analysts set schemes: besides changing a year's rules they may add the next year's scheme."""
from django.db import migrations

ADDED = {"analyst": [("finance", "add_scheme")]}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ADDED.items():
        group = Group.objects.get(name=role)
        for app_label, codename in codes:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ADDED.items():
        group = Group.objects.get(name=role)
        for app_label, codename in codes:
            group.permissions.remove(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [("stftracker", "0002_api_tokens")]
    operations = [migrations.RunPython(grant, revoke)]
