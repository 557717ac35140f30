"""The audit log: who changed a scheme, an allocation or a trust, and when; who uploaded what; who
proposed, approved and withdrew each adjustment on review; who reopened a decided quarter to its
finance directors' uploads, why, and when it closed.

Changes come from django-simple-history (each save of a Scheme, Allocation, Trust, Adjustment or
QuarterReopening writes a historical row with the user the request belonged to); uploads from ``trusts.Upload``; and what
was done in the admin site from Django's admin log (which covers giving people roles and linking
finance directors to their trusts, the changes that grant access).

:func:`recent_changes` reads a fixed number of queries whatever the number of rows: for each history table one
query for the page (with the id of each row's previous version as a subquery), one for those
previous versions, and one per related model named in a change.
"""
import heapq
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Optional

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import ForeignKey, OuterRef, Q, Subquery
from django.utils import timezone

from common.dates import day_label
from finance.models import Adjustment, Allocation, QuarterReopening, Scheme
from trusts.models import Trust, Upload

from ..models import ApiToken

KINDS = {
    "scheme": "Scheme",
    "allocation": "Allocation and control total",
    "trust": "Trust",
    "adjustment": "Adjustment on review",
    "reopening": "Decided quarter reopened to uploads",
    "upload": "Upload",
    "admin": "Admin site action (users, roles, trust links)",
    "token": "API token",
}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
PAGE_SIZE = 50
# Rows without history get a baseline after each migrate (common.history); a row edited before its baseline was
# written still has no earlier version to compare.
FIRST_RECORDED = "First recorded version: no earlier version was kept to compare with"
MAX_PAGE = 200  # deep paging merges every source up to the page: keep it bounded


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    kind: str
    when: datetime
    user: str
    action: str
    subject: str
    trust_code: Optional[str] = None
    changes: list = field(default_factory=list)
    detail: str = ""
    reason: str = ""
    link: str = ""

    @property
    def kind_label(self):
        return KINDS[self.kind]


def _username(user):
    return user.get_username() if user is not None else "system (command, import or task)"


def _previous_version_id(history_model):
    earlier = history_model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    return Subquery(earlier.order_by("-history_date", "-history_id").values("history_id")[:1])


def _history_page(model, *, trust, user, count, since):
    history_model = model.history.model
    rows = history_model.objects.select_related("history_user").annotate(
        previous_id=_previous_version_id(history_model)
    )
    if model is Trust and trust is not None:
        rows = rows.filter(id=trust.pk)
    elif model in (Allocation, Adjustment, QuarterReopening):
        rows = rows.select_related("trust", "scheme")
        if trust is not None:
            rows = rows.filter(trust_id=trust.pk)
    elif model is Scheme and trust is not None:
        return []
    if user:
        rows = rows.filter(history_user__username=user)
    if since:
        rows = rows.filter(history_date__gte=since)
    rows = list(rows.order_by("-history_date", "-history_id")[:count])
    previous = history_model.objects.in_bulk([row.previous_id for row in rows if row.previous_id])
    return [(row, previous.get(row.previous_id)) for row in rows]


def _format(value):
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _changes(model, row, before, related_names):
    """Field-by-field changes of ``row`` against the version ``before`` it (None when created)."""
    meta = model._meta
    if before is None:
        return []
    changes = []
    for change in row.diff_against(before).changes:
        model_field = meta.get_field(change.field)
        old, new = change.old, change.new
        if isinstance(model_field, ForeignKey):
            names = related_names.get(model_field.related_model, {})
            old, new = names.get(old, old), names.get(new, new)
        elif model_field.choices:
            labels = dict(model_field.flatchoices)
            old, new = labels.get(old, old), labels.get(new, new)
        changes.append(Change(str(model_field.verbose_name), _format(old), _format(new)))
    return changes


