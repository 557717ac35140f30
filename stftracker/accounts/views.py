"""Log in, log out, password change, the account page, and its API tokens (/accounts/tokens/):
list yours, create one (shown once), revoke."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from trusts.models import Upload
from trusts.roles import is_analyst, is_finance_director, role_label

from ..models import ApiToken
from .forms import TokenForm
from .tokens import TokenError, create_token, revoke_token, user_tokens


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cooloff_minutes=round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
            **kwargs,
        )


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


@never_cache
@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                days=form.cleaned_data["days"],
                created_by=request.user,
            )
        except TokenError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "accounts/tokens_created.html", {"token": token, "secret": secret}, status=201)
    status = 400 if form.errors else 200
    return render(request, "accounts/tokens.html", {"form": form, "tokens": user_tokens(request.user)}, status=status)


@require_POST
@login_required
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token=token, by=request.user)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("tokens")
