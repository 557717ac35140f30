"""Trusts for REST clients."""
import django_filters
from rest_framework import serializers, viewsets

from .models import Footprint, Region, Trust, TrustType
from .search import AreaField, search_trusts


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


class AreaFilter(django_filters.CharFilter):
    """A region or footprint by its code or its name (``trusts.search.AreaField``)."""

    field_class = AreaField


class TrustFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Part of the name, or the ODS code")
    region = AreaFilter(field_name="region__code", label="Region code or name", model=Region, noun="region")
    footprint = AreaFilter(field_name="footprint__code", label="STP footprint code or name", model=Footprint,
                           noun="STP footprint")
    trust_type = django_filters.ChoiceFilter(choices=TrustType.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = Trust
        fields = ["search", "region", "footprint", "trust_type", "active"]

    def filter_search(self, queryset, name, value):
        """Best matches first (exact code, code prefix, then names holding every word): see ``trusts.search``."""
        return search_trusts(value, limit=None, queryset=queryset)


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
