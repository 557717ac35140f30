"""Adjustments on review through their services (finance.adjustments): who may propose, approve and
withdraw, the money they move once the recompute they queue has run, the audit log, and two analysts
approving at once.

The trust is acute, allocated £1,000,000.00 for 2016-17 with its control total accepted: Q2 is
25%, £250,000.00, of which A&E is 12.5%, £31,250.00. Its Q2 finance is £100,000.00 ahead of plan
and its A&E 91.20% (no trajectory) is below the standard 95%: by the rules Q2 is partial, £31,250.00
withheld and £218,750.00 earned.
"""
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.inputs import inputs_changed
from finance import adjustments, dependencies, services
from finance.eligibility import entitlement_record
from finance.models import Adjustment, Entitlement, InputChange
from finance.selectors import staleness
from stftracker.audit.selectors import recent_changes
from tests.builders import allocate, partial_q2_trust
from tests.factories import TrustFactory, UserFactory, scheme

PARTIAL = ("partial", D("250000.00"), D("218750.00"), D("31250.00"), D("0.00"))
FULL = ("full", D("250000.00"), D("250000.00"), D("0.00"), D("0.00"))
AE_BY_THE_RULES = "A&E 91.20% is below the standard 95.00% (no agreed trajectory): £31,250.00 withheld"


@pytest.fixture
def trust(db):
    return partial_q2_trust("RADJ", "Adjusted Hospitals NHS Trust")


@pytest.fixture
def first(db):
    return UserFactory(username="ann", first_name="Ann", last_name="Proposer", role="analyst")


@pytest.fixture
def second(db):
    return UserFactory(username="bob", first_name="Bob", last_name="Approver", role="analyst")


def q2(trust):
    row = Entitlement.objects.select_related("trust", "scheme").get(trust=trust, scheme__code="2016-17", quarter=2)
    return (row.status, row.allocation, row.earned, row.withheld, row.pending), entitlement_record(row)


def propose(trust, user, **changes):
    fields = dict(trust=trust, scheme=scheme("2016-17"), quarter=2, element="ae", decision="pay",
                  reason="A&E figures for August were misreported by the trust's system supplier.")
    fields.update(changes)
    return adjustments.propose(user=user, **fields)


def committed(capture, action, **kwargs):
    """Run a service as a request does: committed, with what it queued on commit (the recompute) run."""
    with capture(execute=True):
        return action(**kwargs)


