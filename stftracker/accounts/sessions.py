"""Idle sessions end: a logged-in session that makes no request for ``SESSION_IDLE_TIMEOUT``
seconds is logged out at its next request, which then carries on as an anonymous one (a page
asks to log in again and says why; the API answers 401/403). ``SESSION_COOKIE_AGE`` still ends
every session at its absolute age.

The time of the last request is kept in the session, rewritten at most once every
``SESSION_ACTIVITY_RESOLUTION`` seconds so that not every request writes the session: a session
may therefore end up to that much earlier than the timeout says.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.timezone import now

LAST_ACTIVITY = "_stf_last_activity"


def _minutes(seconds):
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class IdleTimeoutMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        current = now().timestamp()
        last = request.session.get(LAST_ACTIVITY)
        if timeout and last is not None and current - last > timeout:
            logout(request)
            messages.info(
                request, f"You were logged out after {_minutes(timeout)} without activity. Log in again to carry on."
            )
            return
        if last is None or current - last >= settings.SESSION_ACTIVITY_RESOLUTION:
            request.session[LAST_ACTIVITY] = current
