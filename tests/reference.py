"""Reference data that data migrations load: the shipped schemes and the role groups.

A transactional test (``transaction=True``, the live server) empties every table when it ends,
these too; :func:`restore_reference_data` puts them back as the migrations do.
"""
from importlib import import_module


def restore_reference_data():
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    from finance import dependencies
    from finance.models import InputChange, Scheme
    from trusts.roles import ROLE_PERMISSIONS

    if Scheme.objects.count() < 3:
        # As a fresh migrate leaves them: the schemes, and no input change waiting for a recompute.
        shipped = import_module("finance.migrations.0002_schemes")
        year_ends = import_module("finance.migrations.0007_scheme_year_end_methods_and_due_days")
        with dependencies.deferred():
            shipped.load_schemes(apps, None)
            for data in shipped.SCHEMES:
                method, bands = year_ends.year_end_of(data["code"], data["has_year_end"])
                Scheme.objects.filter(code=data["code"]).update(year_end_method=method, year_end_bands=bands)
        InputChange.objects.all().delete()
    if Group.objects.filter(name__in=list(ROLE_PERMISSIONS)).count() == len(ROLE_PERMISSIONS):
        return
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [tuple(code.split(".")) for code in codes]
        group.permissions.set(
            [Permission.objects.get(content_type__app_label=app, codename=name) for app, name in wanted]
        )
