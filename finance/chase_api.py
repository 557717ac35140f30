"""``GET /api/v1/returns/outstanding/?year=&quarter=``: the chase list for REST clients.

One record per return outstanding or late (``finance.chase``): ``org_code, trust_name, kind,
month, due, state, pending_money``; paginated like the eligibility list, ``?format=csv`` gives
every record. Analysts see every trust in the scheme; anyone else only the trusts they direct.
"""
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from common.api import CSVRenderer, Pagination, QueryForm
from common.money import money_text
from common.months import month_text
from performance.models import METRIC_CODES
from trusts.models import Region
from trusts.roles import directed_trust_ids, is_analyst
from trusts.search import AreaField

from . import chase
from .models import Scheme
from .query import SchemeYearField, unknown_year

KINDS = [chase.FINANCE, *METRIC_CODES]
CSV_FIELDS = ["org_code", "trust_name", "kind", "month", "due", "state", "pending_money"]


class OutstandingQuery(QueryForm):
    year = SchemeYearField(check_exists=False)  # the view loads the scheme
    quarter = forms.TypedChoiceField(choices=[(q, q) for q in ("1", "2", "3", "4")], coerce=int, required=False,
                                     empty_value=None)
    kind = forms.ChoiceField(choices=[(k, k) for k in KINDS], required=False)
    state = forms.ChoiceField(choices=[(s, s) for s in chase.STATES], required=False)
    region = AreaField(model=Region, noun="region", required=False)


class OutstandingRecordSerializer(serializers.Serializer):
    """Documents one record of the chase list; the records come from :func:`record`."""

    org_code = serializers.CharField()
    trust_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[(k, k) for k in KINDS], help_text="finance, or a metric code")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="The month the return is for, YYYY-MM")
    due = serializers.DateField(help_text="The working day by which it is due")
    state = serializers.ChoiceField(choices=[(s, s) for s in chase.STATES],
                                    help_text="outstanding until the due date, late once it has passed")
    pending_money = serializers.RegexField(
        r"^-?\d+\.\d{2}$",
        help_text="£, 2 decimals: the money the missing return holds pending. The quarter's last finance return "
                  "holds the quarter's whole pending amount; a metric's earliest missing month holds its element "
                  "while it is pending; any other return £0.00, so a trust's records never add up to more than "
                  "its quarter's pending.",
    )


def record(item) -> dict:
    return {"org_code": item.org_code, "trust_name": item.trust_name, "kind": item.kind,
            "month": month_text(item.month), "due": item.due.isoformat(), "state": item.state,
            "pending_money": money_text(item.pending_money)}


def _parameter(name, description, enum=None, type_=str):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


@extend_schema(
    parameters=[
        _parameter("year", "Scheme year, e.g. 2018-19 (default: the latest quarter with anything due)"),
        _parameter("quarter", "Quarter of the financial year (Q1 = April to June)", enum=[1, 2, 3, 4], type_=int),
        _parameter("kind", "Only this return", enum=KINDS),
        _parameter("state", "Only outstanding or only late returns", enum=list(chase.STATES)),
        _parameter("region", "Region code"),
        _parameter("format", "json (default) or csv", enum=["json", "csv"]),
    ],
    responses={
        (200, "application/json"): OutstandingRecordSerializer(many=True),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every matching record"),
    },
)
class OutstandingReturnList(generics.GenericAPIView):
    """Returns outstanding and late in a quarter (the chase list), with the money each holds pending.

    A return is due by the working day after its month ends that the scheme's ``returns_due`` gives
    (England and Wales bank holidays excluded); months not yet ended are not listed. Finance
    directors see only the trusts they direct."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    serializer_class = OutstandingRecordSerializer
    pagination_class = Pagination
    filter_backends = []

    def get_renderer_context(self):
        context = super().get_renderer_context()
        context["csv_fields"] = CSV_FIELDS
        context["csv_filename"] = getattr(self, "csv_filename", "stf-returns-outstanding.csv")
        return context

    def get(self, request, *args, **kwargs):
        query = OutstandingQuery(request.query_params)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        criteria = query.cleaned_data
        year, quarter = criteria["year"], criteria["quarter"]
        default = chase.default_period()
        if not year:
            year = default[0] if default else None
            if quarter is None and default:
                quarter = default[1]
        scheme = Scheme.objects.filter(code=year).first() if year else None
        if scheme is None:
            raise ValidationError({"year": [unknown_year(year) if year else "No scheme is set up yet."]})
        if quarter is None:
            quarter = default[1] if default and default[0] == scheme.code else 1
        trust_ids = None if is_analyst(request.user) else sorted(directed_trust_ids(request.user))
        items = chase.chase_list(scheme, quarter, trust_ids=trust_ids).filtered(
            kind=criteria["kind"], state=criteria["state"], region=criteria["region"]).items
        records = [record(item) for item in items]
        self.csv_filename = f"stf-returns-outstanding-{scheme.code}-q{quarter}.csv"
        if request.accepted_renderer.format == "csv":
            return Response(records)
        page = self.paginate_queryset(records)
        return self.get_paginated_response(page)
