"""How often a user may send a file: one allowance (``UPLOAD_THROTTLE_RATE``) shared by the upload
page's preview and the uploads API, counted in Django's cache by DRF's throttle."""
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class UploadRateThrottle(SimpleRateThrottle):
    """Files sent per user (per client address for anyone not logged in)."""

    scope = "uploads"

    def get_rate(self):
        return settings.UPLOAD_THROTTLE_RATE

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def upload_allowed(request) -> tuple[bool, int | None]:
    """Whether the request may send one more file (counting it if so), and if not, how many
    seconds until it may."""
    throttle = UploadRateThrottle()
    if throttle.allow_request(request, None):
        return True, None
    wait = throttle.wait()
    return False, None if wait is None else max(1, int(wait + 0.999))


def refused_message(wait: int | None) -> str:
    when = f" Try again in {wait:,} second{'s' if wait != 1 else ''}." if wait else " Try again later."
    return f"You have sent too many files for now ({settings.UPLOAD_THROTTLE_RATE}).{when}"
