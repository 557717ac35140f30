"""Eligibility, schemes and finance returns for REST clients.

Eligibility is the national published view: every logged-in user reads every trust's records.
Returns are limited to the trusts the user may see (``trusts.roles``).
"""
import hashlib

from django import forms
from django.core.cache import cache
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from common.api import CSVRenderer, MonthRangeFilterSet, Pagination, QueryForm
from common.months import month_text
from performance.models import Metric
from trusts.models import Footprint, Region, Trust, TrustType
from trusts.roles import restrict_to_visible
from trusts.search import AreaField

from .eligibility import CSV_FIELDS, entitlement_record, flat_record, not_in_scheme_record
from .models import EntitlementStatus, FinanceReturn, RecomputeRun, RunState, Scheme
from .query import SchemeYearField, unknown_year
from .selectors import eligibility_queryset, schemes_not_in, staleness

# --- Eligibility -----------------------------------------------------------------------------------


class EligibilityQuery(QueryForm):
    """The eligibility filters, checked before the selector is asked."""

    year = SchemeYearField(check_exists=False)  # checked in list() only when nothing matches
    quarter = forms.TypedChoiceField(choices=[(q, q) for q in ("1", "2", "3", "4")], coerce=int, required=False, empty_value=None)
    org_code = forms.CharField(max_length=8, required=False)
    region = AreaField(model=Region, noun="region", required=False)
    footprint = AreaField(model=Footprint, noun="STP footprint", required=False)
    trust_type = forms.ChoiceField(choices=TrustType.choices, required=False)
    status = forms.ChoiceField(choices=EntitlementStatus.choices, required=False)

    def criteria(self):
        criteria = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        if "org_code" in criteria:
            criteria["org_code"] = criteria["org_code"].upper()
        return criteria


def _parameter(name, description, enum=None, type_=str):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


TRUST_ELIGIBILITY_PARAMETERS = [
    _parameter("year", "Scheme year, e.g. 2016-17"),
    _parameter("quarter", "Quarter of the financial year (Q1 = April to June)", enum=[1, 2, 3, 4], type_=int),
    _parameter("status", "Entitlement status", enum=[code for code, _ in EntitlementStatus.choices]),
]
FIGURES_STATUS_HEADER = OpenApiParameter(
    "Figures-Status", str, OpenApiParameter.HEADER, response=True,
    description='"current" when the records include every input; otherwise "stale; since=\"<ISO time of the oldest '
                'change not included>\"; changes=<n>" while the recompute that includes it runs, or "stale-delayed; ..." '
                "when that recompute is overdue (the task queue is down or behind). Scoped to the year and trust asked for.",
)
TRUST_ELIGIBILITY_PARAMETERS.append(FIGURES_STATUS_HEADER)
ELIGIBILITY_PARAMETERS = TRUST_ELIGIBILITY_PARAMETERS + [
    _parameter("org_code", "ODS code of the trust"),
    _parameter("region", "Region code or name"),
    _parameter("footprint", "STP footprint code or name"),
    _parameter("trust_type", "Trust type", enum=[code for code, _ in TrustType.choices]),
]

def _money(**kwargs):
    return serializers.RegexField(r"^-?\d+\.\d{2}$", help_text="£, 2 decimals", **kwargs)


def _percent():
    return serializers.RegexField(r"^\d+\.\d{2}$", allow_null=True, help_text="Percent, 2 decimals")


class FinanceElementSerializer(serializers.Serializer):
    met = serializers.BooleanField(
        allow_null=True,
        help_text="true or false when the finance test was applied; null when it was not: no control total "
                  "accepted (status no_control_total) or the return for the quarter's last month missing "
                  "(status pending). Only an applied test is false (status finance_failed).",
    )
    element = _money()
    ytd_plan = _money(allow_null=True)
    ytd_actual = _money(allow_null=True)


class MetricElementSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    applicable = serializers.BooleanField()
    element = _money()
    met = serializers.BooleanField(
        allow_null=True,
        help_text="null while pending or not applicable. With status no_control_total or finance_failed the "
                  "metric is judged but decides nothing: the whole quarter is withheld.",
    )
    performance = _percent()
    trajectory = _percent()
    standard = _percent()


class RecordAdjustmentSerializer(serializers.Serializer):
    """An approved adjustment on review of the quarter (RULES.md, "Adjustments on review")."""

    id = serializers.IntegerField()
    element = serializers.CharField(help_text="finance, or the metric adjusted (ae, rtt, cancer62)")
    decision = serializers.ChoiceField(choices=[("pay", "pay"), ("withhold", "withhold")],
                                       help_text="pay: the element is met; withhold: it is missed")
    reason = serializers.CharField()
    approved_by = serializers.CharField()
    approved_at = serializers.DateTimeField()


