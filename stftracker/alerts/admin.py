"""Alerts in the admin: who is subscribed to what, and what was sent to them (read only: alerts
are added and stopped by their users, on the account page or by the link in an email)."""
from django.contrib import admin

from .models import SentAlert, Subscription


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ["user", "kind", "trust", "days_before", "active", "created_at", "stopped_at"]
    list_filter = ["kind", "active"]
    search_fields = ["user__username", "user__email", "trust__org_code", "trust__name"]
    list_select_related = ["user", "trust"]


@admin.register(SentAlert)
class SentAlertAdmin(ReadOnly):
    list_display = ["subscription", "key", "subject", "created_at", "sent_at"]
    search_fields = ["key", "subject", "subscription__user__username"]
    list_select_related = ["subscription__user"]
