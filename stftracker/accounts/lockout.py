"""Log-in lockout: the client address by which django-axes counts failed log-ins."""
from django.conf import settings


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