class EligibilityRecordSerializer(serializers.Serializer):
    """Documents the eligibility record of DESIGN.md; the records come from ``entitlement_record``."""

    org_code = serializers.CharField()
    trust_name = serializers.CharField()
    year = serializers.CharField(help_text="Scheme year, e.g. 2016-17")
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    status = serializers.ChoiceField(choices=EntitlementStatus.choices)
    allocation = _money()
    earned = _money()
    withheld = _money()
    pending = _money()
    finance = FinanceElementSerializer()
    metrics = MetricElementSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField())
    adjustments = RecordAdjustmentSerializer(
        many=True, help_text="The approved adjustments on review of the quarter, applied after the rules (the "
                             "reasons say what each did); an empty list when there are none.")
    scheme = serializers.CharField()
    computed_at = serializers.DateTimeField()


class EligibilityPagination(Pagination):
    """The eligibility page, with ``not_in_scheme``: the schemes the trust asked about (``org_code``, or
    the trust of the URL) is not in, a £0.00 allocation or none recorded; empty for any other request."""

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["not_in_scheme"] = {
            "type": "array",
            "description": "The schemes (within the year asked for) that the trust asked about is not in: it has "
                           "a £0.00 allocation, or none, so it has no records and no status there. Empty when the "
                           "request names no trust.",
            "items": {
                "type": "object", "required": ["org_code", "year", "allocation", "message"],
                "properties": {
                    "org_code": {"type": "string"},
                    "year": {"type": "string", "example": "2018-19"},
                    "allocation": {"type": "string", "nullable": True, "pattern": r"^-?\d+\.\d{2}$",
                                   "description": "£0.00, or null when no allocation is recorded"},
                    "message": {"type": "string",
                                "example": "Not in the scheme for 2018-19: the allocation is £0.00, so there is "
                                           "no status and nothing is earned, withheld or pending."},
                },
            },
        }
        response["required"] = [*response.get("required", []), "not_in_scheme"]
        return response


ELIGIBILITY_RESPONSES = {
    (200, "application/json"): EligibilityRecordSerializer(many=True),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every matching record, one flat row each"),
    304: OpenApiResponse(description="Not modified since the ETag or date the client holds"),
}
SCHEME_RULE_FIELDS = ["weights", "standards", "phasing", "applicability", "notes", "source_document", "source_url"]
RECORDS_CACHE_SECONDS = 600


def last_recompute():
    """(id, finished_at) of the latest finished recompute, or (None, None)."""
    latest = (
        RecomputeRun.objects.filter(state=RunState.DONE, finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .values_list("id", "finished_at")
        .first()
    )
    return latest or (None, None)


class EligibilityListMixin:
    """A paginated (or, as CSV, complete) list of eligibility records that answers conditional requests.

    The validators come from the data, not from the page: ETag from the newest ``computed_at`` of the
    filtered rows, their number, the latest finished recompute, whether inputs changed that they do
    not include yet (the ``Figures-Status`` header: ``current``, or ``stale; since="..."; changes=N``,
    ``stale-delayed`` when the recompute is overdue) and the request (URL and format);
    Last-Modified from the newer of the two dates. Three or four queries, whatever the rows. The answer is
    cached under its ETag, so a repeated request costs those queries and no serialisation.
    """

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    serializer_class = EligibilityRecordSerializer  # for the schema; records come from entitlement_record
    pagination_class = EligibilityPagination
    filter_backends = []
    csv_filename = "stf-eligibility.csv"

    def fixed_criteria(self):
        return {}

    def get_queryset(self):
        query = EligibilityQuery(self.request.query_params)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        self.criteria = {**query.criteria(), **self.fixed_criteria()}
        return eligibility_queryset(**self.criteria)

    def figures_status(self):
        """``current``, or the staleness of the figures this answer draws on (its year and trust, when
        asked for one): the ``Figures-Status`` header."""
        stale = staleness(year=self.criteria.get("year"), org_code=self.criteria.get("org_code"))
        return "current" if stale is None else stale.header

    def not_in_scheme(self):
        """The schemes the trust asked about is not in (none when the request names no trust)."""
        org_code = self.criteria.get("org_code")
        if not org_code:
            return []
        return [not_in_scheme_record(org_code=org_code, year=year, allocation=allocation)
                for year, allocation in schemes_not_in(org_code=org_code, year=self.criteria.get("year"))]

    def get_renderer_context(self):
        context = super().get_renderer_context()
        context["csv_fields"] = CSV_FIELDS
        context["csv_filename"] = self.csv_filename
        return context

    def validators(self, queryset, figures_status):
        summary = queryset.order_by().aggregate(newest=Max("computed_at"), rows=Count("pk"))
        year = self.criteria.get("year")
        if not summary["rows"] and year and (message := unknown_year(year)):
            raise ValidationError({"year": [message]})
        run_id, run_finished = last_recompute()
        dates = [d for d in (summary["newest"], run_finished) if d is not None]
        last_modified = max(dates) if dates else None
        key = "|".join(
            str(part)
            for part in (
                summary["newest"] and summary["newest"].isoformat(), summary["rows"], run_id,
                run_finished and run_finished.isoformat(), figures_status, self.request.build_absolute_uri(),
                self.request.accepted_renderer.format,
            )
        )
        return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32]), last_modified

    def records(self, queryset):
        """The answer's data: every record flat for CSV, else one page of records."""
        # The records use the scheme's code only: leave its rule data in the database.
        queryset = queryset.defer(*(f"scheme__{name}" for name in SCHEME_RULE_FIELDS))
        if self.request.accepted_renderer.format == "csv":
            return [flat_record(entitlement_record(row)) for row in queryset]
        page = self.paginate_queryset(queryset)
        data = self.get_paginated_response([entitlement_record(row) for row in page]).data
        data["not_in_scheme"] = self.not_in_scheme()
        return data

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        figures_status = self.figures_status()
        etag, last_modified = self.validators(queryset, figures_status)
        timestamp = int(last_modified.timestamp()) if last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if response is None:
            # The ETag names this data version, query and format: a cached answer under it is current.
            key = f"api:eligibility:{etag}"
            data = cache.get(key)
            if data is None:
                data = self.records(queryset)
                cache.set(key, data, timeout=RECORDS_CACHE_SECONDS)
            response = Response(data)
        response["ETag"] = etag
        response["Figures-Status"] = figures_status
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return response


