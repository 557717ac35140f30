from django.contrib import admin

from .models import PerformanceReturn, Trajectory


class ReturnAdmin(admin.ModelAdmin):
    list_filter = ["metric", "is_current"]
    search_fields = ["trust__org_code", "trust__name"]
    list_select_related = ["trust", "upload"]
    date_hierarchy = "month"
    raw_id_fields = ["trust", "upload"]

    def has_change_permission(self, request, obj=None):
        return False  # returns change only through uploads, so history is kept


@admin.register(PerformanceReturn)
class PerformanceReturnAdmin(ReturnAdmin):
    list_display = ["trust", "month", "metric", "numerator", "denominator", "is_current", "upload"]


@admin.register(Trajectory)
class TrajectoryAdmin(ReturnAdmin):
    list_display = ["trust", "month", "metric", "percent", "is_current", "upload"]
