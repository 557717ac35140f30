"""Returns intake: one entry point, :func:`ingest`, for the web page, the API and the command.

``ingest`` reads the file (CSV in UTF-8 or Windows-1252, or the first sheet of an XLSX), tells its
kind from the header, validates every row (all errors at once, each naming row, column, value and
what is wrong), checks the user may touch every trust in it, diffs it against what is stored and,
when committing, writes one :class:`~trusts.models.Upload` record whatever happens and, if the
file is clean, all of its rows in one transaction, then queues a recompute of the trusts it
changed. A file with any error stores no rows.
"""
import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import FileError, HeaderError, RowError
from common.tabular import Table, normalise_header, read_table
from finance.models import Entitlement, Scheme
from performance import parsers as performance_parsers
from performance import services as performance_services
from trusts import parsers as trust_parsers
from trusts import services as trust_services
from trusts.models import Trust, Upload, UploadKind, UploadStatus
from trusts.roles import is_analyst
from trusts.successions import with_successors

from . import intake_services
from . import parsers as finance_parsers

logger = logging.getLogger(__name__)


NATIONAL_KINDS = {"trusts", "plans", "ae_nhse", "ae_tidy", "ods_etr"}
TRUST_KINDS = {"trusts", "ods_etr"}
MONTHLY_KINDS = {"finance", "performance", "trajectories", "ae_nhse", "ae_tidy"}
FUTURE_ALLOWED = {"trajectories"}  # trajectories are agreed for months still to come

# kind -> (parser, preparer)
KINDS = {
    "trusts": (trust_parsers.parse_trusts, trust_services.prepare_trusts),
    "ods_etr": (trust_parsers.parse_ods_etr, trust_services.prepare_ods_etr),
    "plans": (finance_parsers.parse_plans, intake_services.prepare_plans),
    "finance": (finance_parsers.parse_finance, intake_services.prepare_finance),
    "performance": (performance_parsers.parse_performance, performance_services.prepare_performance),
    "trajectories": (performance_parsers.parse_trajectories, performance_services.prepare_trajectories),
    "ae_nhse": (performance_parsers.parse_ae_nhse, performance_services.prepare_performance),
    "ae_tidy": (performance_parsers.parse_ae_tidy, performance_services.prepare_performance),
}

# Columns that tell the canonical kinds apart (any one is enough; the most matches wins).
DISTINCTIVE = {
    "trusts": {"trust_type", "region", "footprint"},
    "plans": {"year", "stf_allocation", "control_total", "control_total_accepted"},
    "finance": {"plan_ytd", "actual_ytd", "forecast_outturn"},
    "performance": {"numerator", "denominator"},
    "trajectories": {"trajectory_pct"},
    "ae_tidy": {"type", "attendances", "breaches", "admissions"},
    "ods_etr": {"national_grouping_code", "national_grouping_name", "high_level_health_geography_code"},
}

TEMPLATE_COLUMNS = {
    "trusts": trust_parsers.TRUST_COLUMNS,
    "plans": finance_parsers.PLAN_COLUMNS,
    "finance": finance_parsers.FINANCE_COLUMNS,
    "performance": performance_parsers.PERFORMANCE_COLUMNS,
    "trajectories": performance_parsers.TRAJECTORY_COLUMNS,
}


