"""Find a trust: the header's search box as a page that works without JavaScript.

``/trusts/?q=`` lists the trusts matching a name or ODS code (``trusts.search``); a query that is
a trust's code ("RXX", or "Name (RXX)" as the typeahead fills it), or that only one trust matches,
goes straight to that trust's page.
"""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from trusts.search import MAX_QUERY_LENGTH, SEARCH_LIMIT, chosen_code, search_trusts


@login_required
@require_GET
def trust_search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    trusts = list(search_trusts(query, limit=SEARCH_LIMIT + 1)) if query else []
    code = chosen_code(query) or query.upper()
    exact = next((trust for trust in trusts if trust.org_code == code), None)
    if exact is not None or len(trusts) == 1:
        return redirect("trust-detail", org_code=(exact or trusts[0]).org_code)
    return render(request, "dashboard/search.html", {
        "query": query, "trusts": trusts[:SEARCH_LIMIT], "more": len(trusts) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    })