@extend_schema(
    parameters=ELIGIBILITY_PARAMETERS + [_parameter("format", "json (default) or csv", enum=["json", "csv"])],
    responses=ELIGIBILITY_RESPONSES,
)
class EligibilityList(EligibilityListMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """Each trust's STF entitlement per quarter: earned, withheld, pending, and why.

    A trust with a £0.00 allocation for a scheme is not in it: it has no records there. When the
    request names a trust (``org_code``), ``not_in_scheme`` lists the schemes it is not in, each with
    a message ("Not in the scheme for 2018-19: ..."). ``?format=csv`` gives every matching record
    (not one page) as flat CSV rows, without ``not_in_scheme``.
    """

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema(
    parameters=TRUST_ELIGIBILITY_PARAMETERS + [_parameter("format", "json (default) or csv", enum=["json", "csv"])],
    responses=ELIGIBILITY_RESPONSES,
)
class TrustEligibilityList(EligibilityListMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """One trust's STF entitlements, every scheme and quarter unless filtered.

    ``not_in_scheme`` lists the schemes (within ``year``) the trust is not in: a £0.00 allocation or
    none recorded, so no records and no status there ("Not in the scheme for 2018-19: ...")."""

    def fixed_criteria(self):
        trust = get_object_or_404(Trust.objects.only("org_code"), org_code=self.kwargs["org_code"].upper())
        self.csv_filename = f"stf-eligibility-{trust.org_code}.csv"
        return {"org_code": trust.org_code}

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


# --- Schemes ---------------------------------------------------------------------------------------


class SchemeSerializer(serializers.ModelSerializer):
    comparison_scheme = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Scheme
        fields = [
            "code", "name", "start_date", "pot", "weights", "standards", "phasing", "applicability",
            "rule_variant", "q1_paid_on_trajectory", "comparison_scheme", "year_end_method",
            "year_end_bands", "returns_due",
            "source_document", "source_url", "checked_by", "reviewed_on", "notes",
        ]


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The STF rules of each year, held as data with their source."""

    queryset = Scheme.objects.select_related("comparison_scheme").order_by("start_date")
    serializer_class = SchemeSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{4}-\d{2}"


# --- Finance returns -------------------------------------------------------------------------------


class FinanceReturnSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="trust.org_code", read_only=True)
    month = serializers.SerializerMethodField()

    class Meta:
        model = FinanceReturn
        fields = ["id", "org_code", "month", "plan_ytd", "actual_ytd", "forecast_outturn", "upload", "created_at"]

    @extend_schema_field({"type": "string", "example": "2016-06"})
    def get_month(self, row):
        return month_text(row.month)


class FinanceReturnFilter(MonthRangeFilterSet):
    class Meta:
        model = FinanceReturn
        fields = ["org_code", "month_from", "month_to"]


class FinanceReturnList(generics.ListAPIView):
    """Current monthly finance returns (YTD plan and actual, forecast outturn, excluding STF income)."""

    serializer_class = FinanceReturnSerializer
    filterset_class = FinanceReturnFilter

    def get_queryset(self):
        rows = FinanceReturn.objects.current().select_related("trust").order_by("trust__org_code", "month")
        return restrict_to_visible(rows, self.request.user)
