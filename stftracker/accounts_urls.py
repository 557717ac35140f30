from django.urls import include, path

urlpatterns = [
    path("tokens/", include("stftracker.token_urls")),
]
