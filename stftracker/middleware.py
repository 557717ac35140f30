"""Turn a lost database connection into a clear 503, never a stack trace.

A view (or a template it renders) that hits a dead connection raises ``OperationalError`` or
``InterfaceError``; ``process_exception`` answers with a 503 page, or JSON for the API. The same
error raised by another middleware (loading the session, saving it, the login lock-out check) is
turned into a 500 by Django before it reaches us; the ``got_request_exception`` receiver below
marks the request, and ``__call__`` swaps that 500 for the same 503. The middleware must
therefore sit near the top of ``MIDDLEWARE``.

The 503 response is rendered without the request context, so it needs no database: no user,
no session, no messages.
"""
import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_MARK = "_stf_database_unavailable"


def _wants_json(request):
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _retry_path(request):
    path = request.path
    if request.method == "GET" and path.startswith("/") and not path.startswith("//"):
        return path
    return "/"


def database_unavailable_response(request):
    """The 503 a user (or API client) sees while the database cannot be reached."""
    writing = request.method in WRITE_METHODS
    if writing:
        message = (
            "The database could not be reached, so nothing was saved. "
            "Please send it again in a minute or two."
        )
    else:
        message = "The database could not be reached, so this page could not be loaded. Please try again in a minute."
    if _wants_json(request):
        response = JsonResponse(
            {"detail": message, "code": "database_unavailable", "saved": False if writing else None,
             "retry_after": RETRY_AFTER_SECONDS},
            status=503,
        )
    else:
        html = render_to_string(
            "503.html", {"message": message, "writing": writing, "retry_after": RETRY_AFTER_SECONDS,
                         "path": _retry_path(request)},
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _log(request, exception):
    # One line, no traceback: the cause is the connection, not the code.
    first_line = (str(exception).strip().splitlines() or [""])[0]
    logger.error(
        "Database unavailable while serving %s %s: %s: %s",
        request.method, request.path, type(exception).__name__, first_line,
    )


def _mark_request(sender, request=None, **kwargs):
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_ERRORS):
        setattr(request, _MARK, exception)


got_request_exception.connect(_mark_request, dispatch_uid="stftracker.database_unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exception = getattr(request, _MARK, None)
        if exception is not None and response.status_code >= 500:
            _log(request, exception)
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        _log(request, exception)
        return database_unavailable_response(request)
