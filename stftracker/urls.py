"""The site's URLs: each part of the site includes its own."""
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("stftracker.accounts.urls")),
    path("audit/", include("stftracker.audit.urls")),
    path("alerts/", include("stftracker.alerts.urls")),
    path("api/v1/", include("stftracker.api_urls")),
    path("uploads/", include("stftracker.intake.urls")),
    path("packs/", include("stftracker.packs.urls")),
    path("", include("stftracker.dashboards.urls")),
]

handler500 = "stftracker.views.server_error"
