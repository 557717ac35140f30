"""The real site, plus /bench/ceiling/ for bench/api.py.

/bench/ceiling/ is a bare Django view that answers with the bytes of the measured API response,
held in memory: the same gunicorn, middleware and settings, but no authentication, database,
serialisation or DRF. It is the ceiling the API is measured against.
"""
import os

from django.http import HttpResponse
from django.urls import include, path

_body = None


def ceiling(request):
    global _body
    if _body is None:
        with open(os.environ["BENCH_CEILING_BODY"], "rb") as handle:
            _body = handle.read()
    return HttpResponse(_body, content_type="application/json")


urlpatterns = [
    path("bench/ceiling/", ceiling),
    path("", include("stftracker.urls")),
]
