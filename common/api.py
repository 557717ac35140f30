"""REST plumbing every API shares: a CSV renderer and filters by trust and month range."""
import datetime

import django_filters
from django import forms
from rest_framework.renderers import BaseRenderer

from .exports import csv_text


class CSVRenderer(BaseRenderer):
    """Rows (a list of dicts) as CSV through :func:`common.exports.csv_text`, formula cells neutralised.

    The view names the columns in ``renderer_context["csv_fields"]`` and may name the download
    ``renderer_context["csv_filename"]``. An error (a dict) becomes a one-column ``detail`` CSV.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        if isinstance(data, dict):  # an error answer
            detail = data.get("detail", data)
            return csv_text([{"detail": detail}], ["detail"]).encode(self.charset)
        fields = renderer_context.get("csv_fields") or (list(data[0]) if data else [])
        response = renderer_context.get("response")
        filename = renderer_context.get("csv_filename")
        if response is not None and filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return csv_text(data, fields).encode(self.charset)


class MonthField(forms.DateField):
    """A month written ``YYYY-MM``, cleaned to the first day of that month."""

    input_formats = ["%Y-%m"]

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": "Enter a month as YYYY-MM, e.g. 2016-06."})
        super().__init__(input_formats=self.input_formats, **kwargs)

    def to_python(self, value):
        month = super().to_python(value)
        return month.replace(day=1) if isinstance(month, datetime.date) else month


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class MonthRangeFilterSet(django_filters.FilterSet):
    """Returns filtered by trust (``org_code``) and by month range (``month_from``/``month_to``, YYYY-MM)."""

    org_code = django_filters.CharFilter(field_name="trust__org_code", lookup_expr="iexact", label="ODS code of the trust")
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label="First month, YYYY-MM")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label="Last month, YYYY-MM")