@dataclass
class IngestResult:
    ok: bool
    kind: str | None
    errors: list = field(default_factory=list)  # dicts {row, column, value, message}
    counts: dict = field(default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0, "skipped": 0})
    upload: Upload | None = None
    run: object = None  # finance.models.RecomputeRun
    status: str = ""
    row_count: int = 0
    skipped: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    preview: list = field(default_factory=list)  # {row, label, status, before, after}
    sha256: str = ""

    def to_dict(self):
        return {
            "ok": self.ok, "kind": self.kind, "status": self.status, "errors": self.errors,
            "counts": self.counts, "row_count": self.row_count,
            "upload": self.upload.pk if self.upload else None,
            "run": self.run.pk if self.run else None,
            "run_state": self.run.state if self.run else None,
            "skipped": self.skipped, "notes": self.notes, "sha256": self.sha256,
        }

    def report_lines(self):
        """The row-level report the command prints."""
        lines = []
        label = dict(UploadKind.choices).get(self.kind, "unknown kind")
        counts = self.counts
        lines.append(f"kind: {self.kind or '-'} ({label}); rows: {self.row_count}; status: {self.status or '-'}")
        lines.append(f"new {counts['new']}, changed {counts['changed']}, unchanged {counts['unchanged']}, "
                     f"skipped {counts['skipped']}")
        if self.skipped:
            orgs = self.notes.get("skipped_orgs", 0)
            lines.append(f"skipped {counts['skipped']} rows of {orgs} organisations not in the trust register "
                         f"or outside the scheme:")
            for reason, number in sorted(self.notes.get("skipped_reasons", {}).items()):
                lines.append(f"  {number} row{'' if number == 1 else 's'}: {reason}")
        for note, value in self.notes.items():
            if note in {"trust_types_guessed"}:
                lines.append(f"{value} new trusts were given a type guessed from their name (check them)")
        for error in self.errors:
            lines.append("ERROR " + str(RowError(**error)))
        return lines


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_kind(table: Table) -> str | None:
    """The kind a table's header belongs to (None when nothing fits)."""
    if table.has_header and trust_parsers.looks_like_headerless_etr(table.header):
        return "ods_etr"
    if performance_parsers.is_nhse_header(table.header):
        return "ae_nhse"
    names = {normalise_header(name) for name in table.header}
    best, score = None, 0
    for kind, columns in DISTINCTIVE.items():
        matched = len(names & columns)
        if matched > score:
            best, score = kind, matched
    return best


def as_headerless(table: Table) -> Table:
    return Table(header=[], rows=[table.header] + table.rows, first_row_number=1, has_header=False)


def _file_error(message, column=""):
    return {"row": None, "column": column, "value": "", "message": message}


def _schemes():
    return list(Scheme.objects.order_by("start_date").values("id", "code", "start_date"))


def _scheme_for(month, schemes):
    for scheme in schemes:
        start = scheme["start_date"]
        if start <= month < start.replace(year=start.year + 1):
            return scheme
    return None


def _check_months(parsed, kind, schemes, today):
    """Future months and months outside every scheme are errors; returns the schemes touched."""
    touched = set()
    this_month = today.replace(day=1)
    first = schemes[0]["start_date"] if schemes else None
    last = schemes[-1]["start_date"].replace(year=schemes[-1]["start_date"].year + 1) if schemes else None
    kept = []
    for row in parsed.rows:
        month = row["month"]
        shown = f"{month:%Y-%m}"
        column = "Period" if kind == "ae_nhse" else "period"
        if month > this_month and kind not in FUTURE_ALLOWED:
            parsed.error(row["row"], column, shown, f"Month {shown} is in the future (this month is {this_month:%Y-%m}).")
            continue
        scheme = _scheme_for(month, schemes)
        if scheme is None:
            span = f"{first:%Y-%m} to {last - datetime.timedelta(days=1):%Y-%m}" if first else "none defined"
            parsed.error(row["row"], column, shown, f"Month {shown} is outside every STF scheme ({span}).")
            continue
        touched.add(scheme["id"])
        kept.append(row)
    parsed.rows = kept
    return touched


def _check_permission(parsed, kind, user, codes):
    """Errors for rows the user may not touch; a file-level error for national kinds."""
    if user is None or not user.is_authenticated:
        return [_file_error("You must be logged in to upload.")]
    if kind in NATIONAL_KINDS:
        if not user.has_perm("trusts.import_national"):
            label = dict(UploadKind.choices)[kind]
            return [_file_error(f"You may not import {label}: only analysts import national files.")]
        return []
    if is_analyst(user):
        return []
    if not user.has_perm("trusts.upload_trust_returns"):
        return [_file_error("You may not upload returns.")]
    allowed = set(user.directed_trusts.values_list("org_code", flat=True))
    errors, refused = [], set()
    for row in parsed.rows + [row for row in parsed.partial if row.get("org_code")]:
        if row["org_code"] in codes and row["org_code"] not in allowed:
            refused.add(row["row"])
            errors.append(RowError(row["row"], "org_code", row["org_code"],
                                   f"You may upload returns only for the trusts you direct "
                                   f"({', '.join(sorted(allowed)) or 'none'}), not {row['org_code']}.").to_dict())
    if refused:
        parsed.rows = [row for row in parsed.rows if row["row"] not in refused]
    return errors


