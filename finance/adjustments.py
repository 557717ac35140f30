"""Adjustments on review: propose, approve and withdraw (RULES.md, "Adjustments on review").

Who may do what (our choice):

* Only analysts propose, approve and withdraw. Finance directors see their own trust's adjustments,
  read-only; they never propose or approve.
* An adjustment takes effect only once approved, and the approver must be a different analyst from
  the proposer ("You proposed this adjustment: another analyst must approve it.").
* A proposed adjustment may be withdrawn by any analyst, its proposer included, with a reason.
* An approved adjustment "can be withdrawn the same way": by an analyst other than its proposer,
  with a reason; the withdrawal takes effect at once (it needs no second step, since a second
  analyst is already involved: the proposer put it forward and another takes it back). Its
  proposer is refused ("You proposed this adjustment: another analyst must withdraw it.").
* At most one approved adjustment per trust, scheme, quarter and element (a database constraint);
  approving a second is refused until the first is withdrawn.

Each service is one transaction that first takes the adjustment's lock (a row lock on
PostgreSQL, the write lock on SQLite), then reads the row and checks it, so that two analysts
approving at once give one approval and the second is told "already approved by ...". Every step
is saved through the model, so its history (the audit log) records who did it and when, and the
figures of the trust and scheme are marked for recompute when an approval or a withdrawal of an
approved adjustment commits (``finance.dependencies``).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from common.dates import moment_label
from common.errors import DomainError
from common.money import money_words
from performance.metrics import REASON_NAMES
from trusts.roles import is_analyst

from .adjustment_documents import check_document
from .models import FINANCE_ELEMENT, Adjustment, AdjustmentDecision, AdjustmentState, Allocation
from .eligibility import iso_utc
from .selectors import user_name


class AdjustmentError(DomainError):
    """An adjustment cannot be proposed, approved or withdrawn as asked; the message says why."""


ANALYSTS_ONLY = "Only analysts may propose, approve or withdraw adjustments."
OWN_APPROVAL = "You proposed this adjustment: another analyst must approve it."
OWN_WITHDRAWAL = "You proposed this adjustment: another analyst must withdraw it."


def element_label(element: str) -> str:
    return "Finance" if element == FINANCE_ELEMENT else REASON_NAMES.get(element, element)


def _analyst(user):
    if not is_analyst(user):
        raise PermissionDenied(ANALYSTS_ONLY)


def _text(value) -> str:
    return (value or "").strip()


def _lock(pk):
    """Take the adjustment's lock as the transaction's first statement (see the module's docstring)."""
    if connection.features.has_select_for_update:
        list(Adjustment.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))
    else:
        # The plain queryset's update: taking the lock changes nothing, so it is not announced.
        QuerySet.update(Adjustment.objects.filter(pk=pk), state=F("state"))


def _locked(adjustment) -> Adjustment:
    pk = getattr(adjustment, "pk", adjustment)
    _lock(pk)
    found = (Adjustment.objects.select_related("trust", "scheme", "proposed_by", "approved_by", "withdrawn_by")
             .filter(pk=pk).first())
    if found is None:
        raise AdjustmentError(f"There is no adjustment {pk}.")
    return found


def _save(adjustment, *, user, reason):
    adjustment._history_user = user
    adjustment._change_reason = reason
    adjustment.full_clean()
    try:
        with transaction.atomic():
            adjustment.save()
    except IntegrityError as exc:
        raise AdjustmentError(
            f"Another adjustment of the {element_label(adjustment.element)} element of {adjustment.trust.org_code} "
            f"Q{adjustment.quarter} {adjustment.scheme.code} is already approved: withdraw it first."
        ) from exc


def check_proposal(*, trust, scheme, quarter, element, decision, reason) -> list[str]:
    """Every problem with a proposal, as messages naming the field and value (empty when none)."""
    errors = []
    if quarter not in (1, 2, 3, 4):
        errors.append(f"Quarter must be 1, 2, 3 or 4, not {quarter!r}.")
    elements = [FINANCE_ELEMENT, *scheme.weights]
    if element not in elements:
        errors.append(f"Element {element!r} is not judged by {scheme.code}: one of {', '.join(elements)}.")
    elif element != FINANCE_ELEMENT and element not in scheme.applicability.get(trust.trust_type, []):
        errors.append(f"{element_label(element)} does not apply to {trust.get_trust_type_display().lower()} trusts "
                      f"under {scheme.code}: {trust.org_code} has no such element to adjust.")
    if decision not in AdjustmentDecision.values:
        errors.append(f"Decision must be pay or withhold, not {decision!r}.")
    if not _text(reason):
        errors.append("Give the reason for the adjustment.")
    allocation = Allocation.objects.filter(trust=trust, scheme=scheme).values_list("stf_allocation", flat=True).first()
    if allocation is None or allocation <= 0:
        shown = "none is recorded" if allocation is None else f"its allocation is {money_words(allocation)}"
        errors.append(f"{trust.org_code} is not in the scheme for {scheme.code} ({shown}): there is nothing to adjust.")
    return errors


