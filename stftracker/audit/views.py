"""The audit log page (/audit/): recent changes and uploads, filtered, for analysts only."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trusts.models import Trust
from trusts.roles import is_analyst

from .selectors import KINDS, MAX_PAGE, PAGE_SIZE, recent_changes


@login_required
@require_GET
def audit_log(request):
    """Recent changes and uploads, for analysts and admins only."""
    if not is_analyst(request.user):
        raise PermissionDenied("The audit log is for analysts.")
    kind = request.GET.get("kind") or None
    if kind not in KINDS:
        kind = None
    org_code = (request.GET.get("trust") or "").strip().upper()
    username = (request.GET.get("user") or "").strip()
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    trust = None
    unknown_trust = False
    if org_code:
        trust = Trust.objects.filter(org_code=org_code).first()
        unknown_trust = trust is None
    entries = []
    if not unknown_trust:
        entries = recent_changes(
            kind=kind, trust=trust, user=username or None, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
        )
    has_next = len(entries) > PAGE_SIZE and page < MAX_PAGE
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit.html",
        {
            "entries": entries[:PAGE_SIZE],
            "kinds": KINDS,
            "kind": kind or "",
            "org_code": org_code,
            "username": username,
            "unknown_trust": unknown_trust,
            "page": page,
            "has_next": has_next,
            "query": query.urlencode(),
            "trusts": Trust.objects.order_by("org_code").values_list("org_code", "name"),
        },
    )
