"""The import of a file: one entry point, :func:`ingest`, for the web page, the API and the command.

``ingest`` reads the file (CSV in UTF-8 or Windows-1252, the first sheet of an XLSX, or a published
workbook's own sheet below its title block: ``kinds.read_file``), tells its
kind from the header, validates every row (all errors at once, each naming row, column, value and
what is wrong), checks the user may touch every trust in it, diffs it against what is stored and,
when committing, writes one :class:`~trusts.models.Upload` record whatever happens and, if the
file is clean, all of its rows in one transaction, then queues a recompute of the trusts it
changed. A file with any error stores no rows. :func:`preview` checks a file for the preview page
once, recording a bad file as rejected.

The upload record is written before the file is read (who, when, its name, sha256 and size), as
failed with :data:`UNFINISHED` for its reason, and completed when the check ends: a worker lost
while reading a file leaves the record saying so. Reading stops at the limits of
:class:`common.xlsx.Limits` (the ``UPLOAD_MAX_*`` settings), and an upload keeps its first
``UPLOAD_MAX_ERRORS`` errors in full and the count of all of them (``errors_total``).
"""
import hashlib
import logging
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import FileError, HeaderError
from common.months import add_months
from common.xlsx import Limits
from finance import dependencies
from finance.models import Entitlement, RecomputeRun, Scheme
from trusts.importers import trust_codes
from trusts.models import Trust, Upload, UploadStatus
from trusts.successions import with_successors

from .blank_templates import example_row_error
from .kinds import KINDS, as_read, check_permission, detect_kind, read_file, unknown_kind_error
from .reports import IngestResult, capped_errors, file_error, preview_rows, skipped_notes, sorted_errors, too_large

logger = logging.getLogger(__name__)

UNFINISHED = ("The import of this file did not finish (the server stopped, or lost its database, while it was "
              "under way), so nothing from it was stored: send it again, and if this happens again, split the file.")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _schemes():
    return list(Scheme.objects.order_by("start_date").values("id", "code", "start_date"))


def _scheme_for(month, schemes):
    for scheme in schemes:
        start = scheme["start_date"]
        if start <= month < add_months(start, 12):
            return scheme
    return None


def _check_months(parsed, kind, schemes, today):
    """Future months and months outside every scheme are errors; returns the schemes touched."""
    touched = set()
    this_month = today.replace(day=1)
    first = schemes[0]["start_date"] if schemes else None
    last_month = add_months(schemes[-1]["start_date"], 11) if schemes else None
    kept = []
    for row in parsed.rows:
        month = row["month"]
        shown = f"{month:%Y-%m}"
        column = kind.month_column
        if month > this_month and not kind.future_allowed:
            parsed.error(row["row"], column, shown, f"Month {shown} is in the future (this month is {this_month:%Y-%m}).")
            continue
        scheme = _scheme_for(month, schemes)
        if scheme is None:
            span = f"{first:%Y-%m} to {last_month:%Y-%m}" if first else "none defined"
            parsed.error(row["row"], column, shown, f"Month {shown} is outside every STF scheme ({span}).")
            continue
        touched.add(scheme["id"])
        kept.append(row)
    parsed.rows = kept
    return touched


def analyse(*, data: bytes, file_name: str, user):
    """Validate and diff a file without writing: (result, plan). plan is None when unreadable.

    The errors are capped (``UPLOAD_MAX_ERRORS`` listed, ``errors_total`` counting all that were
    found; reading stops at the row after the cap is passed)."""
    limits = Limits.from_settings()
    result, plan, parsed = _analyse(data, user)
    beyond, stopped_at = (parsed.errors_beyond, parsed.stopped_at) if parsed is not None else (0, None)
    result.errors, result.errors_total = capped_errors(result.errors, limits.errors, beyond, stopped_at)
    if result.errors_total:
        result.ok = False
    return result, plan


