"""API tokens: create (the secret is shown once), list, revoke; all of a user's at once when their
password changes (``accounts.signals``).

knox keeps only a hash of the secret and its expiry; :class:`~stftracker.models.ApiToken` holds
the token's name, whether it is read-only, who made it and what became of it.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import get_token_model
from knox.settings import CONSTANTS

from common.errors import DomainError

from ..models import ApiToken


def default_days():
    return int(getattr(settings, "API_TOKEN_DEFAULT_DAYS", 90))


def max_days():
    return int(getattr(settings, "API_TOKEN_MAX_DAYS", 365))


class TokenError(DomainError):
    """A token request that cannot be honoured (bad lifetime, revoking someone else's token...)."""


def user_tokens(user):
    """Every token of ``user``, newest first, whatever its status."""
    return ApiToken.objects.filter(user=user).select_related("created_by")


def create_token(*, user, name, read_only=True, days=None, created_by=None):
    """Create a token for ``user`` that lasts ``days`` days (default 90, at most 365).

    Returns ``(api_token, secret)``: the secret is not stored anywhere and cannot be shown again.
    """
    days = default_days() if days is None else days
    if not isinstance(days, int) or not 1 <= days <= max_days():
        raise TokenError(f"A token lasts between 1 and {max_days()} days, not {days!r}.")
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, so that you can recognise it later.")
    if not user.is_active:
        raise TokenError(f"{user.get_username()} is not an active user.")
    with transaction.atomic():
        auth_token, secret = get_token_model().objects.create(user=user, expiry=datetime.timedelta(days=days))
        token = ApiToken(
            user=user,
            auth_token=auth_token,
            name=name,
            token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH],
            read_only=read_only,
            created_by=created_by or user,
            expires_at=auth_token.expiry,
        )
        try:
            token.full_clean()
        except ValidationError as error:
            raise TokenError("; ".join(error.messages)) from error
        token.save()
    return token, secret


def revoke_token(*, token, by):
    """Revoke ``token`` for good: its secret is deleted, the record stays. Owners and superusers may."""
    if by.pk != token.user_id and not by.is_superuser:
        raise TokenError("You may revoke only your own tokens.")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.auth_token_id is not None:
            get_token_model().objects.filter(pk=token.auth_token_id).delete()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
        token.auth_token = None
        token.save(update_fields=["auth_token", "revoked_at"])
    return token


def revoke_user_tokens(*, user):
    """Revoke every token of ``user`` at once (their password changed): the secrets are deleted and
    each unexpired record says when it was revoked. A constant number of queries, however many tokens.
    Returns how many active tokens were revoked."""
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)
        get_token_model().objects.filter(user=user).delete()
    return revoked


def is_read_only(auth_token):
    """Is the knox token a request authenticated with read-only? Tokens without a record are."""
    record = getattr(auth_token, "api_token", None) if auth_token is not None else None
    return record is None or record.read_only
