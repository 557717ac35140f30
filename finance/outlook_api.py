"""``GET /api/v1/trusts/{org_code}/outlook/?year=&quarter=``: a trust's outlook for a quarter in
progress (``finance.outlook``; the arithmetic and its choices in ``finance.engine.outlook``).

The outlook shows the trust's trajectories and its own finance returns, which are private: only
analysts and the trust's own finance directors read it (``trusts.roles.can_act_for``); anyone else
is refused (403). The default quarter is the latest with anything due (``chase.default_period``).
"""
from django import forms
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import QueryForm
from performance.models import Metric
from trusts.models import Trust
from trusts.roles import can_act_for

from . import chase
from .eligibility import not_in_scheme_message
from .engine.outlook import PRIOR_YEAR, STANDARD, TRAJECTORY
from .models import Allocation, Scheme, YearEndMethod
from .outlook import trust_outlook
from .query import SchemeYearField, unknown_year

FORBIDDEN = "The outlook is for the trust's own finance directors and analysts."


class OutlookQuery(QueryForm):
    year = SchemeYearField(check_exists=False)  # the view loads the scheme
    quarter = forms.TypedChoiceField(choices=[(q, q) for q in ("1", "2", "3", "4")], coerce=int, required=False,
                                     empty_value=None)


def _money(**kwargs):
    kwargs.setdefault("help_text", "£, 2 decimals")
    return serializers.RegexField(r"^-?\d+\.\d{2}$", **kwargs)


def _percent(**kwargs):
    kwargs.setdefault("help_text", "Percent, 2 decimals")
    return serializers.RegexField(r"^-?\d+\.\d{2}$", **kwargs)


MONTH = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")

OutlookFinance = inline_serializer("OutlookFinance", fields={
    "ytd_plan_to_meet": _money(allow_null=True, help_text="The YTD plan of the quarter's last month once its "
                               "return is in, else the latest plan known (plan_month)"),
    "plan_month": serializers.RegexField(r"^\d{4}-\d{2}$", allow_null=True),
    "plan_final": serializers.BooleanField(help_text="The plan is the quarter's last month's"),
    "latest_ytd_actual": _money(allow_null=True),
    "actual_month": serializers.RegexField(r"^\d{4}-\d{2}$", allow_null=True),
    "on_track": serializers.BooleanField(allow_null=True, help_text="The latest actual is on or ahead of its plan"),
    "met": serializers.BooleanField(allow_null=True, help_text="The finance test, once the last month is in"),
    "at_stake": _money(help_text="The finance element"),
    "withheld_if_missed": _money(help_text="The quarter's allocation: a missed finance test withholds it all"),
})
OutlookMetric = inline_serializer("OutlookMetric", many=True, fields={
    "metric": serializers.ChoiceField(choices=Metric.choices),
    "threshold": _percent(),
    "basis": serializers.ChoiceField(choices=[(b, b) for b in (TRAJECTORY, STANDARD, PRIOR_YEAR)]),
    "strict": serializers.BooleanField(help_text="The threshold must be beaten (the prior-year rule)"),
    "months_in": serializers.ListField(child=serializers.RegexField(r"^\d{4}-\d{2}$")),
    "so_far": inline_serializer("OutlookSoFar", fields={
        "numerator": serializers.IntegerField(), "denominator": serializers.IntegerField(),
        "percent": _percent(allow_null=True)}),
    "needed_percent": _percent(allow_null=True, help_text=(
        "What the remaining months must reach, over a denominator equal to the monthly average so far (the "
        "threshold itself with no month or case in yet); 0.00 when secured; above 100 when not achievable; "
        "null once the metric's three months are in")),
    "achievable": serializers.BooleanField(),
    "secured": serializers.BooleanField(),
    "met": serializers.BooleanField(allow_null=True, help_text="As judged, once its three months are in"),
    "at_stake": _money(help_text="The metric's element"),
})
OutlookDue = inline_serializer("OutlookDue", many=True, fields={
    "kind": serializers.CharField(help_text="finance, or a metric code"),
    "month": MONTH,
    "due": serializers.DateField(),
    "state": serializers.ChoiceField(choices=[(s, s) for s in (chase.OUTSTANDING, chase.LATE, chase.RECEIVED,
                                                                chase.NOT_ENDED)]),
    "received_on": serializers.DateField(allow_null=True),
})
OutlookSerializer = inline_serializer("Outlook", fields={
    "org_code": serializers.CharField(),
    "year": serializers.CharField(),
    "quarter": serializers.IntegerField(min_value=1, max_value=4),
    "months": serializers.ListField(child=serializers.RegexField(r"^\d{4}-\d{2}$")),
    "months_in": serializers.ListField(child=serializers.RegexField(r"^\d{4}-\d{2}$"), help_text=(
        "The quarter's months in for every metric the trust is judged on (with none: months with a finance return)")),
    "complete": serializers.BooleanField(help_text="Nothing awaited: the quarter is decided"),
    "allocation": _money(),
    "control_total_accepted": serializers.BooleanField(),
    "finance": OutlookFinance,
    "metrics": OutlookMetric,
    "year_end_estimate": inline_serializer("OutlookYearEnd", allow_null=True, fields={
        "method": serializers.ChoiceField(choices=YearEndMethod.choices),
        "forecast_month": MONTH,
        "forecast_outturn": _money(),
        "control_total": _money(),
        "control_total_accepted": serializers.BooleanField(),
        "eligible": serializers.BooleanField(),
        "incentive": _money(required=False, help_text="incentive_bonus: £1 for £1 beyond the control total, "
                            "before any scaling"),
        "beats_by": _money(required=False),
        "bonus_depends_on_other_trusts": serializers.BooleanField(required=False),
        "shortfall": _money(required=False),
        "shortfall_percent": _percent(required=False),
        "weight": serializers.CharField(required=False, help_text="general_distribution: the closeness weight band"),
    }),
    "due": OutlookDue,
})