def _analyse(data, user):
    """(result, plan, parsed) of :func:`analyse`, the errors not yet capped."""
    digest = sha256_of(data)
    result = IngestResult(ok=False, kind=None, sha256=digest)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        result.errors = [file_error(too_large(len(data), settings.UPLOAD_MAX_BYTES))]
        return result, None, None
    try:
        table = read_file(data)
    except FileError as exc:
        result.errors = [{**file_error(str(exc), column=getattr(exc, "column", "")), "value": getattr(exc, "value", "")}]
        return result, None, None
    code = detect_kind(table)
    if code is None:
        result.errors = [unknown_kind_error()]
        return result, None, None
    kind = KINDS[code]
    table = as_read(kind, table)
    result.kind = code
    result.row_count = sum(1 for _ in table.numbered())
    example = example_row_error(table)
    if example is not None:  # the blank template's example row, left in
        result.errors = [example]
        return result, None, None
    try:
        parsed = kind.parse(table)
    except HeaderError as exc:
        result.errors = [error.to_dict() for error in exc.errors()]
        return result, None, None
    if not parsed.rows and not parsed.errors and not parsed.skipped and not parsed.notes.get("held_errors"):
        result.errors = [file_error("The file has a header but no rows.")]
        return result, None, parsed
    codes = trust_codes()
    scheme_ids = set()
    if kind.monthly:
        scheme_ids = _check_months(parsed, kind, _schemes(), timezone.localdate())
    permission_errors = check_permission(parsed, kind, user, codes)
    if permission_errors and permission_errors[0]["row"] is None:
        result.errors = permission_errors
        result.notes["trust_ids"] = sorted({codes[r["org_code"]] for r in parsed.rows if r.get("org_code") in codes})
        parsed.errors_beyond, parsed.stopped_at = 0, None  # the file's own errors are not what it is refused for
        return result, None, parsed
    plan = kind.prepare(parsed) if kind.register else kind.prepare(parsed, codes=codes)
    plan.scheme_ids |= scheme_ids
    errors = [error.to_dict() for error in plan.errors] + permission_errors
    result.errors = sorted_errors(errors, table.header if table.has_header else ())
    result.ok = not result.errors and not parsed.errors_beyond
    skipped_rows, skipped = skipped_notes(plan.skipped)
    result.skipped = plan.skipped
    result.counts = {**plan.counts, "skipped": skipped_rows}
    result.notes.update(plan.notes)
    if plan.skipped:
        result.notes.update(skipped)
    result.preview = preview_rows(plan)
    return result, plan, parsed


def _entitlement_snapshot(trust_ids, scheme_ids):
    queryset = Entitlement.objects.filter(trust_id__in=trust_ids)
    if scheme_ids:
        queryset = queryset.filter(scheme_id__in=scheme_ids)
    return [[org, scheme, quarter, str(earned), status] for org, scheme, quarter, earned, status in
            queryset.values_list("trust__org_code", "scheme__code", "quarter", "earned", "status")]


def _claim_run(run, upload):
    """The recompute the upload's changes queued (``finance.dependencies``), as the upload's."""
    if run is not None:
        RecomputeRun.objects.filter(pk=run.pk).update(upload=upload, trigger="upload")
        run.upload, run.trigger = upload, "upload"
    return run


def ingest(*, data: bytes, file_name: str, user, source: str = "web", commit: bool = True,
           recompute: bool = True, notes: dict | None = None) -> IngestResult:
    """Validate a file and, when ``commit``, store it (all rows or none) and queue a recompute.

    Never raises for a bad file: the result's ``ok`` is False and ``errors`` lists every problem
    as ``{row, column, value, message}`` (the first ``UPLOAD_MAX_ERRORS``; ``errors_total`` counts
    them all). With ``commit=False`` nothing is written (preview). When committing, the upload
    record is written before the file is read (see the module's notes). ``recompute=False``
    stores the file without queueing a recompute (the upload records none queued): for a caller
    that recomputes everything afterwards, as the demo loader's user does with ``manage.py
    recompute``. ``notes`` are added to the upload record's notes (what the caller knows of the
    file, such as where its figures come from).
    """
    if not commit:
        result, _plan = analyse(data=data, file_name=file_name, user=user)
        result.status = "preview"
        return result
    upload = received(data=data, file_name=file_name, user=user, source=source)
    checked = _checked(upload, data=data, file_name=file_name, user=user)
    if isinstance(checked, IngestResult):
        return checked
    result, plan = checked
    return _store(result, plan, upload=upload, data=data, file_name=file_name, user=user, recompute=recompute,
                  notes=notes)


def preview(*, data: bytes, file_name: str, user, source: str = "web") -> IngestResult:
    """Validate and diff a file for the preview page, storing none of its rows.

    The upload record is written before the file is read. A file with errors keeps it, as a
    rejected upload (every file received is kept), so the file is read and checked only once; a
    clean file's record is removed again (the file waits for its confirmation as a
    :class:`~trusts.models.PendingUpload`, and is recorded when confirmed), and its result has
    status ``preview``.
    """
    upload = received(data=data, file_name=file_name, user=user, source=source)
    checked = _checked(upload, data=data, file_name=file_name, user=user)
    if isinstance(checked, IngestResult):
        return checked
    result, plan = checked
    if not result.ok:
        return _store(result, plan, upload=upload, data=data, file_name=file_name, user=user)
    upload.delete()
    result.status = "preview"
    return result


