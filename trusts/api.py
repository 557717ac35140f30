"""Trusts for REST clients, and the pieces every app's API shares (renderers, month filters)."""
import datetime

import django_filters
from django import forms
from rest_framework import serializers, viewsets
from rest_framework.renderers import BaseRenderer

from .exports import csv_text
from .models import Footprint, Region, Trust, TrustType


class CSVRenderer(BaseRenderer):
    """Rows (a list of dicts) as CSV through :func:`trusts.exports.csv_text`, formula cells neutralised.

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


def month_text(value):
    return value.strftime("%Y-%m") if value else None


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class FootprintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Footprint
        fields = ["code", "name"]


class TrustSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    footprint = FootprintSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Trust
        fields = ["org_code", "name", "trust_type", "region", "footprint", "active"]


class TrustFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="Region code")
    footprint = django_filters.CharFilter(field_name="footprint__code", label="STP footprint code")
    trust_type = django_filters.ChoiceFilter(choices=TrustType.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = Trust
        fields = ["region", "footprint", "trust_type", "active"]


class TrustViewSet(viewsets.ReadOnlyModelViewSet):
    """NHS provider trusts: reference data every logged-in user may read."""

    queryset = Trust.objects.select_related("region", "footprint").order_by("org_code")
    serializer_class = TrustSerializer
    filterset_class = TrustFilter
    lookup_field = "org_code"
    lookup_value_regex = "[A-Za-z0-9]{3,8}"

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()
