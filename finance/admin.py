from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Allocation, Entitlement, FinanceReturn, RecomputeRun, Scheme, YearEndAward


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "rule_variant", "pot", "checked_by", "reviewed_on"]


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    list_display = ["trust", "scheme", "stf_allocation", "control_total", "control_total_accepted"]
    list_filter = ["scheme", "control_total_accepted"]
    search_fields = ["trust__org_code", "trust__name"]
    list_select_related = ["trust", "scheme"]
    raw_id_fields = ["trust", "upload"]


@admin.register(FinanceReturn)
class FinanceReturnAdmin(admin.ModelAdmin):
    list_display = ["trust", "month", "plan_ytd", "actual_ytd", "forecast_outturn", "is_current", "upload"]
    list_filter = ["is_current"]
    search_fields = ["trust__org_code", "trust__name"]
    list_select_related = ["trust", "upload"]
    date_hierarchy = "month"
    raw_id_fields = ["trust", "upload"]

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ["trust", "scheme", "quarter", "status", "allocation", "earned", "withheld", "pending", "computed_at"]
    list_filter = ["scheme", "quarter", "status"]
    search_fields = ["trust__org_code", "trust__name"]
    list_select_related = ["trust", "scheme"]


@admin.register(YearEndAward)
class YearEndAwardAdmin(ReadOnlyAdmin):
    list_display = ["trust", "scheme", "eligible", "incentive", "bonus", "computed_at"]
    list_filter = ["scheme", "eligible"]
    list_select_related = ["trust", "scheme"]


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "scheme", "trigger", "state", "progress_done", "progress_total", "created_at", "duration_ms"]
    list_filter = ["state", "trigger"]