def _related_names(pairs_by_model):
    """{related model: {pk: str(object)}} for every foreign key that changed, one query per model."""
    wanted = {}
    for model, pairs in pairs_by_model.items():
        fk_fields = [f for f in model._meta.concrete_fields if isinstance(f, ForeignKey)]
        for row, before in pairs:
            if before is None:
                continue
            for fk in fk_fields:
                old, new = getattr(before, fk.attname), getattr(row, fk.attname)
                if old != new:
                    wanted.setdefault(fk.related_model, set()).update(v for v in (old, new) if v is not None)
    names = {}
    for related_model, ids in wanted.items():
        names[related_model] = {pk: str(obj) for pk, obj in related_model.objects.in_bulk(list(ids)).items()}
    return names


def _subject(model, row):
    if model is Trust:
        return f"{row.name} ({row.org_code})", row.org_code
    if model is Allocation:
        return f"{row.trust.org_code} allocation under STF {row.scheme.code}", row.trust.org_code
    if model is Adjustment:
        return (f"Adjustment {row.id}: {row.element} element {row.decision} for {row.trust.org_code} "
                f"Q{row.quarter} STF {row.scheme.code}"), row.trust.org_code
    if model is QuarterReopening:
        return (f"Reopening {row.id}: {row.trust.org_code} Q{row.quarter} STF {row.scheme.code} "
                f"open to its finance directors' returns"), row.trust.org_code
    return f"STF {row.code} scheme", None


def _link(model, row):
    if row.history_type == "-":
        return ""
    if model is Trust:
        return f"/trusts/{row.org_code}/"
    if model is Adjustment:
        return f"/adjustments/{row.id}/"
    if model is QuarterReopening:
        return f"/reopenings/#reopening-{row.id}"
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{row.id}/history/"


def _action(model, row):
    """What a history row records: for an adjustment its step (proposed, approved, withdrawn)."""
    if model is Adjustment and row.history_type != "-":
        return row.state
    if model is QuarterReopening and row.history_type != "-":
        return "reopened" if row.closed_at is None else "closed"
    return ACTIONS.get(row.history_type, row.history_type)


def _history_entries(model, kind, pairs, related_names):
    entries = []
    for row, before in pairs:
        subject, trust_code = _subject(model, row)
        entries.append(
            AuditEntry(
                kind=kind,
                when=row.history_date,
                user=_username(row.history_user),
                action=_action(model, row),
                subject=subject,
                trust_code=trust_code,
                changes=_changes(model, row, before, related_names),
                detail=FIRST_RECORDED if before is None and row.history_type == "~" else "",
                reason=row.history_change_reason or "",
                link=_link(model, row),
            )
        )
    return entries


def _upload_entries(*, trust, user, count, since):
    uploads = Upload.objects.select_related("uploaded_by").prefetch_related("trusts")
    if trust is not None:
        uploads = uploads.filter(trusts=trust)
    if user:
        uploads = uploads.filter(uploaded_by__username=user)
    if since:
        uploads = uploads.filter(uploaded_at__gte=since)
    entries = []
    for upload in uploads.order_by("-uploaded_at", "-id")[:count]:
        codes = sorted(t.org_code for t in upload.trusts.all())
        detail = (
            f"{upload.get_kind_display() or 'Unknown kind'} file, {upload.get_status_display().lower()}: "
            f"{upload.row_count} rows ({upload.rows_new} new, {upload.rows_changed} changed, "
            f"{upload.rows_unchanged} unchanged, {upload.rows_skipped} skipped)"
        )
        if upload.errors:
            detail += f"; {len(upload.errors)} error{'s' if len(upload.errors) != 1 else ''}"
        if codes:
            detail += f"; trusts {', '.join(codes)}"
        entries.append(
            AuditEntry(
                kind="upload",
                when=upload.uploaded_at,
                user=_username(upload.uploaded_by),
                action=f"uploaded ({upload.source})",
                subject=upload.file_name,
                trust_code=codes[0] if len(codes) == 1 else None,
                detail=detail,
                link=f"/uploads/{upload.pk}/",
            )
        )
    return entries


