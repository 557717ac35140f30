"""Adjustments on review for REST clients: ``GET /api/v1/adjustments/`` (read-only).

Analysts see every adjustment; a finance director only those of the trusts they direct (every
state: proposed, approved, withdrawn); anyone else none. Proposing, approving and withdrawing are
done on the pages (``/adjustments/``), by analysts.
"""
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from common.api import CSVRenderer, Pagination, QueryForm
from trusts.roles import restrict_to_visible

from .adjustments import RECORD_FIELDS, adjustment_record
from .models import AdjustmentDecision, AdjustmentState
from .query import SchemeYearField
from .selectors import adjustments


class AdjustmentQuery(QueryForm):
    year = SchemeYearField()
    quarter = forms.TypedChoiceField(choices=[(q, q) for q in ("1", "2", "3", "4")], coerce=int, required=False,
                                     empty_value=None)
    org_code = forms.CharField(max_length=8, required=False)
    state = forms.ChoiceField(choices=AdjustmentState.choices, required=False)

    def criteria(self):
        criteria = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        if "org_code" in criteria:
            criteria["org_code"] = criteria["org_code"].upper()
        return criteria


class AdjustmentRecordSerializer(serializers.Serializer):
    """Documents the records; they come from ``finance.adjustments.adjustment_record``."""

    id = serializers.IntegerField()
    org_code = serializers.CharField()
    trust_name = serializers.CharField()
    year = serializers.CharField(help_text="Scheme year, e.g. 2016-17")
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    element = serializers.CharField(help_text="finance, or the metric adjusted (ae, rtt, cancer62)")
    decision = serializers.ChoiceField(choices=AdjustmentDecision.choices, help_text="pay (met) or withhold (missed)")
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=AdjustmentState.choices,
                                    help_text="Only an approved adjustment changes the figures")
    document = serializers.CharField(allow_null=True, help_text="The attached document's name (analysts download it "
                                                                "from the adjustment's page), or null")
    proposed_by = serializers.CharField()
    proposed_at = serializers.DateTimeField()
    approved_by = serializers.CharField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    withdrawn_by = serializers.CharField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField(allow_null=True)


def _parameter(name, description, enum=None, type_=str):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


@extend_schema(
    parameters=[
        _parameter("year", "Scheme year, e.g. 2016-17"),
        _parameter("quarter", "Quarter of the financial year", enum=[1, 2, 3, 4], type_=int),
        _parameter("org_code", "ODS code of the trust"),
        _parameter("state", "State of the adjustment", enum=AdjustmentState.values),
        _parameter("format", "json (default) or csv", enum=["json", "csv"]),
    ],
    responses={
        (200, "application/json"): AdjustmentRecordSerializer(many=True),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every matching adjustment, one row each"),
    },
)
class AdjustmentList(generics.GenericAPIView):
    """Adjustments on review: who proposed paying or withholding which element of which trust-quarter,
    why, and who approved or withdrew it. Finance directors see their own trusts' only.
    ``?format=csv`` gives every matching adjustment (not one page)."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    serializer_class = AdjustmentRecordSerializer
    pagination_class = Pagination
    filter_backends = []

    def get_queryset(self):
        query = AdjustmentQuery(self.request.query_params)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        return restrict_to_visible(adjustments(**query.criteria()), self.request.user)

    def get_renderer_context(self):
        context = super().get_renderer_context()
        context["csv_fields"] = RECORD_FIELDS
        context["csv_filename"] = "stf-adjustments.csv"
        return context

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        if request.accepted_renderer.format == "csv":
            return Response([adjustment_record(row) for row in queryset])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([adjustment_record(row) for row in page])
