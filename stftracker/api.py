"""What every API endpoint shares, wired in through REST_FRAMEWORK in settings.

Token authentication with clear messages, read-only tokens, throttling per user, pagination,
and one exception handler: domain errors become 400s, a lost database a 503.
"""
import binascii
import logging
import math
from hmac import compare_digest

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from common.errors import DomainError

from .tokens import is_read_only

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "The database is unavailable just now. Nothing was saved. Please try again in a minute."


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's hashed tokens, saying when a token has expired, and never writing on a read.

    knox itself deletes expired tokens while authenticating; we keep them (the token page lists
    them as expired) and answer 401 with the expiry date.
    """

    def authenticate_credentials(self, token):
        invalid = "Invalid token. Create one at /accounts/tokens/ and send it as 'Authorization: Token <token>'."
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed(invalid) from None
        candidates = get_token_model().objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in candidates.select_related("user", "api_token"):
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is None:
                raise exceptions.AuthenticationFailed(
                    "This token has no expiry date, so it is not accepted. Create one at /accounts/tokens/."
                )
            if auth_token.expiry <= timezone.now():
                expired = timezone.localtime(auth_token.expiry).strftime("%d %B %Y %H:%M")
                raise exceptions.AuthenticationFailed(
                    f"This token expired on {expired}. Create a new one at /accounts/tokens/."
                )
            return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(invalid)


class ReadOnlyTokenPermission(BasePermission):
    """A read-only token may read (GET, HEAD, OPTIONS) but not write."""

    message = (
        "This API token is read-only: it may read but not upload or change anything. "
        "Use a token created without 'read-only' at /accounts/tokens/."
    )

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if isinstance(request.auth, get_token_model()):
            return not is_read_only(request.auth)
        return True


class PerUserRateThrottle(UserRateThrottle):
    """One allowance per user, whichever token or session they use; rate from API_THROTTLE_RATE."""

    scope = "user"

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", None) or super().get_rate()


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def _is_domain_error(exc):
    return isinstance(exc, DomainError)


def exception_handler(exc, context):
    """DRF's handler, plus: domain errors -> 400, database unavailable -> 503, a 429 that says when."""
    # rest_framework.views reads these settings as it loads, so it cannot be imported at the top.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, (OperationalError, InterfaceError)):
        request = context.get("request")
        logger.error("Database unavailable while serving %s: %s", getattr(request, "path", "?"), exc)
        return Response(
            {"detail": DATABASE_UNAVAILABLE, "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "60"},
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        exc = exceptions.ValidationError(detail)
    elif _is_domain_error(exc):
        exc = exceptions.ValidationError({"detail": str(exc)})
    elif isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        rate = getattr(settings, "API_THROTTLE_RATE", "")
        exc = exceptions.Throttled(wait=wait)
        exc.detail = exceptions.ErrorDetail(
            f"Too many requests: the limit is {rate} per user. Try again in {wait} seconds.", code="throttled"
        )
    return drf_exception_handler(exc, context)