ADMIN_ACTIONS = {ADDITION: "added in the admin", CHANGE: "changed in the admin", DELETION: "deleted in the admin"}


def _admin_entries(*, trust, user, count, since):
    actions = LogEntry.objects.select_related("user", "content_type")
    if trust is not None:
        actions = actions.filter(content_type=ContentType.objects.get_for_model(Trust), object_id=str(trust.pk))
    if user:
        actions = actions.filter(user__username=user)
    if since:
        actions = actions.filter(action_time__gte=since)
    entries = []
    for action in actions.order_by("-action_time", "-id")[:count]:
        model_name = action.content_type.name if action.content_type_id else "object"
        entries.append(
            AuditEntry(
                kind="admin",
                when=action.action_time,
                user=_username(action.user),
                action=ADMIN_ACTIONS.get(action.action_flag, "admin action"),
                subject=f"{model_name.capitalize()}: {action.object_repr}",
                trust_code=trust.org_code if trust is not None else None,
                detail=action.get_change_message() or "",
            )
        )
    return entries


def _token_entries(*, trust, user, count, since):
    """API tokens created and revoked: who gave which account access to the API."""
    if trust is not None:
        return []
    tokens = ApiToken.objects.select_related("user", "created_by")
    if user:
        tokens = tokens.filter(Q(user__username=user) | Q(created_by__username=user))
    created = tokens.filter(created_at__gte=since) if since else tokens
    revoked = tokens.filter(revoked_at__isnull=False)
    if since:
        revoked = revoked.filter(revoked_at__gte=since)
    entries = []
    for token in created.order_by("-created_at", "-id")[:count]:
        entries.append(
            AuditEntry(
                kind="token",
                when=token.created_at,
                user=_username(token.created_by or token.user),
                action="created",
                subject=f"API token “{token.name}” ({token.token_key}…) of {token.user.get_username()}",
                detail=f"{'Read-only' if token.read_only else 'May upload'}; expires {day_label(timezone.localtime(token.expires_at))}",
            )
        )
    for token in revoked.order_by("-revoked_at", "-id")[:count]:
        entries.append(
            AuditEntry(
                kind="token",
                when=token.revoked_at,
                user=f"{token.user.get_username()} or an administrator",
                action="revoked",
                subject=f"API token “{token.name}” ({token.token_key}…) of {token.user.get_username()}",
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def recent_changes(*, kind=None, trust=None, user=None, since=None, limit=PAGE_SIZE, offset=0):
    """Audit entries, newest first.

    ``kind`` one of KINDS (None for all); ``trust`` a Trust (scheme changes, which belong to no
    trust, are then left out); ``user`` a username; ``since`` an aware datetime.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"Unknown audit kind {kind!r}; expected one of {', '.join(KINDS)}.")
    count = offset + limit
    sources = []
    history_models = {"scheme": Scheme, "allocation": Allocation, "trust": Trust, "adjustment": Adjustment,
                      "reopening": QuarterReopening}
    pairs_by_model = {}
    for name, model in history_models.items():
        if kind in (None, name):
            pairs_by_model[model] = _history_page(model, trust=trust, user=user, count=count, since=since)
    related_names = _related_names(pairs_by_model)
    for name, model in history_models.items():
        if model in pairs_by_model:
            sources.append(_history_entries(model, name, pairs_by_model[model], related_names))
    if kind in (None, "upload"):
        sources.append(_upload_entries(trust=trust, user=user, count=count, since=since))
    if kind in (None, "admin"):
        sources.append(_admin_entries(trust=trust, user=user, count=count, since=since))
    if kind in (None, "token"):
        sources.append(_token_entries(trust=trust, user=user, count=count, since=since))
    merged = heapq.merge(*sources, key=lambda entry: entry.when, reverse=True)
    return list(merged)[offset:count]
