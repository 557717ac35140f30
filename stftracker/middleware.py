"""The site's own middleware: a lost database becomes a clear 503, a NUL character a plain 400,
signed-in answers are kept out of shared caches, and recomputes left queued are sent again.

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

from django.conf import settings
from django.core.signals import got_request_exception, request_finished
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

from finance import dispatch

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_PREFIX = "/api/"
_MARK = "_stf_database_unavailable"


def _wants_json(request):
    if request.path.startswith(API_PREFIX):
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
            "The database is unavailable just now, so nothing was saved. "
            "Please send it again in a minute or two."
        )
    else:
        message = "The database is unavailable just now, so this page could not be loaded. Please try again in a minute."
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


def database_unavailable(request, exception):
    """The 503 answer for a database lost in a middleware that reads it itself (a view's loss
    comes through ``process_exception``), logged like the others."""
    _log(request, exception)
    return database_unavailable_response(request)


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


# --- Input no view should see: NUL characters ------------------------------------------------

NUL = "\x00"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _nul_in(request):
    """Where the request carries a NUL character (path, query parameter or form field), or ""."""
    if NUL in request.path_info:
        return "the address"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return f"the query parameter {key.replace(NUL, '')!r}"
    # Form posts only: a multipart body is an upload, read (and limited) by the view that takes it.
    if request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                return f"the form field {key.replace(NUL, '')!r}"
    return ""


class RejectNulMiddleware:
    """A 400 with a plain message for a NUL character in the path, the query or a form field.

    No name, code or value of ours holds one, and a database refuses it in a query (PostgreSQL
    raises an error for a NUL in a string), so the request is refused before any view reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_in(request)
        if not where:
            return self.get_response(request)
        message = f"Bad request: {where} contains a NUL character (%00), which is never valid here."
        if _wants_json(request):
            response = JsonResponse({"detail": message, "code": "nul_character"}, status=400)
        else:
            response = HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


# --- Caching of private answers -------------------------------------------------------------

NO_STORE = "private, no-store"
REVALIDATE = "private, max-age=0, must-revalidate"  # a browser may keep it, and must ask (ETag, 304) each time


def _signed_in(request):
    """Whether the answer is to someone signed in, without reading the database: a user not read
    while answering counts as signed in when the request carries a session cookie (the safe side
    for caching, and an answer lost with the database is not asked again)."""
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)  # set by the session, or by the API's token authentication
    if user is None:
        return False
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return settings.SESSION_COOKIE_NAME in request.COOKIES
    return bool(user.is_authenticated)


class PrivateCacheMiddleware:
    """Keep signed-in answers out of shared caches and every answer of the API apart by credentials.

    A response to a signed-in user (session or token) is ``Cache-Control: private, no-store``,
    or ``private, max-age=0, must-revalidate`` when it carries a validator (ETag or Last-Modified)
    so that conditional requests still get their 304s. A view that already said ``private,
    no-store`` keeps its header. Every answer under ``API_PATH_PREFIX`` varies on
    ``Authorization`` and ``Cookie``: the same URL answers differently for each credential.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            patch_vary_headers(response, ["Authorization", "Cookie"])
        if _signed_in(request):
            directives = {d.strip().lower() for d in response.get("Cache-Control", "").split(",")}
            if not {"private", "no-store"} <= directives:
                validated = response.has_header("ETag") or response.has_header("Last-Modified")
                response["Cache-Control"] = REVALIDATE if validated else NO_STORE
        return response


# --- Recomputes left queued -----------------------------------------------------------------

def _requeue_after_request(sender, **kwargs):
    if not settings.RECOMPUTE_REQUEUE_ON_REQUEST:
        return
    try:
        dispatch.requeue_stale_runs_if_due()
    except Exception:  # the answer has gone; a failure here must not reach the server
        logger.exception("Could not re-send the recomputes left queued")


class RequeueStaleRecomputesMiddleware:
    """After each request has been answered (``request_finished``, once the server has sent the
    body), send again the recomputes left queued, at most once per RECOMPUTE_REQUEUE_INTERVAL
    across the processes sharing the cache: without beat (which needs Redis) nothing else would.
    With tasks in-process (no Redis) the re-sent run is computed there and then."""

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(_requeue_after_request, dispatch_uid="stftracker.requeue_stale_recomputes")

    def __call__(self, request):
        return self.get_response(request)
