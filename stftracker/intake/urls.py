"""The upload pages, mounted at /uploads/."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.upload_page, name="uploads"),
    path("preview/", views.upload_preview, name="upload-preview"),
    path("confirm/", views.upload_confirm, name="upload-confirm"),
    path("history/", views.upload_history, name="upload-history"),
    path("templates/<str:kind>.<str:fmt>", views.upload_template, name="upload-template"),
    path("<int:pk>/", views.upload_detail, name="upload-detail"),
]
