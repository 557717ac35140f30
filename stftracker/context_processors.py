"""Template context every page shares (``TEMPLATES`` context processors in settings)."""
from finance.selectors import latest_run
from trusts.roles import is_analyst

from .dashboards import selectors


def site(request):
    """Values every page needs: the user's role for the navigation, when the published figures
    were computed ("data as at"), the latest recompute's state, and whether the data is the demo's
    (published statistics and simulated figures named). Four small queries for a signed-in user,
    none for anyone else, whatever the number of trusts."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"is_analyst": False}
    return {
        "is_analyst": is_analyst(user),
        "data_as_at": selectors.data_as_at(),
        "latest_run": latest_run(),
        "demo_data": selectors.demo_data(),
    }
