"""Decided quarters closed to uploads, and an analyst's reopening of one.

Who may do what (our choice):

* Once a trust-quarter is decided (its entitlement's status is anything but ``pending``), the
  trust's finance directors may not upload finance returns for its three months: the quarter is
  closed (``closed_quarters``; the setting ``UPLOADS_CLOSE_DECIDED_QUARTERS`` turns this off).
  Analysts' own uploads correct returns of any quarter (they are audited like every upload).
* Only an analyst reopens a decided quarter, giving the reason (``reopen``); at most one reopening
  of a trust-quarter is open at a time. A quarter still pending needs no reopening.
* A reopening closes when an analyst closes it (``close``), or by itself when a recompute decides
  the quarter again after a finance return for one of its months was stored while it was open
  (``close_decided``, called by the recompute): one correction per reopening.

Every step is saved with its history (the audit log reads it): who reopened or closed what, when
and why; a reopening closed by a recompute names the run.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.dates import moment_label
from common.errors import DomainError
from common.history import write_versions
from common.months import add_months
from trusts.roles import is_analyst

from .eligibility import iso_utc
from .models import Entitlement, EntitlementStatus, FinanceReturn, QuarterReopening, Scheme
from .selectors import user_name

ANALYSTS_ONLY = "Only analysts may reopen or close a decided quarter."
WHO_REOPENS = "An analyst may reopen it to take a corrected return."


class ReopeningError(DomainError):
    """A quarter cannot be reopened or closed as asked; the message says why."""


@dataclass(frozen=True)
class ClosedQuarter:
    """A decided trust-quarter that takes no finance return from its directors."""

    scheme: str
    quarter: int
    status: str

    @property
    def label(self):
        return f"{self.scheme} Q{self.quarter}"


def quarter_of(month, start_date) -> int:
    """The quarter (1 to 4) of the financial year from ``start_date`` that ``month`` falls in."""
    return ((month.year - start_date.year) * 12 + month.month - start_date.month) // 3 + 1


def quarter_months(start_date, quarter) -> list:
    """The first days of the quarter's three months."""
    first = add_months(start_date, 3 * (quarter - 1))
    return [add_months(first, step) for step in range(3)]


def _scheme_for(month, schemes):
    for scheme in schemes:
        if scheme.start_date <= month < add_months(scheme.start_date, 12):
            return scheme
    return None


def closed_quarters(pairs) -> dict:
    """For ``pairs`` of (trust id, month), those whose trust-quarter is decided and not reopened:
    {(trust id, month): ClosedQuarter}. Three queries, whatever the number of rows."""
    pairs = set(pairs)
    if not pairs:
        return {}
    schemes = list(Scheme.objects.order_by("start_date").only("id", "code", "start_date"))
    wanted = {}
    for trust_id, month in pairs:
        scheme = _scheme_for(month, schemes)
        if scheme is not None:
            wanted[(trust_id, month)] = (scheme, quarter_of(month, scheme.start_date))
    if not wanted:
        return {}
    trust_ids = {trust_id for trust_id, _ in wanted}
    scheme_ids = {scheme.pk for scheme, _ in wanted.values()}
    decided = {
        (trust_id, scheme_id, quarter): status
        for trust_id, scheme_id, quarter, status in Entitlement.objects.filter(
            trust_id__in=trust_ids, scheme_id__in=scheme_ids).exclude(status=EntitlementStatus.PENDING)
        .values_list("trust_id", "scheme_id", "quarter", "status")
    }
    reopened = set(QuarterReopening.objects.filter(trust_id__in=trust_ids, scheme_id__in=scheme_ids,
                                                   closed_at__isnull=True)
                   .values_list("trust_id", "scheme_id", "quarter"))
    closed = {}
    for (trust_id, month), (scheme, quarter) in wanted.items():
        key = (trust_id, scheme.pk, quarter)
        if key in decided and key not in reopened:
            closed[(trust_id, month)] = ClosedQuarter(scheme.code, quarter, decided[key])
    return closed


def _analyst(user):
    if not is_analyst(user):
        raise PermissionDenied(ANALYSTS_ONLY)


def _text(value) -> str:
    return (value or "").strip()


def reopen(*, user, trust, scheme, quarter, reason) -> QuarterReopening:
    """An analyst reopens a decided trust-quarter to its finance directors' finance returns."""
    _analyst(user)
    errors = []
    if quarter not in (1, 2, 3, 4):
        errors.append(f"Quarter must be 1, 2, 3 or 4, not {quarter!r}.")
    if not _text(reason):
        errors.append("Give the reason for reopening the quarter.")
    if errors:
        raise ReopeningError(" ".join(errors))
    label = f"{trust.org_code} {scheme.code} Q{quarter}"
    status = (Entitlement.objects.filter(trust=trust, scheme=scheme, quarter=quarter)
              .values_list("status", flat=True).first())
    if status is None:
        raise ReopeningError(f"{label} has no result ({trust.org_code} is not in the scheme, or its figures are "
                             f"not computed yet): there is nothing to reopen.")
    if status == EntitlementStatus.PENDING:
        raise ReopeningError(f"{label} is pending, not decided: its finance directors may upload its returns "
                             f"without a reopening.")
    reopening = QuarterReopening(trust=trust, scheme=scheme, quarter=quarter, reason=_text(reason), opened_by=user,
                                 opened_at=timezone.now())
    reopening._history_user = user
    reopening._change_reason = f"Reopened: {reopening.reason}"[:100]
    reopening.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reopening.save()
    except IntegrityError as exc:
        raise ReopeningError(f"{label} is already reopened: close that reopening first.") from exc
    return reopening