def received(*, data: bytes, file_name: str, user, source: str) -> Upload:
    """The upload record of a file just received, written (and committed) before it is read:
    failed, for the reason :data:`UNFINISHED`, until its check ends."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    return Upload.objects.create(uploaded_by_id=user_id, file_name=file_name[:255], sha256=sha256_of(data),
                                 size_bytes=len(data), source=source, status=UploadStatus.FAILED,
                                 errors=[file_error(UNFINISHED)], errors_total=1)


def _checked(upload, *, data, file_name, user):
    """(result, plan) of the file's check; or, when the check itself fails, the failed upload's
    result (recorded on ``upload``)."""
    try:
        return analyse(data=data, file_name=file_name, user=user)
    except Exception as exc:  # noqa: BLE001 - the failure is recorded on the upload the user sees
        logger.exception("Checking %s failed", file_name)
        result = IngestResult(ok=False, kind=None, sha256=upload.sha256)
        result.errors = [file_error(f"Checking the file failed and nothing was stored "
                                    f"({exc.__class__.__name__}: {str(exc)[:200]}).")]
        result.errors_total = 1
        upload.errors, upload.errors_total = result.errors, 1
        upload.save(update_fields=["errors", "errors_total"])
        result.upload, result.status = upload, upload.status
        return result


def _store(result: IngestResult, plan, *, upload: Upload, data: bytes, file_name: str, user, recompute: bool = True,
           notes: dict | None = None) -> IngestResult:
    """Complete the upload record written when the file was received and, when the file is clean
    and changes something, write its rows (one transaction), then, if ``recompute``, queue the
    recompute; a failure is recorded on the upload, as failed. ``notes`` go on the upload record
    with the import's own."""
    user_id = upload.uploaded_by_id
    upload.kind, upload.row_count = result.kind or "", result.row_count
    upload.errors, upload.errors_total = [], result.errors_total
    _fill_counts(upload, result)
    result.notes.update(notes or {})
    try:
        with transaction.atomic():
            if not result.ok:
                upload.status = UploadStatus.REJECTED
                upload.errors = result.errors
                # Nothing of a rejected file is stored: its record counts no new, changed or
                # unchanged rows (the preview said what the file held).
                upload.rows_new = upload.rows_changed = upload.rows_unchanged = 0
                upload.save()
                touched = set(result.notes.pop("trust_ids", [])) | (plan.trust_ids if plan else set())
                if touched:
                    upload.trusts.add(*touched)
            elif not plan.new and not plan.changed:
                earlier = (Upload.objects.filter(sha256=result.sha256, kind=result.kind, status=UploadStatus.STORED)
                           .order_by("uploaded_at").values_list("pk", flat=True).first())
                upload.status = UploadStatus.DUPLICATE
                upload.notes = {**result.notes, "duplicate_of": earlier}
                upload.save()
                if plan.trust_ids:
                    upload.trusts.add(*plan.trust_ids)
            else:
                upload.status = UploadStatus.STORED
                upload.save()
                # Every row written marks the figures it feeds; they are recomputed on commit
                # unless the caller recomputes everything itself.
                with dependencies.collect() as changes, nullcontext() if recompute else dependencies.deferred():
                    plan.apply(upload=upload, user=user if user_id else None)
                changed_ids = {row["trust_id"] for row in plan.new + plan.changed if "trust_id" in row}
                if KINDS[result.kind].register:
                    changed_ids = _trust_ids_of(plan)
                if plan.trust_ids | changed_ids:
                    upload.trusts.add(*(plan.trust_ids | changed_ids))
                # A successor's figures include its predecessors' returns: recompute it too.
                affected_ids = with_successors(changed_ids)
                upload.notes = {**result.notes,
                                "entitlements_before": _entitlement_snapshot(affected_ids, plan.scheme_ids),
                                "changed_trust_ids": affected_ids, "scheme_ids": sorted(plan.scheme_ids)}
                result.run = _claim_run(changes.run, upload)
                upload.recompute_queued = result.run is not None
                upload.save(update_fields=["notes", "recompute_queued"])
    except Exception as exc:  # noqa: BLE001 - the failure is recorded on the upload the user sees
        logger.exception("Import of %s failed", file_name)
        result.ok = False
        if isinstance(exc, IntegrityError):
            # The database's one-current-row constraints caught a concurrent upload of the same returns.
            message = ("Another upload changed the same returns at the same moment, so nothing from this file "
                       "was stored: upload it again.")
        else:
            message = f"The import failed and nothing was stored ({exc.__class__.__name__}: {exc})."
        result.errors, result.errors_total = [file_error(message)], 1
        upload.status, upload.errors, upload.errors_total = UploadStatus.FAILED, result.errors, 1
        upload.notes, upload.recompute_queued = {}, False
        upload.save()
        result.run = None
    result.upload = upload
    result.status = upload.status
    return result


def _trust_ids_of(plan):
    codes = [row["org_code"] for row in plan.new + plan.changed]
    return set(Trust.objects.filter(org_code__in=codes).values_list("id", flat=True))


def _fill_counts(upload, result):
    upload.rows_new = result.counts["new"]
    upload.rows_changed = result.counts["changed"]
    upload.rows_unchanged = result.counts["unchanged"]
    upload.rows_skipped = result.counts["skipped"]
