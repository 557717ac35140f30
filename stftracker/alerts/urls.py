"""URLs of the alerts (/alerts/): add and stop one (the account page's forms), and unsubscribe."""
from django.urls import path

from . import views

urlpatterns = [
    path("subscribe/", views.subscribe, name="alert-subscribe"),
    path("<int:pk>/stop/", views.stop, name="alert-stop"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="alert-unsubscribe"),
]
