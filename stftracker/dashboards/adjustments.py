"""Adjustments on review: the list, the propose form, an adjustment's page with approve and withdraw,
and its document (RULES.md, "Adjustments on review"; who may do what is ``finance.adjustments``'s).

Analysts see and act on every adjustment; a finance director sees the adjustments of the trusts
they direct, read-only (the list, an adjustment's page), and is refused (403) on propose, approve
and withdraw; anyone else sees none. Documents are served to analysts only, as downloads.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import DomainError
from common.exports import safe_filename, table_csv_response
from finance import adjustments as service
from finance import selectors
from finance.adjustment_documents import CONTENT_TYPES, extension
from finance.eligibility import entitlement_record
from finance.models import FINANCE_ELEMENT, Adjustment, AdjustmentDecision, AdjustmentState, Entitlement, Scheme
from performance.metrics import PAGE_NAMES
from trusts.models import Trust
from trusts.roles import can_act_for, is_analyst, restrict_to_visible, visible_trusts

from .forms import TrustQuarterForm

ELEMENT_CHOICES = [(FINANCE_ELEMENT, "Finance"), *PAGE_NAMES.items()]
# (key, heading, kind): kind tells the table script how to sort the column.
COLUMNS = [
    ("id", "No.", "count"),
    ("trust", "Trust", "text"),
    ("period", "Quarter", "text"),
    ("element", "Element", "text"),
    ("decision", "Decision", "text"),
    ("state", "State", "text"),
    ("proposed_by", "Proposed by", "text"),
    ("proposed_at", "Proposed", "text"),
    ("approved_by", "Approved by", "text"),
]
# The CSV download, written by common.exports: (key, heading, kind); codes in words, times in ISO 8601.
CSV_COLUMNS = [
    ("id", "No.", "count"), ("org_code", "Code", "text"), ("trust_name", "Trust", "text"), ("year", "Year", "text"),
    ("quarter", "Quarter", "count"), ("element", "Element", "text"), ("decision", "Decision", "text"),
    ("reason", "Reason", "text"), ("state", "State", "text"), ("document", "Document", "text"),
    ("proposed_by", "Proposed by", "text"), ("proposed_at", "Proposed", "datetime"),
    ("approved_by", "Approved by", "text"), ("approved_at", "Approved", "datetime"),
    ("withdrawn_by", "Withdrawn by", "text"), ("withdrawn_at", "Withdrawn", "datetime"),
    ("withdrawal_reason", "Why withdrawn", "text"),
]
CSV_WORDS = {"element": {code: service.element_label(code) for code in (FINANCE_ELEMENT, *PAGE_NAMES)},
             "decision": dict(AdjustmentDecision.choices), "state": dict(AdjustmentState.choices)}


def csv_row(adjustment):
    """An adjustment's record with its times as times (the download writes them in ISO 8601)."""
    return {**service.adjustment_record(adjustment), "proposed_at": adjustment.proposed_at,
            "approved_at": adjustment.approved_at, "withdrawn_at": adjustment.withdrawn_at}


ORDERING = {
    "id": ["id"], "trust": ["trust__org_code", "id"], "period": ["scheme__start_date", "quarter", "id"],
    "element": ["element", "id"], "decision": ["decision", "id"], "state": ["state", "id"],
    "proposed_by": ["proposed_by__username", "id"], "proposed_at": ["proposed_at", "id"],
    "approved_by": ["approved_by__username", "id"],
}


def _analyst_only(request, action):
    if not is_analyst(request.user):
        raise PermissionDenied(f"Only analysts may {action} adjustments.")


def _visible(request, pk):
    """The adjustment ``pk`` if the user may see it (analysts, its trust's finance directors), else 404."""
    rows = restrict_to_visible(selectors.adjustments(), request.user)
    return get_object_or_404(rows, pk=pk)


# --- The list ----------------------------------------------------------------------------------

