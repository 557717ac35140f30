"""Baseline history: one historical record for each row that has none, so its first edit has a before.

django-simple-history writes a record on each ``save()``; rows written by a data migration, a
``QuerySet.update`` or a ``bulk_create`` without history have none, and the first edit of such a
row could only be shown as the first recorded version. :func:`write_baselines` gives every such
row a "created" record of the row as it stands (no user, :data:`BASELINE_REASON` as the reason).

It takes the model and its historical model as classes, so that a data migration can pass the
models of its ``apps`` and a ``post_migrate`` handler (:func:`connect_baselines`) the installed
ones. When nothing is missing it reads one query per model.
"""
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_migrate
from django.utils import timezone

BASELINE_REASON = "Baseline: the row as it stood before its history was kept"
BATCH = 500
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def missing_history(model, history_model, using=DEFAULT_DB_ALIAS):
    """The rows of ``model`` of which ``history_model`` holds no record."""
    pk = model._meta.pk.attname
    recorded = history_model._default_manager.using(using).filter(**{pk: OuterRef("pk")})
    return model._default_manager.using(using).filter(~Exists(recorded)).order_by("pk")


def _copied_fields(model, history_model):
    """(attname on the row, attname on the record) for each field the history keeps."""
    kept = {f.name: f for f in history_model._meta.concrete_fields if f.name not in HISTORY_FIELDS}
    return [(f.attname, kept[f.name].attname) for f in model._meta.concrete_fields if f.name in kept]


def write_baselines(model, history_model, *, using=DEFAULT_DB_ALIAS, reason=BASELINE_REASON, batch_size=BATCH):
    """Write a "created" record for every row of ``model`` without one; return how many were written."""
    written = 0
    while True:
        rows = list(missing_history(model, history_model, using)[:batch_size])
        if not rows:
            return written
        written += write_versions(model, history_model, rows, using=using, reason=reason, history_type="+",
                                  batch_size=batch_size)


def write_versions(model, history_model, rows, *, reason, using=DEFAULT_DB_ALIAS, history_type="~", batch_size=BATCH):
    """Write one record of each of ``rows`` as it stands (no user, ``reason``): how a data migration
    that changes rows without ``save()`` history keeps their audit trail. Returns how many."""
    fields = _copied_fields(model, history_model)
    now = timezone.now()
    records = [
        history_model(
            **{record_field: getattr(row, row_field) for row_field, record_field in fields},
            history_date=now,
            history_type=history_type,
            history_user_id=None,
            history_change_reason=reason,
        )
        for row in rows
    ]
    history_model._default_manager.using(using).bulk_create(records, batch_size=batch_size)
    return len(records)


def connect_baselines(app_config, *model_names):
    """After each ``migrate`` (and ``flush``), write baselines for the app's ``model_names``."""

    def write_app_baselines(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, verbosity=1, stdout=None, **kwargs):
        for name in model_names:
            try:
                model = apps.get_model(app_config.label, name)
                history_model = apps.get_model(app_config.label, f"Historical{name}")
            except LookupError:  # migrated back to before the model or its history existed
                continue
            if not router.allow_migrate_model(using, model):
                continue
            written = write_baselines(model, history_model, using=using)
            if written and verbosity >= 1 and stdout is not None:
                stdout.write(f"  Wrote baseline history for {written} {model._meta.label} row(s).\n")

    post_migrate.connect(
        write_app_baselines, sender=app_config, weak=False, dispatch_uid=f"{app_config.label}.history_baselines"
    )
    return write_app_baselines
