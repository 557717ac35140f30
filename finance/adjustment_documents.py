"""Documents attached to adjustments on review: which files are accepted, and how they are stored.

A document is accepted when its extension is one of ``ADJUSTMENT_DOCUMENT_TYPES`` (pdf, docx, xlsx,
png, jpg, eml, msg by default; ``jpeg`` is read as ``jpg``), its content starts as a file of that type
does (a PDF with ``%PDF-``, a Word or Excel file as a zip, a PNG or JPEG by their signatures, an
Outlook message as an OLE compound file, an e-mail as text with headers) and it is at most
``ADJUSTMENT_DOCUMENT_MAX_BYTES``. It is stored under ``MEDIA_ROOT/adjustments/`` with a random name,
and served only through the adjustment's page to analysts, as a download (never from a public URL).
"""
from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings

from common.errors import DomainError

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "msg": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook",
}


def extension(name: str) -> str:
    ext = PurePath(name or "").suffix.lower().lstrip(".")
    return "jpg" if ext == "jpeg" else ext


def stored_name(filename: str) -> str:
    return f"adjustments/{uuid.uuid4().hex}.{extension(filename) or 'bin'}"


def _looks_like_email(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    first = text.lstrip().split("\n", 1)[0]
    name, colon, _ = first.partition(":")
    return bool(colon) and name.strip() != "" and " " not in name.strip() and "\x00" not in text


def check_document(upload) -> None:
    """Raise a DomainError naming the file and what is wrong with it, unless it may be stored."""
    name = getattr(upload, "name", "") or ""
    allowed = [extension(f"document.{t}") for t in settings.ADJUSTMENT_DOCUMENT_TYPES]
    ext = extension(name)
    if ext not in allowed:
        raise DomainError(f"Document {name!r}: only {', '.join(allowed)} files are accepted, not {ext or 'a file without an extension'!r}.")
    limit = settings.ADJUSTMENT_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise DomainError(f"Document {name!r} is {upload.size:,} bytes: the largest accepted is {limit:,} bytes.")
    if upload.size == 0:
        raise DomainError(f"Document {name!r} is empty.")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    signatures = SIGNATURES.get(ext)
    fits = any(head.startswith(sig) for sig in signatures) if signatures else _looks_like_email(head)
    if not fits:
        raise DomainError(f"Document {name!r} is not a {ext} file: its content does not match its extension.")