class ListFilters(forms.Form):
    year = forms.ChoiceField(required=False)
    quarter = forms.TypedChoiceField(choices=[("", "All quarters")] + [(q, f"Q{q}") for q in (1, 2, 3, 4)],
                                     coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(choices=[("", "All states"), *AdjustmentState.choices], required=False)
    trust = forms.ChoiceField(required=False)

    def __init__(self, data, *, schemes, trusts):
        super().__init__(data)
        self.fields["year"].choices = [("", "All years")] + [(code, code) for code in schemes]
        self.fields["trust"].choices = [("", "All trusts")] + [(code, f"{name} ({code})") for code, name in trusts]

    def criteria(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        criteria = {"year": data["year"] or None, "quarter": data["quarter"], "state": data["state"] or None,
                    "org_code": data["trust"] or None}
        return {key: value for key, value in criteria.items() if value}


def _row(adjustment):
    record = service.adjustment_record(adjustment)
    return {**record, "trust": f"{record['trust_name']} ({record['org_code']})",
            "period": f"{record['year']} Q{record['quarter']}", "element_label": service.element_label(record["element"]),
            "proposed_at_value": adjustment.proposed_at}


def _headers(sort, direction):
    headers = []
    for key, label, kind in COLUMNS:
        current = key == sort
        headers.append({"key": key, "label": label, "kind": kind,
                        "aria_sort": ("ascending" if direction == "asc" else "descending") if current else "none",
                        "next_dir": "desc" if current and direction == "asc" else "asc"})
    return headers


@login_required
@require_GET
def adjustment_list(request):
    """Every adjustment the user may see, filtered by year, quarter, state and trust; sortable; CSV."""
    schemes = list(Scheme.objects.order_by("start_date").values_list("code", flat=True))
    trusts = list(visible_trusts(request.user).order_by("org_code").values_list("org_code", "name"))
    filters = ListFilters(request.GET, schemes=schemes, trusts=trusts)
    criteria = filters.criteria()
    sort = request.GET.get("sort") if request.GET.get("sort") in ORDERING else "id"
    direction = "asc" if request.GET.get("dir") == "asc" else "desc"
    order = ORDERING[sort] if direction == "asc" else [f"-{field}" for field in ORDERING[sort]]
    rows = restrict_to_visible(selectors.adjustments(**criteria), request.user).order_by(*order)
    if request.GET.get("format") == "csv":
        return table_csv_response("stf-adjustments.csv", [csv_row(row) for row in rows], CSV_COLUMNS, words=CSV_WORDS)
    return render(request, "adjustments/list.html", {
        "title": "Adjustments on review", "filters": filters, "rows": [_row(row) for row in rows],
        "headers": _headers(sort, direction), "filtered": bool(criteria), "sort": sort, "direction": direction,
        "may_propose": is_analyst(request.user),
    })


# --- Propose ------------------------------------------------------------------------------------

class ProposeForm(TrustQuarterForm):
    element = forms.ChoiceField(label="Element", choices=ELEMENT_CHOICES)
    decision = forms.ChoiceField(label="Decision", choices=AdjustmentDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    document = forms.FileField(label="Document (optional)", required=False,
                               help_text="pdf, docx, xlsx, png, jpg, eml or msg")


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_propose(request):
    """An analyst proposes an adjustment; it takes effect once another analyst approves it."""
    _analyst_only(request, "propose")
    schemes = list(Scheme.objects.order_by("start_date").values_list("code", flat=True))
    trusts = list(Trust.objects.order_by("org_code").values_list("org_code", "name"))
    initial = {key: request.GET[key] for key in ("trust", "year", "quarter", "element") if request.GET.get(key)}
    form = ProposeForm(request.POST or None, request.FILES or None, schemes=schemes, trusts=trusts,
                       initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = service.propose(
                user=request.user, trust=Trust.objects.get(org_code=data["trust"]),
                scheme=Scheme.objects.get(code=data["year"]), quarter=data["quarter"], element=data["element"],
                decision=data["decision"], reason=data["reason"], document=data["document"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Adjustment {adjustment.pk} is proposed: it takes effect once another "
                                      f"analyst approves it.")
            return redirect("adjustment-detail", pk=adjustment.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "adjustments/propose.html", {"title": "Propose an adjustment", "form": form},
                  status=status)


# --- One adjustment: its page, approve, withdraw, its document -------------------------------------

@login_required
@require_GET
def adjustment_detail(request, pk):
    adjustment = _visible(request, pk)
    analyst = is_analyst(request.user)
    entitlement = (Entitlement.objects.select_related("trust", "scheme")
                   .filter(trust_id=adjustment.trust_id, scheme_id=adjustment.scheme_id, quarter=adjustment.quarter)
                   .first())
    state = adjustment.state
    own = adjustment.proposed_by_id == request.user.pk
    return render(request, "adjustments/detail.html", {
        "title": f"Adjustment {adjustment.pk}", "adjustment": adjustment, "record": _row(adjustment),
        "analyst": analyst, "own": own,
        "may_approve": analyst and state == AdjustmentState.PROPOSED and not own,
        "may_withdraw": analyst and (state == AdjustmentState.PROPOSED or (state == AdjustmentState.APPROVED and not own)),
        "own_approval": service.OWN_APPROVAL, "own_withdrawal": service.OWN_WITHDRAWAL,
        "figures": entitlement_record(entitlement) if entitlement else None,
        "stale": selectors.staleness(trust=adjustment.trust_id),
    })


@login_required
@require_POST
def adjustment_approve(request, pk):
    _analyst_only(request, "approve")
    adjustment = get_object_or_404(Adjustment, pk=pk)
    try:
        service.approve(user=request.user, adjustment=adjustment)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Adjustment {pk} is approved: the figures of {adjustment.trust.org_code} are "
                                  f"being recomputed.")
    return redirect("adjustment-detail", pk=pk)


@login_required
@require_POST
def adjustment_withdraw(request, pk):
    _analyst_only(request, "withdraw")
    adjustment = get_object_or_404(Adjustment, pk=pk)
    was_approved = adjustment.state == AdjustmentState.APPROVED
    try:
        service.withdraw(user=request.user, adjustment=adjustment, reason=request.POST.get("withdrawal_reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        text = f"Adjustment {pk} is withdrawn"
        if was_approved:
            text += f": the figures of {adjustment.trust.org_code} return to the rules' result once recomputed"
        messages.success(request, text + ".")
    return redirect("adjustment-detail", pk=pk)


@login_required
@require_GET
def adjustment_document(request, pk):
    """The adjustment's document, to analysts only, always as a download."""
    _analyst_only(request, "read the documents of")
    adjustment = get_object_or_404(Adjustment, pk=pk)
    if not adjustment.document:
        raise Http404("This adjustment has no document.")
    try:
        handle = adjustment.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The document's file is missing.") from exc
    name = safe_filename(adjustment.document_name or adjustment.document.name, "document")
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=CONTENT_TYPES.get(extension(adjustment.document.name),
                                                           "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def trust_adjustments(trust, year, user):
    """The adjustments of ``trust`` in the scheme ``year`` for its page: for analysts and the trust's
    finance directors only (an empty list for anyone else)."""
    if trust is None or not can_act_for(user, trust):
        return []
    return [_row(row) for row in selectors.adjustments(trust=trust, year=year)]


urlpatterns = [
    path("", adjustment_list, name="adjustment-list"),
    path("propose/", adjustment_propose, name="adjustment-propose"),
    path("<int:pk>/", adjustment_detail, name="adjustment-detail"),
    path("<int:pk>/approve/", adjustment_approve, name="adjustment-approve"),
    path("<int:pk>/withdraw/", adjustment_withdraw, name="adjustment-withdraw"),
    path("<int:pk>/document/", adjustment_document, name="adjustment-document"),
]
