"""Fields the API's query forms share (``common.api.QueryForm``): a scheme year that must be one
of the schemes set up, so ``?year=2019-20`` is a 400 naming the parameter, not an empty answer."""
from django import forms
from django.core.exceptions import ValidationError

from .models import Scheme

YEAR_FORMAT = "Enter a scheme year such as 2016-17."


def unknown_year(year: str) -> str | None:
    """Why ``year`` is not a scheme that is set up, or None when it is (one query, two when not)."""
    if Scheme.objects.filter(code=year).exists():
        return None
    years = ", ".join(Scheme.objects.order_by("start_date").values_list("code", flat=True)) or "none yet"
    return f"No STF scheme for {year}: the schemes are {years}."


class SchemeYearField(forms.RegexField):
    """A scheme's year (``2016-17``), which must be a scheme that is set up (one query). With
    ``check_exists=False`` only its form is checked: an endpoint that answers from a cache checks
    the year with :func:`unknown_year` only when it finds nothing for it."""

    def __init__(self, *, check_exists=True, **kwargs):
        self.check_exists = check_exists
        kwargs.setdefault("required", False)
        messages = {"invalid": YEAR_FORMAT, **kwargs.pop("error_messages", {})}
        super().__init__(regex=r"^\d{4}-\d{2}$", error_messages=messages, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and self.check_exists:
            message = unknown_year(value)
            if message:
                raise ValidationError(message, code="unknown")
        return value
