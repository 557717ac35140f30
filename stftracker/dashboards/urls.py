"""URLs of the dashboard pages: the national overview, regions, footprints and trusts."""
from django.urls import include, path

from . import adjustments, chase, mdc, reopenings, runs, search, views, year_end

urlpatterns = [
    path("", views.overview, name="overview"),
    path("regions/", views.region_index, name="region-index"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path("footprints/", views.footprint_index, name="footprint-index"),
    path("footprints/<str:code>/", views.footprint_detail, name="footprint-detail"),
    path("trusts/", search.trust_search, name="trust-search"),
    path("trusts/<str:org_code>/", views.trust_detail, name="trust-detail"),
    path("returns/outstanding/", chase.outstanding, name="returns-outstanding"),
    path("year-end/", year_end.year_end_page, name="year-end"),
    path("making-data-count/", mdc.making_data_count, name="making-data-count"),
    path("recompute/", runs.recompute_now, name="recompute-now"),
    path("recompute/<int:pk>/", runs.recompute_run, name="recompute-run"),
    path("adjustments/", include(adjustments)),
    path("reopenings/", include(reopenings)),
]
