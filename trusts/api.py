"""Trusts for REST clients."""
import django_filters
from rest_framework import serializers, viewsets

from .models import Footprint, Region, Trust, TrustType


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
