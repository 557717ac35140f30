"""The review pack's API (mounted at /api/v1/packs/)."""
from django.urls import path, re_path

from . import views

urlpatterns = [
    path("builds/<int:pk>/", views.PackBuildView.as_view(), name="api-pack-build"),
    path("builds/<int:pk>/download/", views.PackDownloadView.as_view(), name="api-pack-download"),
    re_path(r"^(?P<year>[^/]+)/Q(?P<quarter>[^/]+)\.xlsx$", views.PackView.as_view(), name="api-pack"),
]
