"""Decided quarters reopened to finance directors' uploads: the list, the analyst's form to reopen
a trust-quarter, and closing a reopening (who may do what is ``finance.reopenings``'s).

Analysts see every reopening and reopen or close them; a finance director sees those of the trusts
they direct, read-only, and is refused (403) on reopen and close.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import DomainError
from finance import reopenings as service
from finance.models import QuarterReopening, Scheme
from trusts.models import Trust
from trusts.roles import is_analyst, restrict_to_visible

from .forms import TrustQuarterForm


class ReopenForm(TrustQuarterForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                             help_text="Why the trust's finance directors may upload this quarter's returns again")


@login_required
@require_http_methods(["GET", "POST"])
def reopening_list(request):
    """The reopenings the user may see; for analysts, the form to reopen a decided quarter."""
    analyst = is_analyst(request.user)
    if request.method == "POST" and not analyst:
        raise PermissionDenied(service.ANALYSTS_ONLY)
    form = None
    if analyst:
        schemes = list(Scheme.objects.order_by("start_date").values_list("code", flat=True))
        trusts = list(Trust.objects.order_by("org_code").values_list("org_code", "name"))
        initial = {key: request.GET[key] for key in ("trust", "year", "quarter") if request.GET.get(key)}
        form = ReopenForm(request.POST or None, schemes=schemes, trusts=trusts, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                reopening = service.reopen(user=request.user, trust=Trust.objects.get(org_code=data["trust"]),
                                           scheme=Scheme.objects.get(code=data["year"]), quarter=data["quarter"],
                                           reason=data["reason"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{data['trust']} {data['year']} Q{data['quarter']} is reopened: its finance "
                                          f"directors may upload its finance returns until it is decided again.")
                return redirect(f"/reopenings/#reopening-{reopening.pk}")
    rows = restrict_to_visible(service.reopenings(), request.user)
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/reopenings.html", {
        "title": "Reopened quarters", "form": form, "analyst": analyst,
        "rows": [service.reopening_record(row) for row in rows[:200]],
    }, status=status)


@login_required
@require_POST
def reopening_close(request, pk):
    if not is_analyst(request.user):
        raise PermissionDenied(service.ANALYSTS_ONLY)
    reopening = get_object_or_404(QuarterReopening, pk=pk)
    try:
        service.close(user=request.user, reopening=reopening, reason=request.POST.get("close_reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Reopening {pk} is closed.")
    return redirect("reopening-list")


urlpatterns = [
    path("", reopening_list, name="reopening-list"),
    path("<int:pk>/close/", reopening_close, name="reopening-close"),
]
