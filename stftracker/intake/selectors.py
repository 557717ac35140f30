"""Reads for the upload pages, the uploads API and the trust page: the uploads a user may see, the
latest recompute of an upload and what it changed, and the versions of a trust's returns with
their uploads."""
from decimal import Decimal

from django.db.models import Q

from finance.models import Allocation, Entitlement, FinanceReturn
from performance.models import PerformanceReturn, Trajectory
from trusts.models import Upload, UploadStatus
from trusts.roles import is_analyst, restrict_to_visible, visible_trusts


def visible_uploads(*, user, trust=None):
    """Uploads the user may see, newest first. Analysts: every upload. Anyone else: the uploads
    they sent themselves, and those stored that touch a trust they direct now (``trusts.roles``);
    a rejected, duplicate or failed file is shown to its uploader and analysts only, whatever trusts
    it names, and unlinking a director from a trust takes that trust's uploads from their view
    (their own stay). ``trust`` narrows to the uploads touching one trust."""
    queryset = Upload.objects.select_related("uploaded_by")
    if not is_analyst(user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        touched = restrict_to_visible(Upload.trusts.through.objects.all(), user).values("upload_id")
        queryset = queryset.filter(Q(pk__in=touched, status=UploadStatus.STORED) | Q(uploaded_by=user.pk))
    if trust is not None:
        queryset = queryset.filter(pk__in=Upload.trusts.through.objects.filter(trust=trust).values("upload_id"))
    return queryset.order_by("-uploaded_at", "-id")


def shown_errors(upload, user) -> list:
    """The errors of ``upload`` that ``user`` may read: all of them for analysts and the file's own
    uploader (who sent those cells); for anyone else only the errors naming no row, so that no
    cell of another trust's rows is shown."""
    errors = upload.errors or []
    if is_analyst(user) or (upload.uploaded_by_id is not None and upload.uploaded_by_id == user.pk):
        return errors
    return [error for error in errors if error.get("row") is None]


def shown_changes(rows, user) -> list:
    """The rows of :func:`entitlement_changes` that ``user`` may read in detail: every trust's for
    analysts, the trusts they direct for anyone else."""
    if is_analyst(user):
        return rows
    codes = set(visible_trusts(user).values_list("org_code", flat=True))
    return [row for row in rows if row["org_code"] in codes]


def entitlement_changes(upload):
    """Earned per trust, scheme and quarter before the upload and now, for the trusts it changed.

    ``before`` comes from the snapshot taken when the upload was stored (before queueing the
    recompute); ``after`` is what is stored now. Rows whose earned or status moved come first.
    """
    notes = upload.notes or {}
    before = {(org, scheme, quarter): (Decimal(earned), status)
              for org, scheme, quarter, earned, status in notes.get("entitlements_before", [])}
    trust_ids = notes.get("changed_trust_ids", [])
    after = {}
    names = {}
    queryset = Entitlement.objects.filter(trust_id__in=trust_ids)
    if notes.get("scheme_ids"):
        queryset = queryset.filter(scheme_id__in=notes["scheme_ids"])
    for org, name, scheme, quarter, earned, status in (
        queryset.values_list("trust__org_code", "trust__name", "scheme__code", "quarter", "earned", "status")
    ):
        after[(org, scheme, quarter)] = (earned, status)
        names[org] = name
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        rows.append({
            "org_code": key[0], "trust_name": names.get(key[0], ""), "scheme": key[1], "quarter": key[2],
            "earned_before": old[0] if old else None, "status_before": old[1] if old else "",
            "earned_after": new[0] if new else None, "status_after": new[1] if new else "",
            "changed": old != new,
        })
    rows.sort(key=lambda row: (not row["changed"], row["org_code"], row["scheme"], row["quarter"]))
    return rows


RETURN_MODELS = {
    "finance": (FinanceReturn, ["plan_ytd", "actual_ytd", "forecast_outturn"]),
    "performance": (PerformanceReturn, ["metric", "numerator", "denominator"]),
    "trajectories": (Trajectory, ["metric", "percent"]),
}


def return_history(*, trust, kind, month=None):
    """Every version of a trust's returns of one kind, current and superseded, with its upload.

    ``kind`` is ``finance``, ``performance``, ``trajectories`` or ``plans``. Returns dicts with
    the values, ``is_current``, ``upload_id``, ``file_name``, ``uploaded_at`` and ``uploaded_by``
    (username), newest version first within each month (and metric). For plans each version is
    a historical record of the trust's Allocation (``month`` is ignored; ``scheme`` is given).
    """
    if kind == "plans":
        records = (
            Allocation.history.filter(trust_id=trust.pk)
            .select_related("scheme", "upload", "upload__uploaded_by")
            .order_by("scheme__start_date", "-history_date", "-history_id")
        )
        seen, rows = set(), []
        for record in records:
            current = record.scheme_id not in seen
            seen.add(record.scheme_id)
            upload = record.upload
            rows.append({
                "scheme": record.scheme.code, "stf_allocation": record.stf_allocation,
                "control_total": record.control_total, "control_total_accepted": record.control_total_accepted,
                "is_current": current, "changed_at": record.history_date, **_upload_fields(upload),
            })
        return rows
    model, fields = RETURN_MODELS[kind]
    queryset = model.objects.filter(trust=trust).select_related("upload", "upload__uploaded_by")
    if month is not None:
        queryset = queryset.filter(month=month)
    order = ["month", "metric", "-id"] if "metric" in fields else ["month", "-id"]
    rows = []
    for obj in queryset.order_by(*order):
        rows.append({"month": obj.month, **{name: getattr(obj, name) for name in fields},
                     "is_current": obj.is_current, **_upload_fields(obj.upload)})
    return rows


def _upload_fields(upload):
    if upload is None:
        return {"upload_id": None, "file_name": "", "uploaded_at": None, "uploaded_by": ""}
    return {"upload_id": upload.pk, "file_name": upload.file_name, "uploaded_at": upload.uploaded_at,
            "uploaded_by": upload.uploaded_by.get_username() if upload.uploaded_by else ""}
