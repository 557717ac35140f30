"""Upload pages: pick a file, preview it, confirm, follow the recompute; history; templates.

Thin views: each parses input, calls the import (:mod:`.importing`) or a selector, and renders.
Between preview and confirm the file's bytes wait in the database under a random token bound to
the user (:mod:`.pending`); confirm validates them again before storing anything. Previews count
against the user's upload allowance (:mod:`.throttling`).
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from finance.models import RunState
from finance.selectors import latest_run
from trusts.models import KIND_LABELS
from trusts.roles import is_analyst, visible_trusts

from . import blank_templates, pending, selectors
from .forms import ConfirmForm, UploadForm
from .importing import ingest, preview
from .kinds import KINDS, template_kinds
from .throttling import refused_message, upload_allowed

PREVIEW_ROWS_SHOWN = 500


def _history_context(request, trust=None, limit=None):
    # A list of uploads shows none of their errors or notes: they are not read.
    uploads = selectors.visible_uploads(user=request.user, trust=trust).defer("errors", "notes")
    if limit:
        return {"uploads": uploads[:limit]}
    page = Paginator(uploads, 50).get_page(request.GET.get("page"))
    return {"uploads": page.object_list, "page": page}


def _upload_page(request, form, status=200):
    context = {"form": form, "kinds": [(kind, KIND_LABELS[kind]) for kind in template_kinds(request.user)],
               "max_bytes": settings.UPLOAD_MAX_BYTES, **_history_context(request, limit=20)}
    return render(request, "uploads/index.html", context, status=status)


@login_required
@require_GET
def upload_page(request):
    return _upload_page(request, UploadForm())


@login_required
@require_POST
def upload_preview(request):
    allowed, wait = upload_allowed(request)
    if not allowed:
        messages.error(request, refused_message(wait))
        response = _upload_page(request, UploadForm(), status=429)
        if wait:
            response["Retry-After"] = str(wait)
        return response
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    uploaded = form.cleaned_data["file"]
    data = uploaded.read(settings.UPLOAD_MAX_BYTES + 1)
    result = preview(data=data, file_name=uploaded.name, user=request.user, source="web")
    if not result.ok:  # recorded as rejected (or failed): every file received is kept
        return render(request, "uploads/errors.html", {"result": result, "upload": result.upload}, status=400)
    token = pending.hold(user=request.user, data=data, file_name=uploaded.name, sha256=result.sha256)
    context = {
        "result": result, "file_name": uploaded.name, "confirm": ConfirmForm(initial={"token": token}),
        "preview_rows": result.preview[:PREVIEW_ROWS_SHOWN], "more_rows": max(0, len(result.preview) - PREVIEW_ROWS_SHOWN),
        "kind_label": KIND_LABELS.get(result.kind, result.kind),
        "nothing_to_store": not (result.counts["new"] or result.counts["changed"]),
    }
    return render(request, "uploads/preview.html", context)


@login_required
@require_POST
def upload_confirm(request):
    form = ConfirmForm(request.POST)
    stored = pending.take(user=request.user, token=form.cleaned_data["token"]) if form.is_valid() else None
    if stored is None:
        messages.error(request, "That preview has expired or does not exist: choose the file again.")
        return redirect("uploads")
    data, file_name = stored
    result = ingest(data=data, file_name=file_name, user=request.user, source="web", commit=True)
    if result.ok:
        messages.success(request, f"{result.upload.file_name}: {result.upload.get_status_display().lower()}.")
    else:
        messages.error(request, f"{result.upload.file_name} was not stored: see the errors below.")
    return redirect("upload-detail", pk=result.upload.pk)


@login_required
@require_GET
def upload_detail(request, pk):
    upload = get_object_or_404(selectors.visible_uploads(user=request.user), pk=pk)
    run = latest_run(upload=upload)
    running = run is not None and run.state in {RunState.QUEUED, RunState.RUNNING}
    changes = selectors.entitlement_changes(upload) if run is not None and run.state == RunState.DONE else []
    changes = selectors.shown_changes(changes, request.user)
    context = {
        "upload": upload, "errors": selectors.shown_errors(upload, request.user), "run": run, "refresh": running, "changes": [row for row in changes if row["changed"]],
        "unchanged_quarters": sum(1 for row in changes if not row["changed"]),
        "skipped_reasons": sorted((upload.notes or {}).get("skipped_reasons", {}).items()),
        "trusts": upload.trusts.all()[:50], "trust_count": upload.trusts.count(),
    }
    return render(request, "uploads/detail.html", context)


@login_required
@require_GET
def upload_history(request):
    trust = None
    code = request.GET.get("trust", "").strip().upper()
    if code:
        trust = visible_trusts(request.user).filter(org_code=code).first()
        if trust is None:  # unknown, or not the user's to see
            raise Http404("No such trust.")
    context = {"trust": trust, **_history_context(request, trust=trust)}
    return render(request, "uploads/history.html", context)


@login_required
@require_GET
def upload_template(request, kind, fmt):
    if kind not in template_kinds(request.user) or fmt not in {"csv", "xlsx"}:
        raise Http404("No such template.")
    # A finance director's template has a row for each trust they direct, its code filled in.
    own = [] if is_analyst(request.user) or not KINDS[kind].directors else \
        list(visible_trusts(request.user).order_by("org_code").values_list("org_code", flat=True))
    filename = f"stf-{kind}-template.{fmt}"
    if fmt == "csv":
        response = HttpResponse(blank_templates.template_csv(kind, own), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    response = HttpResponse(
        blank_templates.template_xlsx(kind, own),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
