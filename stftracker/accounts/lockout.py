"""Log-in lock-outs, on django-axes (``AXES_HANDLER`` and ``AXES_LOCKOUT_CALLABLE`` in settings).

Two locks, so that neither a neighbour behind the same address nor a guesser spread over many
addresses can lock the real user out of their usual address for long:

- **per username and address**: ``AXES_FAILURE_LIMIT`` failures lock that username from that
  address for ``AXES_COOLOFF_TIME`` (short). Tries while locked are refused without checking the
  password, and neither counted nor extend the lock.
- **per username, across every address**: ``LOGIN_USERNAME_FAILURE_LIMIT`` failures within
  ``LOGIN_USERNAME_WINDOW`` lock that username from every address it has not logged in from
  (fully, second factor included) in the last ``LOGIN_KNOWN_ADDRESS_DAYS``; its known addresses
  stay open. The failures are read from axes' failure log, so they outlive the short lock.

Addresses are read by :func:`client_ip`.
"""
import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

ADDRESS, USERNAME = "address", "username"
_LOCK = "_stf_lockout"


def client_ip(request):
    """The client's address, by which failed log-ins are counted (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR``; behind ``TRUSTED_PROXY_COUNT`` proxies, the address the outermost proxy saw,
    read from X-Forwarded-For counting from the right, so that a client cannot choose it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote


def username_failures(username, *, at=None):
    """Failed log-ins as ``username`` from any address within ``LOGIN_USERNAME_WINDOW``."""
    at = at or timezone.now()
    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gt=at - settings.LOGIN_USERNAME_WINDOW
    ).count()


def is_known_address(username, ip_address, *, at=None):
    """Has ``username`` logged in from ``ip_address`` within ``LOGIN_KNOWN_ADDRESS_DAYS``?"""
    at = at or timezone.now()
    since = at - datetime.timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(username=username, ip_address=ip_address, attempt_time__gte=since).exists()


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the per-username lock for addresses never logged in from."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            setattr(request, _LOCK, ADDRESS)
            return True
        username = get_client_username(request, credentials)
        if not username:
            return False
        at = getattr(request, "axes_attempt_time", None)
        if username_failures(username, at=at) < settings.LOGIN_USERNAME_FAILURE_LIMIT:
            return False
        if is_known_address(username, request.axes_ip_address, at=at):
            return False
        setattr(request, _LOCK, USERNAME)
        return True


def _minutes(delta):
    return round(delta.total_seconds() / 60)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out log-in gets (``AXES_LOCKOUT_CALLABLE``), status 429."""
    context = {
        "lock": getattr(request, _LOCK, ADDRESS),
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": _minutes(settings.AXES_COOLOFF_TIME),
        "username_failure_limit": settings.LOGIN_USERNAME_FAILURE_LIMIT,
        "username_window_minutes": _minutes(settings.LOGIN_USERNAME_WINDOW),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