def _sorted_errors(errors, header=()):
    """By row, then by the column's place in the file."""
    order = {normalise_header(name): index for index, name in enumerate(header)}
    return sorted(errors, key=lambda e: (e["row"] is not None, e["row"] or 0,
                                         order.get(normalise_header(e["column"] or ""), len(order))))


def _shown(value):
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _preview(plan):
    rows = []
    for status, group in (("new", plan.new), ("changed", plan.changed), ("unchanged", plan.unchanged)):
        for row in group:
            after = {k: _shown(v) for k, v in row.items()
                     if k not in {"row", "label", "existing", "before", "target", "trust_id", "scheme_id", "source_rows"}}
            if "target" in row:
                target = row["target"]
                after = {"name": target["name"], "trust_type": target["trust_type"], "region": target["region"].name,
                         "footprint": target["footprint"].name if target["footprint"] else "",
                         "active": _shown(target["active"])}
            before = {k: _shown(v) for k, v in (row.get("before") or {}).items()}
            rows.append({"row": row["row"], "label": row.get("label", row.get("org_code", "")), "status": status,
                         "before": before, "after": after})
    rows.sort(key=lambda r: r["row"])
    return rows


def _skipped_notes(skipped):
    reasons, orgs, total = {}, set(), 0
    for item in skipped:
        number = item.get("rows", 1)
        total += number
        reasons[item["reason"]] = reasons.get(item["reason"], 0) + number
        if item["org_code"] not in {"", "-"}:  # the England total row is no organisation
            orgs.add(item["org_code"])
    return total, {"skipped_orgs": len(orgs), "skipped_reasons": reasons}


def analyse(*, data: bytes, file_name: str, user):
    """Validate and diff a file without writing: (result, plan). plan is None when unreadable."""
    digest = sha256_of(data)
    result = IngestResult(ok=False, kind=None, sha256=digest)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        result.errors = [_file_error(f"The file is {len(data):,} bytes, over the limit of "
                                     f"{settings.UPLOAD_MAX_BYTES:,} bytes.")]
        return result, None
    try:
        table = read_table(data)
    except FileError as exc:
        result.errors = [_file_error(str(exc))]
        return result, None
    kind = detect_kind(table)
    if kind is None:
        result.errors = [_file_error(
            "The kind of file cannot be told from its header. Expected the columns of one of: "
            + "; ".join(f"{k} ({', '.join(c)})" for k, c in TEMPLATE_COLUMNS.items())
            + "; or NHS England's A&E CSV, the tidy A&E layout, or ODS etr.csv.", column="(header)")]
        return result, None
    if kind == "ods_etr" and not trust_parsers.is_etr_header(table.header):
        table = as_headerless(table)
    result.kind = kind
    result.row_count = sum(1 for _ in table.numbered())
    parser, preparer = KINDS[kind]
    try:
        parsed = parser(table)
    except HeaderError as exc:
        result.errors = [error.to_dict() for error in exc.errors()]
        return result, None
    if not parsed.rows and not parsed.errors and not parsed.skipped:
        result.errors = [_file_error("The file has a header but no rows.")]
        return result, None
    codes = trust_services.trust_codes()
    scheme_ids = set()
    if kind in MONTHLY_KINDS:
        scheme_ids = _check_months(parsed, kind, _schemes(), timezone.localdate())
    permission_errors = _check_permission(parsed, kind, user, codes)
    if permission_errors and permission_errors[0]["row"] is None:
        result.errors = permission_errors
        result.notes["trust_ids"] = sorted({codes[r["org_code"]] for r in parsed.rows if r.get("org_code") in codes})
        return result, None
    plan = preparer(parsed, codes=codes) if kind not in TRUST_KINDS else preparer(parsed)
    plan.scheme_ids |= scheme_ids
    errors = [error.to_dict() for error in plan.errors] + permission_errors
    result.errors = _sorted_errors(errors, table.header if table.has_header else ())
    result.ok = not result.errors
    skipped_rows, skipped_notes = _skipped_notes(plan.skipped)
    result.skipped = plan.skipped
    result.counts = {**plan.counts, "skipped": skipped_rows}
    result.notes.update(plan.notes)
    if plan.skipped:
        result.notes.update(skipped_notes)
    result.preview = _preview(plan)
    return result, plan


