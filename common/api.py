"""REST plumbing every API shares: pagination, one exception handler (domain errors become
400s, a lost database a 503, a 429 says when to try again), a CSV renderer, filters by trust
and month range, and query parameters checked strictly: a parameter an endpoint does not take is
a 400 naming it, never silently ignored (``StrictFilterBackend`` for django-filter's filter sets,
``QueryForm`` for endpoints that read their query through a form). Wired in through
REST_FRAMEWORK in settings.
"""
import datetime
import logging
import math

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.forms.utils import ErrorList
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from .errors import DomainError
from .exports import csv_text

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "The database is unavailable just now. Nothing was saved. Please try again in a minute."


# Parameters every endpoint takes: pagination and the response format (?format=csv).
ALWAYS_KNOWN = frozenset({"page", "page_size", "format"})


def unknown_parameters(query, known) -> dict:
    """{name: [message]} for each parameter of ``query`` that is neither in ``known`` nor always known."""
    unknown = sorted(set(query) - set(known) - ALWAYS_KNOWN)
    takes = ", ".join(sorted(set(known))) or "no filters"
    return {name: [f"Unknown parameter “{name}”: this endpoint takes {takes} (and page, page_size, format)."]
            for name in unknown}


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a parameter the view's filter set does not define (a view
    may name more it reads itself in ``extra_query_parameters``)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        errors = unknown_parameters(request.query_params, known | set(getattr(view, "extra_query_parameters", ())))
        if errors:
            raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


class QueryForm(forms.Form):
    """A form reading an endpoint's query: a parameter it has no field for is an error naming it."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, messages in unknown_parameters(self.data, self.fields).items():
            self._errors[name] = ErrorList(messages)
            self.cleaned_data.pop(name, None)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def throttle_rate(view):
    """The allowance of the throttle that holds up ``view``'s requests, as set ("2000/hour")."""
    rates = [throttle.rate for throttle in view.get_throttles() if getattr(throttle, "rate", None)] if view else []
    return rates[0] if rates else ""


def exception_handler(exc, context):
    """DRF's handler, plus: domain errors -> 400, database unavailable -> 503, a 429 that says when."""
    # rest_framework.views reads these settings as it loads, so it cannot be imported at the top.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, (OperationalError, InterfaceError)):
        request = context.get("request")
        logger.error("Database unavailable while serving %s: %s", getattr(request, "path", "?"), exc)
        return Response(
            {"detail": DATABASE_UNAVAILABLE, "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "60"},
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError({"detail": str(exc)})
    elif isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        rate = throttle_rate(context.get("view"))
        exc = exceptions.Throttled(wait=wait)
        exc.detail = exceptions.ErrorDetail(
            f"Too many requests: the limit is {rate} per user. Try again in {wait} seconds.", code="throttled"
        )
    return drf_exception_handler(exc, context)


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
