"""The admin site, which needs the second factor: only staff whose session has passed a code from
their authenticator app may use it (``StfAdminConfig`` in ``stftracker.apps`` makes it
``admin.site``).

Its own log-in form is not used: an anonymous visitor is sent to the site's log-in page (where
the lock-outs and the code step apply); a logged-in user who may not use the admin is told why.
"""
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .two_factor import has_second_factor, is_verified


class SecondFactorAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = index
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if self.has_permission(request):
            return redirect(next_url)
        user = request.user
        context = {
            **self.each_context(request),
            "title": "The admin site needs a second factor",
            "staff": user.is_active and user.is_staff,
            "has_device": has_second_factor(user),
        }
        return render(request, "admin/second_factor_required.html", context, status=403)
