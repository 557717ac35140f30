"""Log in, log out, password change and the account page."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trusts.models import Upload
from trusts.roles import is_analyst, is_finance_director, role_label


def client_ip(request):
    """The client's address, by which failed log-ins are counted (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR``; behind ``TRUSTED_PROXY_COUNT`` proxies, the address the outermost proxy saw,
    read from X-Forwarded-For counting from the right, so that a client cannot choose it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(failure_limit=settings.AXES_FAILURE_LIMIT, **kwargs)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link or an image cannot log anyone out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@login_required
def account(request):
    user = request.user
    trusts = user.directed_trusts.select_related("region", "footprint").order_by("org_code")
    uploads = Upload.objects.filter(uploaded_by=user).order_by("-uploaded_at", "-id")[:5]
    return render(
        request,
        "accounts/account.html",
        {
            "role": role_label(user),
            "analyst": is_analyst(user),
            "finance_director": is_finance_director(user),
            "trusts": trusts,
            "uploads": uploads,
        },
    )
