"""Log in, log out, password change and the account page."""
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trusts.models import Upload
from trusts.roles import is_analyst, is_finance_director, role_label


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


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