def _entitlement_snapshot(trust_ids, scheme_ids):
    queryset = Entitlement.objects.filter(trust_id__in=trust_ids)
    if scheme_ids:
        queryset = queryset.filter(scheme_id__in=scheme_ids)
    return [[org, scheme, quarter, str(earned), status] for org, scheme, quarter, earned, status in
            queryset.values_list("trust__org_code", "scheme__code", "quarter", "earned", "status")]


def _queue(upload, trust_ids, scheme_ids):
    try:
        from finance.dispatch import queue_recompute
    except ImportError:  # the engine is not installed: the upload stands, the run is absent
        logger.warning("finance.dispatch.queue_recompute is unavailable; no recompute queued")
        return None
    scheme = Scheme.objects.get(pk=next(iter(scheme_ids))) if len(scheme_ids) == 1 else None
    return queue_recompute(scheme=scheme, trust_ids=sorted(trust_ids), upload=upload, trigger="upload")


def ingest(*, data: bytes, file_name: str, user, source: str = "web", commit: bool = True) -> IngestResult:
    """Validate a file and, when ``commit``, store it (all rows or none) and queue a recompute.

    Never raises for a bad file: the result's ``ok`` is False and ``errors`` lists every problem
    as ``{row, column, value, message}``. With ``commit=False`` nothing is written (preview).
    """
    result, plan = analyse(data=data, file_name=file_name, user=user)
    if not commit:
        result.status = "preview"
        return result
    user_id = user.pk if user is not None and user.is_authenticated else None
    upload = Upload(uploaded_by_id=user_id, kind=result.kind or "", file_name=file_name[:255], sha256=result.sha256,
                    size_bytes=len(data), row_count=result.row_count, source=source)
    _fill_counts(upload, result)
    try:
        with transaction.atomic():
            if not result.ok:
                upload.status = UploadStatus.REJECTED
                upload.errors = result.errors
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
                plan.apply(upload=upload, user=user if user_id else None)
                changed_ids = {row["trust_id"] for row in plan.new + plan.changed if "trust_id" in row}
                if result.kind in TRUST_KINDS:
                    changed_ids = _trust_ids_of(plan)
                if plan.trust_ids | changed_ids:
                    upload.trusts.add(*(plan.trust_ids | changed_ids))
                # A successor's figures include its predecessors' returns: recompute it too.
                affected_ids = with_successors(changed_ids)
                upload.notes = {**result.notes,
                                "entitlements_before": _entitlement_snapshot(affected_ids, plan.scheme_ids),
                                "changed_trust_ids": affected_ids, "scheme_ids": sorted(plan.scheme_ids)}
                upload.recompute_queued = bool(affected_ids)
                upload.save(update_fields=["notes", "recompute_queued"])
                if affected_ids:
                    result.run = _queue(upload, affected_ids, plan.scheme_ids)
    except Exception as exc:  # noqa: BLE001 - the failure is recorded on the upload the user sees
        logger.exception("Import of %s failed", file_name)
        result.ok = False
        if isinstance(exc, IntegrityError):
            # The database's one-current-row constraints caught a concurrent upload of the same returns.
            message = ("Another upload changed the same returns at the same moment, so nothing from this file "
                       "was stored: upload it again.")
        else:
            message = f"The import failed and nothing was stored ({exc.__class__.__name__}: {exc})."
        result.errors = [_file_error(message)]
        upload = Upload(uploaded_by_id=user_id, kind=result.kind or "", file_name=file_name[:255],
                        sha256=result.sha256, size_bytes=len(data), row_count=result.row_count, source=source,
                        status=UploadStatus.FAILED, errors=result.errors)
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


def template_columns(kind: str) -> list[str]:
    return TEMPLATE_COLUMNS[kind]
