"""Finance directors upload only their trusts' monthly finance returns: the permission says so."""
from django.db import migrations

NAMES = {
    "upload_trust_returns": ("Can upload monthly returns for the trusts they direct",
                             "Can upload monthly finance returns for the trusts they direct"),
}


def rename(apps, schema_editor, forward=True):
    Permission = apps.get_model("auth", "Permission")
    for codename, (old, new) in NAMES.items():
        Permission.objects.filter(content_type__app_label="trusts", codename=codename).update(
            name=new if forward else old)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("trusts", "0003_published_statistics_upload_kinds"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="upload",
            options={
                "ordering": ["-uploaded_at", "-id"],
                "permissions": [
                    ("import_national", "Can import national statistics, trust lists and plans"),
                    ("upload_trust_returns", "Can upload monthly finance returns for the trusts they direct"),
                ],
            },
        ),
        migrations.RunPython(rename, rename_back),
    ]
