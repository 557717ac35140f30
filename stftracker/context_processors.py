def site(request):
    """Values every page needs: the user's role, for the navigation."""
    user = getattr(request, "user", None)
    is_analyst = bool(
        user and user.is_authenticated and (user.is_superuser or user.groups.filter(name="analyst").exists())
    )
    return {"is_analyst": is_analyst}
