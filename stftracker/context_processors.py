"""Template context every page shares (``TEMPLATES`` context processors in settings)."""
from django.utils.functional import SimpleLazyObject

from finance import selectors as finance_selectors
from trusts.models import Trust
from trusts.roles import is_analyst, is_finance_director

from .dashboards import selectors


def site(request):
    """Values every page needs: the user's role for the navigation, "data as at" (when the newest
    input the stored figures include changed), whether inputs changed that the figures do not
    include yet (``stale``: a page about one trust replaces it with that trust's), the latest
    recompute's state, and whether the data is the demo's (published statistics and simulated
    figures named), and a finance director's own trusts for the "My trust" link. At most seven small queries for a signed-in user (the staleness only when the
    page has not asked its own), none for anyone else, whatever the number of trusts."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"is_analyst": False}
    return {
        "is_analyst": is_analyst(user),
        "data_as_at": finance_selectors.data_as_at(),
        "stale": SimpleLazyObject(finance_selectors.staleness),  # asked only by a page that does not scope it
        "latest_run": finance_selectors.latest_run(),
        "demo_data": selectors.demo_data(),
        "my_trusts": (list(Trust.objects.filter(finance_directors=user).order_by("org_code").values("org_code", "name"))
                      if is_finance_director(user) else []),
    }
