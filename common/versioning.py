"""Versioned imports: what an import would do (a :class:`Plan`), diffing parsed rows against the
current stored rows, and writing them so that nothing is deleted: a changed row is superseded
(``is_current=False``) by a new one that names its upload. Bulk operations only: no query per row.

Each ``prepare_<kind>`` reads what is stored (a fixed number of queries), diffs the parsed rows
against it and returns a :class:`Plan` whose ``apply(upload=..., user=...)`` writes the rows; the
caller (the intake's ``ingest``) runs it inside its one transaction.
"""
from dataclasses import dataclass, field

from .errors import RowError

BATCH = 1000


@dataclass
class Plan:
    """What an import would do: rows new, changed, unchanged; errors; how to write it."""

    kind: str
    errors: list[RowError] = field(default_factory=list)
    new: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    trust_ids: set = field(default_factory=set)
    scheme_ids: set = field(default_factory=set)
    notes: dict = field(default_factory=dict)
    apply: object = None  # callable(*, upload, user) -> None

    @property
    def counts(self):
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged),
                "skipped": len(self.skipped)}

    def sort(self, row: dict, existing, value_fields) -> None:
        """File ``row`` as new (nothing stored), changed (with the values it replaces in
        ``row["before"]``) or unchanged against the stored row ``existing``."""
        if existing is None:
            self.new.append(row)
            return
        row["existing"] = existing
        if any(getattr(existing, name) != row[name] for name in value_fields):
            row["before"] = {name: getattr(existing, name) for name in value_fields}
            self.changed.append(row)
        else:
            self.unchanged.append(row)


def diff_versioned(plan: Plan, model, rows, *, key_fields, value_fields, label):
    """Sort rows into new / changed / unchanged against the model's current rows (one query)."""
    trust_ids = {row["trust_id"] for row in rows}
    months = {row["month"] for row in rows}
    current = {}
    if rows:
        queryset = model.objects.filter(is_current=True, trust_id__in=trust_ids)
        if len(months) <= 60:
            queryset = queryset.filter(month__in=months)
        for obj in queryset.only("id", *[f"{name}" for name in key_fields if name != "trust_id"], "trust_id", *value_fields):
            current[tuple(getattr(obj, name) for name in key_fields)] = obj
    for row in rows:
        row["label"] = label(row)
        plan.sort(row, current.get(tuple(row[name] for name in key_fields)), value_fields)
        plan.trust_ids.add(row["trust_id"])


def supersede(model, plan: Plan, *, upload, key_fields, value_fields):
    """Write new and changed rows; the rows they replace stay, with ``is_current=False``."""
    old_ids = [row["existing"].pk for row in plan.changed]
    for start in range(0, len(old_ids), BATCH):  # one UPDATE per batch of ids, not per row
        model.objects.filter(pk__in=old_ids[start:start + BATCH]).update(is_current=False)
    objs = [
        model(upload=upload, is_current=True, **{name: row[name] for name in key_fields + value_fields})
        for row in plan.new + plan.changed
    ]
    model.objects.bulk_create(objs, batch_size=BATCH)
