"""Finding a trust by its name or ODS code: one query, best matches first.

A query matches a trust whose ODS code is it (any case), whose code starts with it, or whose name
holds every word of it; "Name (CODE)", as the typeahead fills the box, is the trust with that code.
Exact codes come first, then codes that start with the query, then names, each alphabetically by
name (ignoring case).
"""
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Lower

from .models import Trust

SEARCH_LIMIT = 20
MAX_QUERY_LENGTH = 100
_CODE_IN_BRACKETS = re.compile(r"\(([A-Za-z0-9]{3,8})\)\s*$")


def chosen_code(query: str) -> str | None:
    """The ODS code a "Name (CODE)" query names, else None."""
    match = _CODE_IN_BRACKETS.search(query or "")
    return match.group(1).upper() if match else None


def search_trusts(query: str, *, limit: int | None = SEARCH_LIMIT, queryset=None):
    """Trusts matching ``query`` (see the module's note), at most ``limit`` (None: all of them, as a
    queryset that may still be filtered), with region and footprint."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    queryset = (queryset if queryset is not None else Trust.objects.all()).select_related("region", "footprint")
    if not query:
        return queryset.none()
    code = chosen_code(query)
    if code:
        return queryset.filter(org_code=code)
    words = query.split()
    by_name = Q()
    for word in words:
        by_name &= Q(name__icontains=word)
    matches = queryset.filter(Q(org_code__iexact=query) | Q(org_code__istartswith=query) | by_name)
    rank = Case(When(org_code__iexact=query, then=Value(0)), When(org_code__istartswith=query, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    matches = matches.annotate(search_rank=rank).order_by("search_rank", Lower("name"), "org_code")
    return matches if limit is None else matches[:limit]


def resolve_area(model, value: str) -> str | None:
    """The code of the region or footprint (``model``) whose code or name is ``value``, any case."""
    value = (value or "").strip()
    if not value:
        return None
    return (model.objects.filter(Q(code__iexact=value) | Q(name__iexact=value))
            .order_by("code").values_list("code", flat=True).first())


class AreaField(forms.CharField):
    """A region or footprint named by its code or its name, cleaned to its code."""

    def __init__(self, *, model, noun, **kwargs):
        self.model, self.noun = model, noun
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        code = resolve_area(self.model, value)
        if code is None:
            raise ValidationError(f"No {self.noun} has the code or name “{value}”.", code="unknown")
        return code
