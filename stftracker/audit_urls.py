from django.urls import path

from . import audit

urlpatterns = [
    path("", audit.audit_log, name="audit"),
]