@pytest.mark.django_db
def test_approved_by_a_second_analyst_the_money_moves_and_withdrawn_it_moves_back(
        trust, first, second, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert q2(trust)[0] == PARTIAL

    proposed = committed(capture, propose, trust=trust, user=first)
    assert proposed.state == "proposed"
    assert q2(trust)[0] == PARTIAL and staleness() is None  # a proposal changes nothing

    committed(capture, adjustments.approve, user=second, adjustment=proposed)
    money, record = q2(trust)
    # A&E's £31,250.00 moves from withheld to earned: 218,750.00 + 31,250.00 = 250,000.00.
    assert money == FULL
    assert (f"A&E element paid on review (adjustment {proposed.pk}, approved by Bob Approver): "
            f"£31,250.00 earned") in record["reasons"]
    assert AE_BY_THE_RULES not in record["reasons"]
    [listed] = record["adjustments"]
    assert {key: listed[key] for key in ("id", "element", "decision", "approved_by")} == {
        "id": proposed.pk, "element": "ae", "decision": "pay", "approved_by": "Bob Approver"}
    assert listed["reason"] == proposed.reason and listed["approved_at"].endswith("Z")
    assert staleness() is None
    # The fingerprint covers the adjustment: recomputing the same inputs again rewrites nothing.
    assert services.recompute().rows_written == 0

    committed(capture, adjustments.withdraw, user=second, adjustment=proposed, reason="Supplier's figures confirmed")
    money, record = q2(trust)
    assert money == PARTIAL and AE_BY_THE_RULES in record["reasons"] and record["adjustments"] == []
    assert Adjustment.objects.get(pk=proposed.pk).withdrawal_reason == "Supplier's figures confirmed"


@pytest.mark.django_db
def test_the_proposer_cannot_approve_their_own_adjustment(trust, first):
    proposed = propose(trust, first)
    with pytest.raises(adjustments.AdjustmentError) as refused:
        adjustments.approve(user=first, adjustment=proposed)
    assert str(refused.value) == "You proposed this adjustment: another analyst must approve it."
    assert Adjustment.objects.get(pk=proposed.pk).state == "proposed"


@pytest.mark.django_db
def test_a_second_approval_is_told_who_approved_first(trust, first, second):
    proposed = propose(trust, first)
    adjustments.approve(user=second, adjustment=proposed)
    third = UserFactory(username="cat", role="analyst")
    with pytest.raises(adjustments.AdjustmentError, match=r"already approved by Bob Approver"):
        adjustments.approve(user=third, adjustment=proposed)
    stored = Adjustment.objects.get(pk=proposed.pk)
    assert (stored.state, stored.approved_by_id) == ("approved", second.pk)


@pytest.mark.django_db
def test_who_may_withdraw(trust, first, second):
    # A proposal: any analyst, its proposer included.
    mine = propose(trust, first)
    assert adjustments.withdraw(user=first, adjustment=mine, reason="Proposed in error").state == "withdrawn"
    with pytest.raises(adjustments.AdjustmentError, match="already withdrawn by Ann Proposer"):
        adjustments.withdraw(user=second, adjustment=mine, reason="Again")
    with pytest.raises(adjustments.AdjustmentError, match="was withdrawn by Ann Proposer: it cannot be approved"):
        adjustments.approve(user=second, adjustment=mine)
    # An approved adjustment: not its proposer, and always with a reason.
    approved = adjustments.approve(user=second, adjustment=propose(trust, first))
    with pytest.raises(adjustments.AdjustmentError) as refused:
        adjustments.withdraw(user=first, adjustment=approved, reason="Changed my mind")
    assert str(refused.value) == "You proposed this adjustment: another analyst must withdraw it."
    with pytest.raises(adjustments.AdjustmentError, match="Give the reason"):
        adjustments.withdraw(user=second, adjustment=approved, reason="  ")
    assert Adjustment.objects.get(pk=approved.pk).state == "approved"


@pytest.mark.django_db
def test_only_analysts_propose_approve_or_withdraw(trust, first, director, nobody):
    director.directed_trusts.add(trust)
    for user in (director, nobody):
        with pytest.raises(PermissionDenied):
            propose(trust, user)
    proposed = propose(trust, first)
    for user in (director, nobody):
        with pytest.raises(PermissionDenied):
            adjustments.approve(user=user, adjustment=proposed)
        with pytest.raises(PermissionDenied):
            adjustments.withdraw(user=user, adjustment=proposed, reason="No")
    assert Adjustment.objects.get(pk=proposed.pk).state == "proposed" and Adjustment.objects.count() == 1


@pytest.mark.django_db
def test_a_second_approved_adjustment_of_the_same_element_is_refused(trust, first, second):
    adjustments.approve(user=second, adjustment=propose(trust, first))
    other = propose(trust, first, decision="withhold")
    with pytest.raises(adjustments.AdjustmentError, match=r"A&E element of RADJ Q2 2016-17 is already approved"):
        adjustments.approve(user=second, adjustment=other)
    # And the database holds it too, whatever writes the rows.
    with pytest.raises(IntegrityError), transaction.atomic():
        Adjustment.objects.filter(pk=other.pk).update(state="approved", approved_by=second, approved_at=timezone.now())


@pytest.mark.django_db
def test_a_proposal_is_checked_and_every_problem_named(trust, first, other_trust):
    with pytest.raises(adjustments.AdjustmentError) as refused:
        propose(trust, first, quarter=5, element="waiting", decision="maybe", reason=" ")
    message = str(refused.value)
    assert "Quarter must be 1, 2, 3 or 4, not 5." in message
    assert "Element 'waiting' is not judged by 2016-17: one of finance, ae, rtt, cancer62." in message
    assert "Decision must be pay or withhold, not 'maybe'." in message
    assert "Give the reason for the adjustment." in message
    allocate(other_trust)  # a mental health trust: judged on finance alone
    with pytest.raises(adjustments.AdjustmentError, match="A&E does not apply to mental health trusts under 2016-17"):
        propose(other_trust, first)
    outside = TrustFactory(org_code="RNOT")
    with pytest.raises(adjustments.AdjustmentError, match=r"RNOT is not in the scheme for 2016-17 \(none is recorded\)"):
        propose(outside, first)
    assert Adjustment.objects.count() == 0


@pytest.mark.django_db
def test_a_document_is_stored_only_when_it_is_what_it_says(trust, first, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ADJUSTMENT_DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(adjustments.AdjustmentError, match=r"only pdf, docx, xlsx, png, jpg, eml, msg files"):
        propose(trust, first, document=SimpleUploadedFile("run.exe", b"MZ\x90\x00"))
    with pytest.raises(adjustments.AdjustmentError, match=r"'letter.pdf' is not a pdf file"):
        propose(trust, first, document=SimpleUploadedFile("letter.pdf", b"<html>hello</html>"))
    with pytest.raises(adjustments.AdjustmentError, match=r"'big.pdf' is 1,001 bytes: the largest accepted is 1,000"):
        propose(trust, first, document=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 996))
    assert Adjustment.objects.count() == 0 and not any(tmp_path.rglob("*.*"))

    stored = propose(trust, first, document=SimpleUploadedFile("NHSI letter.pdf", b"%PDF-1.4 letter"))
    assert stored.document_name == "NHSI letter.pdf"
    assert stored.document.name.startswith("adjustments/") and stored.document.name.endswith(".pdf")
    assert "letter" not in stored.document.name  # stored under a random name
    assert (tmp_path / stored.document.name).read_bytes() == b"%PDF-1.4 letter"


@pytest.mark.django_db
def test_only_approving_or_withdrawing_an_approved_adjustment_marks_the_figures(trust, first, second):
    InputChange.objects.all().delete()  # the starting point's, resolved by its recompute
    proposed = propose(trust, first)
    withdrawn = adjustments.withdraw(user=first, adjustment=propose(trust, first), reason="Duplicate")
    assert withdrawn.state == "withdrawn"
    assert not InputChange.objects.exists()  # proposals and their withdrawal change no figure

    adjustments.approve(user=second, adjustment=proposed)
    assert list(InputChange.objects.values_list("scheme__code", "trust_id", "source")) == [
        ("2016-17", trust.pk, "finance.adjustment")]
    # Withdrawing it announces the approved key it leaves, and that feeds the same figures (the
    # change itself is already recorded in this test's one transaction; the end-to-end test above
    # shows the withdrawal's recompute moving the money back).
    announced = []

    def listen(sender, keys, **kwargs):
        if sender is Adjustment:
            announced.extend(keys)

    inputs_changed.connect(listen)
    try:
        adjustments.withdraw(user=second, adjustment=proposed, reason="Figures confirmed")
    finally:
        inputs_changed.disconnect(listen)
    key = {"trust_id": trust.pk, "scheme_id": scheme("2016-17").pk}
    assert announced == [{**key, "state": "approved"}, {**key, "state": "withdrawn"}]
    assert dependencies.affected(Adjustment, announced) == {(scheme("2016-17").pk, trust.pk)}
    assert dependencies.affected(Adjustment, [{**key, "state": "proposed"}, {**key, "state": "withdrawn"}]) == set()


@pytest.mark.django_db
def test_each_step_is_in_the_audit_log_with_who_and_when(trust, first, second):
    proposed = propose(trust, first)
    adjustments.approve(user=second, adjustment=proposed)
    adjustments.withdraw(user=second, adjustment=proposed, reason="Figures confirmed")
    entries = recent_changes(kind="adjustment")
    assert [(entry.action, entry.user) for entry in entries] == [("withdrawn", "bob"), ("approved", "bob"),
                                                                ("proposed", "ann")]
    subject = f"Adjustment {proposed.pk}: ae element pay for RADJ Q2 STF 2016-17"
    assert all(entry.subject == subject and entry.trust_code == "RADJ" for entry in entries)
    assert all(entry.link == f"/adjustments/{proposed.pk}/" for entry in entries)
    assert entries[0].reason == "Withdrawn: Figures confirmed"
    changed = {change.field: (change.old, change.new) for change in entries[1].changes}
    assert changed["state"] == ("Proposed", "Approved") and changed["approved by"] == ("–", "bob")
    assert entries[2].when <= entries[1].when <= entries[0].when
    # The trust's own audit log shows them; another trust's does not.
    assert len(recent_changes(kind="adjustment", trust=trust)) == 3
    assert recent_changes(kind="adjustment", trust=TrustFactory(org_code="RELSE")) == []


@pytest.mark.django_db(transaction=True)
def test_two_analysts_approving_at_once_give_one_approval():
    with dependencies.deferred():
        trust = TrustFactory(org_code="RRACE", trust_type="acute")
        allocate(trust)
    first = UserFactory(username="ann", first_name="Ann", last_name="Proposer", role="analyst")
    approvers = [UserFactory(username=name, first_name=name.capitalize(), last_name="Analyst", role="analyst")
                 for name in ("bob", "cat")]
    proposed = propose(trust, first)
    barrier = threading.Barrier(2)
    outcomes = {}

    def approve(user):
        try:
            barrier.wait(10)
            adjustments.approve(user=user, adjustment=proposed.pk)
            outcomes[user.username] = "approved"
        except adjustments.AdjustmentError as exc:
            outcomes[user.username] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["bob", "cat"]
    winners = [name for name, outcome in outcomes.items() if outcome == "approved"]
    assert len(winners) == 1
    [loser] = [name for name in outcomes if name not in winners]
    assert outcomes[loser].startswith(f"Adjustment {proposed.pk} is already approved by {winners[0].capitalize()} Analyst")
    stored = Adjustment.objects.get(pk=proposed.pk)
    assert stored.state == "approved" and stored.approved_by.username == winners[0]
    assert stored.history.filter(state="approved").count() == 1
