"""Rows the figures are computed from ("inputs") say when they change, whatever wrote them.

A model whose rows are inputs of the figures subclasses :class:`InputModel` and names its key
fields (``INPUT_KEYS``, such as ``("trust_id", "month")``); its manager's queryset is an
:class:`InputQuerySet`. Every write then sends :data:`inputs_changed` with the keys of the rows it
touched: a single ``save()`` or ``delete()`` (the admin, a service, the shell) through the model,
and a bulk ``bulk_create``, ``bulk_update``, ``update()`` or ``delete()`` (the
intake, a command, a data migration using the model) through the queryset. The app that computes
the figures listens and marks them for recompute; nothing here knows what the figures are.

``update()`` and ``delete()`` read the keys of the rows they will touch first (one query).
"""
from django.db import models
from django.dispatch import Signal

# sender: the model class; keys: a list of {field: value} dicts, one per row touched (repeats allowed).
inputs_changed = Signal()


def _keys_of(model, objs):
    return [{name: getattr(obj, name) for name in model.INPUT_KEYS} for obj in objs]


def announce(model, keys):
    """Send :data:`inputs_changed` for ``keys`` of ``model`` (nothing when there are none)."""
    keys = list(keys)
    if keys:
        inputs_changed.send(sender=model, keys=keys)


class InputQuerySet(models.QuerySet):
    """A queryset whose bulk writes announce the rows they touch (see the module's docstring)."""

    def _touched(self):
        return list(self.order_by().values(*self.model.INPUT_KEYS).distinct())

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        announce(self.model, _keys_of(self.model, created))
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        announce(self.model, _keys_of(self.model, objs))
        return count

    def update(self, **kwargs):
        touched = self._touched()
        count = super().update(**kwargs)
        if count:
            announce(self.model, touched)
            moved = {name: value for name, value in kwargs.items() if name in self.model.INPUT_KEYS}
            if moved:  # rows moved to a new key change the figures there too
                announce(self.model, [{**key, **moved} for key in touched])
        return count

    def delete(self):
        touched = self._touched()
        result = super().delete()
        if result[0]:
            announce(self.model, touched)
        return result


class InputModel(models.Model):
    """A model whose rows are inputs of the figures: its single-row saves and deletes announce the
    rows they touch (a save that moves a row to a new key announces both keys)."""

    INPUT_KEYS: tuple = ()

    objects = InputQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        model = type(self)
        before = list(model._base_manager.filter(pk=self.pk).values(*model.INPUT_KEYS)) if self.pk else []
        super().save(*args, **kwargs)
        announce(model, before + _keys_of(model, [self]))

    def delete(self, *args, **kwargs):
        model = type(self)
        keys = _keys_of(model, [self])
        result = super().delete(*args, **kwargs)
        announce(model, keys)
        return result