def propose(*, user, trust, scheme, quarter, element, decision, reason, document=None) -> Adjustment:
    """An analyst proposes an adjustment; it changes no figure until another analyst approves it."""
    _analyst(user)
    errors = check_proposal(trust=trust, scheme=scheme, quarter=quarter, element=element, decision=decision,
                            reason=reason)
    if document:
        try:
            check_document(document)
        except DomainError as exc:
            errors.append(str(exc))
    if errors:
        raise AdjustmentError(" ".join(errors))
    adjustment = Adjustment(
        trust=trust, scheme=scheme, quarter=quarter, element=element, decision=decision, reason=_text(reason),
        state=AdjustmentState.PROPOSED, proposed_by=user, proposed_at=timezone.now(),
    )
    if document:
        adjustment.document = document
        adjustment.document_name = (getattr(document, "name", "") or "")[-200:]
    with transaction.atomic():
        _save(adjustment, user=user, reason="Proposed")
    return adjustment


def approve(*, user, adjustment) -> Adjustment:
    """A second analyst approves a proposed adjustment: it takes effect when this commits."""
    _analyst(user)
    with transaction.atomic():
        found = _locked(adjustment)
        if found.state == AdjustmentState.APPROVED:
            raise AdjustmentError(f"Adjustment {found.pk} is already approved by {user_name(found.approved_by)} "
                                  f"({moment_label(found.approved_at)}).")
        if found.state == AdjustmentState.WITHDRAWN:
            raise AdjustmentError(f"Adjustment {found.pk} was withdrawn by {user_name(found.withdrawn_by)}: "
                                  f"it cannot be approved. Propose it again if it is still needed.")
        if found.proposed_by_id == user.pk:
            raise AdjustmentError(OWN_APPROVAL)
        other = (Adjustment.objects.filter(trust_id=found.trust_id, scheme_id=found.scheme_id, quarter=found.quarter,
                                           element=found.element, state=AdjustmentState.APPROVED)
                 .exclude(pk=found.pk).values_list("pk", flat=True).first())
        if other is not None:
            raise AdjustmentError(
                f"Adjustment {other} of the {element_label(found.element)} element of {found.trust.org_code} "
                f"Q{found.quarter} {found.scheme.code} is already approved: withdraw it first.")
        found.state, found.approved_by, found.approved_at = AdjustmentState.APPROVED, user, timezone.now()
        _save(found, user=user, reason="Approved")
    return found


def withdraw(*, user, adjustment, reason) -> Adjustment:
    """Withdraw a proposed adjustment (any analyst) or an approved one (an analyst other than its
    proposer: the figures return to the rules' result when this commits)."""
    _analyst(user)
    if not _text(reason):
        raise AdjustmentError("Give the reason for withdrawing the adjustment.")
    with transaction.atomic():
        found = _locked(adjustment)
        if found.state == AdjustmentState.WITHDRAWN:
            raise AdjustmentError(f"Adjustment {found.pk} is already withdrawn by {user_name(found.withdrawn_by)} "
                                  f"({moment_label(found.withdrawn_at)}).")
        if found.state == AdjustmentState.APPROVED and found.proposed_by_id == user.pk:
            raise AdjustmentError(OWN_WITHDRAWAL)
        found.state, found.withdrawn_by, found.withdrawn_at = AdjustmentState.WITHDRAWN, user, timezone.now()
        found.withdrawal_reason = _text(reason)
        _save(found, user=user, reason=f"Withdrawn: {found.withdrawal_reason}"[:100])
    return found


RECORD_FIELDS = [
    "id", "org_code", "trust_name", "year", "quarter", "element", "decision", "reason", "state", "document",
    "proposed_by", "proposed_at", "approved_by", "approved_at", "withdrawn_by", "withdrawn_at", "withdrawal_reason",
]


def adjustment_record(adjustment) -> dict:
    """An adjustment as the API and the CSV give it (the eligibility record's entry plus its state and
    the people and times of each step); ``document`` is the name it was uploaded with, or null."""
    return {
        "id": adjustment.pk,
        "org_code": adjustment.trust.org_code,
        "trust_name": adjustment.trust.name,
        "year": adjustment.scheme.code,
        "quarter": adjustment.quarter,
        "element": adjustment.element,
        "decision": adjustment.decision,
        "reason": adjustment.reason,
        "state": adjustment.state,
        "document": (adjustment.document_name or "document") if adjustment.document else None,
        "proposed_by": user_name(adjustment.proposed_by),
        "proposed_at": iso_utc(adjustment.proposed_at),
        "approved_by": user_name(adjustment.approved_by) or None,
        "approved_at": iso_utc(adjustment.approved_at),
        "withdrawn_by": user_name(adjustment.withdrawn_by) or None,
        "withdrawn_at": iso_utc(adjustment.withdrawn_at),
        "withdrawal_reason": adjustment.withdrawal_reason or None,
    }
