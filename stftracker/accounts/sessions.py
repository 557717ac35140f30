"""Sessions end: one that makes no request for ``SESSION_IDLE_TIMEOUT`` seconds, and any one
``SESSION_COOKIE_AGE`` seconds after its log-in, is logged out at its next request, which then
carries on as an anonymous one (a page asks to log in again and says why; the API answers
401/403).

The time of the last request is kept in the session, rewritten at most once every
``SESSION_ACTIVITY_RESOLUTION`` seconds so that not every request writes the session: a session
may therefore end up to that much earlier than the timeout says. Each such write would move
Django's own expiry (``SESSION_COOKIE_AGE`` from the last save) on, so the time of the log-in is
kept too and the age is checked from it.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.timezone import now

from stftracker.middleware import DATABASE_ERRORS, database_unavailable

LAST_ACTIVITY = "_stf_last_activity"
LOGGED_IN_AT = "_stf_logged_in_at"


def _duration(seconds):
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@receiver(user_logged_in, dispatch_uid="stftracker.accounts.logged_in_at")
def _remember_log_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = request.session[LAST_ACTIVITY] = now().timestamp()


class IdleTimeoutMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:  # the first read of the session and the user: a lost database is a 503 here too
            if request.user.is_authenticated:
                self._check(request)
        except DATABASE_ERRORS as exc:
            return database_unavailable(request, exc)
        return self.get_response(request)

    def _check(self, request):
        session, current = request.session, now().timestamp()
        timeout, age = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_COOKIE_AGE
        last, logged_in_at = session.get(LAST_ACTIVITY), session.get(LOGGED_IN_AT)
        if timeout and last is not None and current - last > timeout:
            return self._end(request, f"after {_duration(timeout)} without activity")
        if logged_in_at is not None and current - logged_in_at > age:
            return self._end(request, f"{_duration(age)} after logging in")
        if logged_in_at is None:
            session[LOGGED_IN_AT] = current
        if last is None or current - last >= settings.SESSION_ACTIVITY_RESOLUTION:
            session[LAST_ACTIVITY] = current

    @staticmethod
    def _end(request, why):
        logout(request)
        messages.info(request, f"You were logged out {why}. Log in again to carry on.")
