"""Previewed files waiting for their confirmation (:class:`~trusts.models.PendingUpload`).

The file's bytes wait in the database under a random token bound to the user who previewed it,
so any worker process can confirm it, with or without Redis, for ``UPLOAD_PREVIEW_SECONDS`` at
most. A user keeps at most ``UPLOAD_PREVIEW_MAX_PENDING`` files waiting, of at most
``UPLOAD_PREVIEW_MAX_BYTES`` together: a new preview drops that user's oldest to make room, and
every preview drops the expired ones of everybody.
"""
import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trusts.models import PendingUpload


def hold(*, user, data: bytes, file_name: str, sha256: str) -> str:
    """Keep a previewed file for its confirmation; returns its token."""
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        PendingUpload.objects.filter(expires_at__lte=now).delete()
        kept = list(PendingUpload.objects.filter(user=user).order_by("-created_at", "-id")
                    .values_list("id", "size_bytes"))
        room_files = settings.UPLOAD_PREVIEW_MAX_PENDING - 1
        room_bytes = settings.UPLOAD_PREVIEW_MAX_BYTES - len(data)
        keep, used = 0, 0
        for _pk, size in kept:
            if keep >= room_files or used + size > room_bytes:
                break
            keep, used = keep + 1, used + size
        dropped = [pk for pk, _size in kept[keep:]]
        if dropped:
            PendingUpload.objects.filter(pk__in=dropped).delete()
        PendingUpload.objects.create(token=token, user=user, file_name=file_name[:255], sha256=sha256,
                                     size_bytes=len(data), data=data,
                                     expires_at=now + datetime.timedelta(seconds=settings.UPLOAD_PREVIEW_SECONDS))
    return token


def take(*, user, token: str):
    """``(data, file_name)`` of the user's file waiting under ``token``, no longer waiting; None
    when there is none (expired, confirmed already, or another user's)."""
    if not token:
        return None
    with transaction.atomic():
        pending = (PendingUpload.objects.select_for_update()
                   .filter(user=user, token=token, expires_at__gt=timezone.now()).first())
        if pending is None:
            return None
        data, file_name = bytes(pending.data), pending.file_name
        pending.delete()
    return data, file_name
