"""How API requests authenticate, wired in through REST_FRAMEWORK in settings: knox's hashed
tokens with clear messages (an expired token says when it expired), and read-only tokens that
may read but not write.
"""
import binascii
from hmac import compare_digest

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from common.dates import moment_label

from .tokens import is_read_only


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
                expired = moment_label(auth_token.expiry)
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