def close(*, user, reopening, reason="") -> QuarterReopening:
    """An analyst closes a reopening: the quarter takes no more finance returns from its directors."""
    _analyst(user)
    with transaction.atomic():
        locked = QuarterReopening.objects.select_for_update(of=("self",))  # the row, not the people it names
        found = (locked.select_related("trust", "scheme", "closed_by")
                 .filter(pk=getattr(reopening, "pk", reopening)).first())
        if found is None:
            raise ReopeningError(f"There is no reopening {getattr(reopening, 'pk', reopening)}.")
        if not found.is_open:
            who = user_name(found.closed_by) or f"recompute {found.closed_by_run_id}"
            raise ReopeningError(f"Reopening {found.pk} is already closed ({who}, {moment_label(found.closed_at)}).")
        found.closed_by, found.closed_at, found.close_reason = user, timezone.now(), _text(reason)
        found._history_user = user
        found._change_reason = f"Closed: {found.close_reason}"[:100] if found.close_reason else "Closed"
        found.save()
    return found


def close_decided(*, scheme, trust_ids=None, run=None, now=None) -> int:
    """Close the scheme's open reopenings (of ``trust_ids``; None for every trust) whose quarter is
    decided again and took a finance return while open. Part of a recompute's transaction; a few
    queries whatever the number of trusts. Returns how many were closed."""
    reopenings = QuarterReopening.objects.filter(scheme=scheme, closed_at__isnull=True)
    if trust_ids is not None:
        reopenings = reopenings.filter(trust_id__in=list(trust_ids))
    reopenings = list(reopenings)
    if not reopenings:
        return 0
    ids = {r.trust_id for r in reopenings}
    decided = set(Entitlement.objects.filter(scheme=scheme, trust_id__in=ids)
                  .exclude(status=EntitlementStatus.PENDING).values_list("trust_id", "quarter"))
    arrived = {}
    for trust_id, month, created_at in FinanceReturn.objects.filter(
            trust_id__in=ids, month__gte=scheme.start_date, month__lt=add_months(scheme.start_date, 12)
    ).values_list("trust_id", "month", "created_at"):
        key = (trust_id, quarter_of(month, scheme.start_date))
        arrived[key] = max(arrived.get(key, created_at), created_at)
    now = now or timezone.now()
    closing = []
    for reopening in reopenings:
        key = (reopening.trust_id, reopening.quarter)
        if key in decided and key in arrived and arrived[key] >= reopening.opened_at:
            reopening.closed_at, reopening.closed_by_run = now, run
            reopening.close_reason = "Decided again by the recompute after a corrected return"
            closing.append(reopening)
    if closing:
        QuarterReopening.objects.bulk_update(closing, ["closed_at", "closed_by_run", "close_reason"])
        write_versions(QuarterReopening, QuarterReopening.history.model, closing,
                       reason=f"Closed: decided again by recompute {run.pk if run else ''}".strip())
    return len(closing)


RECORD_FIELDS = ["id", "org_code", "trust_name", "year", "quarter", "reason", "state", "opened_by", "opened_at",
                 "closed_by", "closed_at", "close_reason", "closed_by_run"]


def reopening_record(reopening) -> dict:
    """A reopening as the API gives it (times in ISO 8601, UTC)."""
    return {
        "id": reopening.pk, "org_code": reopening.trust.org_code, "trust_name": reopening.trust.name,
        "year": reopening.scheme.code, "quarter": reopening.quarter, "reason": reopening.reason,
        "state": "open" if reopening.is_open else "closed",
        "opened_by": user_name(reopening.opened_by), "opened_at": iso_utc(reopening.opened_at),
        "closed_by": user_name(reopening.closed_by) or None,
        "closed_at": iso_utc(reopening.closed_at) if reopening.closed_at else None,
        "close_reason": reopening.close_reason or None, "closed_by_run": reopening.closed_by_run_id,
    }


def reopenings(*, trust=None, year=None, open_only=False):
    """Reopenings with their trust, scheme and people, newest first (one query)."""
    rows = QuarterReopening.objects.select_related("trust", "scheme", "opened_by", "closed_by")
    if trust is not None:
        rows = rows.filter(trust=trust)
    if year:
        rows = rows.filter(scheme__code=year)
    if open_only:
        rows = rows.filter(closed_at__isnull=True)
    return rows.order_by("-opened_at", "-id")