@extend_schema(
    parameters=[
        OpenApiParameter("year", str, OpenApiParameter.QUERY, required=False,
                         description="Scheme year, e.g. 2016-17 (default: the latest quarter with anything due)"),
        OpenApiParameter("quarter", int, OpenApiParameter.QUERY, required=False, enum=[1, 2, 3, 4],
                         description="Quarter of the financial year (Q1 = April to June)"),
    ],
    responses={
        200: OutlookSerializer,
        400: OpenApiResponse(description="An invalid or unknown year, or an invalid quarter (the parameter named)"),
        403: OpenApiResponse(description="Not an analyst nor one of the trust's finance directors"),
        404: OpenApiResponse(description="No such trust, or the trust is not in the scheme"),
    },
)
class TrustOutlookView(APIView):
    """A trust's outlook for a quarter in progress: the YTD plan to meet and the latest actual; per
    metric its threshold and basis, the performance so far, what the rest of the quarter must reach,
    whether that is achievable and the £ at stake; the returns' due dates; a year-end estimate."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    def get(self, request, org_code, format=None):
        query = OutlookQuery(request.query_params)
        if not query.is_valid():
            raise ValidationError({field: list(messages) for field, messages in query.errors.items()})
        trust = Trust.objects.filter(org_code=org_code.upper()).first()
        if trust is None:
            raise NotFound(f"No trust with the code {org_code.upper()}.")
        if not can_act_for(request.user, trust):
            raise PermissionDenied(FORBIDDEN)
        year, quarter = query.cleaned_data["year"], query.cleaned_data["quarter"]
        default = chase.default_period() if not year or quarter is None else None
        if not year:
            year = default[0] if default else None
        scheme = Scheme.objects.filter(code=year).first() if year else None
        if scheme is None:
            raise ValidationError({"year": [unknown_year(year) if year else "No scheme is set up yet."]})
        if quarter is None:
            quarter = default[1] if default and default[0] == scheme.code else 1
        found = trust_outlook(trust, scheme, quarter)
        if found is None:
            allocation = Allocation.objects.filter(scheme=scheme, trust=trust).values_list(
                "stf_allocation", flat=True).first()
            raise NotFound(f"{trust.org_code}: {not_in_scheme_message(scheme.code, allocation)}")
        return Response(found[1])
