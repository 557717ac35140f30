"""The REST API, version 1 (mounted at /api/v1/). Every endpoint needs a session or a token."""
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, re_path
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from finance import adjustments_api
from finance import api as finance_api
from finance import chase_api
from finance import outlook_api
from finance import reopenings_api
from finance import year_end_api
from performance import api as performance_api
from stftracker.intake import api as intake_api
from trusts import api as trusts_api


class TokenScheme(KnoxTokenScheme):
    """Documents our token authentication as knox's: ``Authorization: Token <token>``."""

    target_class = "stftracker.accounts.authentication.TokenAuthentication"
    name = "apiToken"


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files. Its start-up script is a separate same-origin request
    (``?script``), so the page runs under ``script-src 'self'`` with no inline script.

    A visitor who is not logged in is sent to the login page rather than shown a JSON error.
    The page (templates/api/swagger_ui.html) has a link back to the site and the site's icon.
    """

    template_name = "api/swagger_ui.html"

    def handle_exception(self, exc):
        not_logged_in = isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed))
        if not_logged_in and "script" not in self.request.GET:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class ApiRoot(APIView):
    """STF Tracker API, version 1: where each list lives. Send ``Authorization: Token <token>``
    (create one at /accounts/tokens/) or use a logged-in session."""

    ENDPOINTS = {
        "eligibility": "api-eligibility",
        "year_end": "api-year-end",
        "trusts": "api-trust-list",
        "schemes": "api-scheme-list",
        "finance_returns": "api-finance-returns",
        "performance_returns": "api-performance-returns",
        "returns_outstanding": "api-returns-outstanding",
        "uploads": "api-upload-list",
        "adjustments": "api-adjustments",
        "reopenings": "api-reopenings",
        "schema": "api-schema",
        "docs": "api-docs",
    }

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        return Response({name: reverse(url_name, request=request) for name, url_name in self.ENDPOINTS.items()})


router = SimpleRouter()
router.register("trusts", trusts_api.TrustViewSet, basename="api-trust")
router.register("schemes", finance_api.SchemeViewSet, basename="api-scheme")
router.register("uploads", intake_api.UploadViewSet, basename="api-upload")

urlpatterns = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("eligibility/", finance_api.EligibilityList.as_view(), name="api-eligibility"),
    path("year-end/", year_end_api.YearEndView.as_view(), name="api-year-end"),
    re_path(
        r"^trusts/(?P<org_code>[A-Za-z0-9]{3,8})/eligibility/$",
        finance_api.TrustEligibilityList.as_view(),
        name="api-trust-eligibility",
    ),
    re_path(
        r"^trusts/(?P<org_code>[A-Za-z0-9]{3,8})/outlook/$",
        outlook_api.TrustOutlookView.as_view(),
        name="api-trust-outlook",
    ),
    path("returns/finance/", finance_api.FinanceReturnList.as_view(), name="api-finance-returns"),
    path("returns/performance/", performance_api.PerformanceReturnList.as_view(), name="api-performance-returns"),
    path("returns/outstanding/", chase_api.OutstandingReturnList.as_view(), name="api-returns-outstanding"),
    path("adjustments/", adjustments_api.AdjustmentList.as_view(), name="api-adjustments"),
    path("reopenings/", reopenings_api.ReopeningList.as_view(), name="api-reopenings"),
    path("reopenings/<int:pk>/close/", reopenings_api.ReopeningClose.as_view(), name="api-reopening-close"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("packs/", include("stftracker.packs.api_urls")),
    *router.urls,
]
