"""Reopenings of decided quarters for REST clients (``finance.reopenings``).

``GET /api/v1/reopenings/`` lists them (analysts every trust's, a finance director the trusts they
direct); ``POST /api/v1/reopenings/`` reopens a decided trust-quarter and
``POST /api/v1/reopenings/{id}/close/`` closes a reopening: analysts only, anyone else 403.
"""
from django import forms
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import Pagination, QueryForm
from trusts.models import Trust
from trusts.roles import is_analyst, restrict_to_visible

from . import reopenings as service
from .models import QuarterReopening, Scheme
from .query import SchemeYearField


class ReopeningRecordSerializer(serializers.Serializer):
    """Documents the records; they come from ``finance.reopenings.reopening_record``."""

    id = serializers.IntegerField()
    org_code = serializers.CharField()
    trust_name = serializers.CharField()
    year = serializers.CharField(help_text="Scheme year, e.g. 2016-17")
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    reason = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["open", "closed"], help_text="While open, the trust's finance directors may upload its finance returns")
    opened_by = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_by = serializers.CharField(allow_null=True, help_text="Null when open, or when closed by a recompute")
    closed_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField(allow_null=True)
    closed_by_run = serializers.IntegerField(allow_null=True, help_text="The recompute that decided it again")


class ReopenSerializer(serializers.Serializer):
    org_code = serializers.CharField(max_length=8)
    year = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="Scheme year, e.g. 2016-17")
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    reason = serializers.CharField(max_length=4000)


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


def _analyst(request):
    if not is_analyst(request.user):
        raise PermissionDenied(service.ANALYSTS_ONLY)


class ReopeningQuery(QueryForm):
    year = SchemeYearField()
    org_code = forms.CharField(max_length=8, required=False)
    state = forms.ChoiceField(choices=[("open", "open")], required=False)


class ReopeningList(generics.GenericAPIView):
    """Decided quarters reopened to their finance directors' finance returns: who reopened which
    trust-quarter and why, and when it closed. POST (analysts) reopens one."""

    serializer_class = ReopeningRecordSerializer
    pagination_class = Pagination
    filter_backends = []

    def get_queryset(self):
        query = ReopeningQuery(self.request.query_params)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        year = query.cleaned_data["year"] or None
        rows = service.reopenings(year=year, open_only=query.cleaned_data["state"] == "open")
        org_code = query.cleaned_data["org_code"].strip().upper()
        if org_code:
            rows = rows.filter(trust__org_code=org_code)
        return restrict_to_visible(rows, self.request.user)

    @extend_schema(parameters=[
        OpenApiParameter("year", str, description="Scheme year, e.g. 2016-17"),
        OpenApiParameter("org_code", str, description="ODS code of the trust"),
        OpenApiParameter("state", str, enum=["open"], description="open: only reopenings still open"),
    ], responses={200: ReopeningRecordSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([service.reopening_record(row) for row in page])

    @extend_schema(request=ReopenSerializer, responses={
        201: ReopeningRecordSerializer, 400: OpenApiResponse(description="Not reopened: why"),
        403: OpenApiResponse(description="Not an analyst")})
    def post(self, request, *args, **kwargs):
        _analyst(request)
        form = ReopenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        trust = Trust.objects.filter(org_code=data["org_code"].strip().upper()).first()
        scheme = Scheme.objects.filter(code=data["year"]).first()
        problems = {}
        if trust is None:
            problems["org_code"] = [f"There is no trust {data['org_code']!r}."]
        if scheme is None:
            problems["year"] = [f"There is no scheme {data['year']!r}."]
        if problems:
            raise ValidationError(problems)
        reopening = service.reopen(user=request.user, trust=trust, scheme=scheme, quarter=data["quarter"],
                                   reason=data["reason"])
        found = service.reopenings().get(pk=reopening.pk)
        return Response(service.reopening_record(found), status=status.HTTP_201_CREATED)


class ReopeningClose(APIView):
    """Close a reopening (analysts): the quarter takes no more finance returns from its directors."""

    @extend_schema(request=CloseSerializer, responses={
        200: ReopeningRecordSerializer, 400: OpenApiResponse(description="Already closed"),
        403: OpenApiResponse(description="Not an analyst"), 404: OpenApiResponse(description="No such reopening")})
    def post(self, request, pk):
        _analyst(request)
        form = CloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if not QuarterReopening.objects.filter(pk=pk).exists():
            raise NotFound(f"There is no reopening {pk}.")
        service.close(user=request.user, reopening=pk, reason=form.validated_data.get("reason", ""))
        return Response(service.reopening_record(service.reopenings().get(pk=pk)))
