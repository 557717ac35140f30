from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Footprint, Region, Succession, Trust, Upload


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Footprint)
class FootprintAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Trust)
class TrustAdmin(SimpleHistoryAdmin):
    list_display = ["org_code", "name", "trust_type", "region", "footprint", "active"]
    list_filter = ["trust_type", "region", "active"]
    search_fields = ["org_code", "name"]
    list_select_related = ["region", "footprint"]
    filter_horizontal = ["finance_directors"]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_from"]
    search_fields = ["predecessor__org_code", "predecessor__name", "successor__org_code", "successor__name"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["uploaded_at", "uploaded_by", "kind", "file_name", "status", "row_count", "sha256"]
    list_filter = ["kind", "status", "source"]
    search_fields = ["file_name", "sha256"]
    list_select_related = ["uploaded_by"]
    readonly_fields = [field.name for field in Upload._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False  # uploads are an audit record
