"""Monthly performance returns for REST clients: NHS England's published statistics, so every
trust's for everyone signed in (``trusts.roles.restrict_to_published``), as on the trust pages."""
from decimal import ROUND_HALF_UP, Decimal

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from common.api import MonthRangeFilterSet
from common.months import month_text
from trusts.roles import restrict_to_published

from .models import Metric, PerformanceReturn


class PerformanceReturnSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="trust.org_code", read_only=True)
    month = serializers.SerializerMethodField()
    performance = serializers.SerializerMethodField()

    class Meta:
        model = PerformanceReturn
        fields = ["id", "org_code", "month", "metric", "numerator", "denominator", "performance", "upload", "created_at"]

    @extend_schema_field({"type": "string", "example": "2016-06"})
    def get_month(self, row):
        return month_text(row.month)

    @extend_schema_field({"type": "string", "nullable": True, "example": "94.12"})
    def get_performance(self, row):
        """Percent within the standard, 2 decimals (null for an empty month)."""
        if not row.denominator:
            return None
        percent = Decimal(row.numerator) * 100 / Decimal(row.denominator)
        return str(percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class PerformanceReturnFilter(MonthRangeFilterSet):
    metric = django_filters.ChoiceFilter(choices=Metric.choices)

    class Meta:
        model = PerformanceReturn
        fields = ["org_code", "month_from", "month_to", "metric"]


class PerformanceReturnList(generics.ListAPIView):
    """Current monthly A&E, RTT and cancer returns of every trust (published statistics): for everyone signed in."""

    serializer_class = PerformanceReturnSerializer
    filterset_class = PerformanceReturnFilter

    def get_queryset(self):
        rows = PerformanceReturn.objects.current().select_related("trust").order_by("trust__org_code", "month", "metric")
        return restrict_to_published(rows, self.request.user)
