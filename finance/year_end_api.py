"""``GET /api/v1/year-end/?year=``: a scheme's year end for REST clients (the national published
view: every logged-in user reads every trust's line).

The answer is one object, not paginated (a line per trust in the scheme): ``year``, ``method``,
``state`` (decided, waiting, refused, none, empty), ``decided``, ``message``, ``national`` (the
reconciliation: pot, allocations, withheld, pool, awards and the check ``earned + awarded = pot``),
``waits`` (while a quarter is pending: which trusts wait for which months of which returns),
``count`` and ``results`` (the DESIGN.md records). ``?format=csv`` gives the records alone.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import CSVRenderer, QueryForm

from .models import Scheme, YearEndMethod
from .query import SchemeYearField, unknown_year
from .selectors import staleness
from .year_end_records import CSV_FIELDS, NATIONAL_MONEY, flat_record, overview_record, year_end_overview

STATES = ["decided", "waiting", "refused", "none", "empty"]


class YearEndQuery(QueryForm):
    year = SchemeYearField(required=True, check_exists=False,  # the view loads the scheme
                           error_messages={"required": "Name the scheme year, e.g. ?year=2016-17."})


def _money(**kwargs):
    kwargs.setdefault("help_text", "£, 2 decimals")
    return serializers.RegexField(r"^-?\d+\.\d{2}$", **kwargs)


class YearEndRecordSerializer(serializers.Serializer):
    """Documents the year-end record of DESIGN.md; the records come from ``award_record``."""

    org_code = serializers.CharField()
    trust_name = serializers.CharField()
    year = serializers.CharField(help_text="Scheme year, e.g. 2016-17")
    method = serializers.ChoiceField(choices=YearEndMethod.choices)
    eligible = serializers.BooleanField(
        help_text="Incentive and bonus: accepted and met its control total at month 12. General distribution: "
                  "accepted its control total and has a weight above 0 (a share of the pool).")
    incentive = _money()
    bonus = _money()
    general_distribution = _money()
    total = _money(help_text="incentive + bonus + general_distribution")
    reasons = serializers.ListField(child=serializers.CharField())


NationalSerializer = inline_serializer("YearEndNational", fields={
    **{name: _money(allow_null=True) for name in NATIONAL_MONEY},
    "reconciles": serializers.BooleanField(help_text="check (earned + awarded) equals the pot"),
})
WaitSerializer = inline_serializer("YearEndWait", many=True, fields={
    "org_code": serializers.CharField(),
    "trust_name": serializers.CharField(),
    "missing": serializers.DictField(
        child=serializers.ListField(child=serializers.RegexField(r"^\d{4}-\d{2}$")),
        help_text='The months ("YYYY-MM") each return has not arrived for: "finance" or a metric code'),
    "quarters_computed": serializers.IntegerField(min_value=0, max_value=4),
    "pending": _money(),
})
YearEndSerializer = inline_serializer("YearEnd", fields={
    "year": serializers.CharField(),
    "method": serializers.ChoiceField(choices=YearEndMethod.choices),
    "state": serializers.ChoiceField(choices=STATES),
    "decided": serializers.BooleanField(),
    "message": serializers.CharField(),
    "national": NationalSerializer,
    "waits": WaitSerializer,
    "count": serializers.IntegerField(),
    "results": YearEndRecordSerializer(many=True),
})


@extend_schema(
    parameters=[
        OpenApiParameter("year", str, OpenApiParameter.QUERY, required=True, description="Scheme year, e.g. 2016-17"),
        OpenApiParameter("format", str, OpenApiParameter.QUERY, required=False, enum=["json", "csv"],
                         description="json (default) or csv (the records alone, reasons joined by ' | ')"),
        OpenApiParameter("Figures-Status", str, OpenApiParameter.HEADER, response=True,
                         description='"current", or "stale; ..." while inputs changed that the figures do not '
                                     "include yet (as the eligibility list)."),
    ],
    responses={
        (200, "application/json"): YearEndSerializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per trust's record"),
        400: OpenApiResponse(description="No or an invalid year"),
        404: OpenApiResponse(description="No such scheme"),
    },
)
class YearEndView(APIView):
    """A scheme's year end: incentive and bonus, or general distribution, per trust and nationally.

    While any quarter of the year is pending nothing is decided (``state`` waiting, no records) and
    ``waits`` names each trust and the months of the returns it waits for; a negative pool is
    refused (``state`` refused, the message says why, no records)."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    def get(self, request, format=None):
        query = YearEndQuery(request.query_params)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        scheme = Scheme.objects.filter(code=query.cleaned_data["year"]).first()
        if scheme is None:
            raise ValidationError({"year": [unknown_year(query.cleaned_data["year"])]})
        data = overview_record(year_end_overview(scheme))
        stale = staleness(year=scheme.code)
        if request.accepted_renderer.format == "csv":
            response = Response([flat_record(record) for record in data["results"]])
        else:
            response = Response(data)
        response["Figures-Status"] = "current" if stale is None else stale.header
        return response

    def get_renderer_context(self):
        context = super().get_renderer_context()
        context["csv_fields"] = CSV_FIELDS
        year = self.request.query_params.get("year", "")
        context["csv_filename"] = f"stf-year-end-{year}.csv" if YearEndQuery({"year": year}).is_valid() else "stf-year-end.csv"
        return context
