"""The review pack's page (mounted at /packs/)."""
from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^(?P<year>[^/]+)/Q(?P<quarter>[^/]+)/$", views.pack_page, name="pack-page"),
]
