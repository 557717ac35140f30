"""Turn a lost database connection into a clear 503, never a stack trace."""
import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.http import HttpResponse

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable while serving %s: %s", request.path, exception)
        message = "The database is unavailable just now. Nothing was saved. Please try again in a minute."
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
        else:
            response = HttpResponse(
                render_to_string("503.html", {"message": message}), status=503
            )
        response["Retry-After"] = "60"
        return response
