"""Log in (the password, then the code from an authenticator app when the user has one), log out,
password change, the account page, the second factor (/accounts/two-factor/), and its API tokens
(/accounts/tokens/): list yours, create one (shown once), revoke."""
from base64 import b32encode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from stftracker.alerts.forms import SubscriptionForm
from stftracker.alerts.selectors import subscriptions_of
from trusts.models import Upload
from trusts.roles import is_analyst, is_finance_director, role_label

from ..models import ApiToken
from . import two_factor
from .forms import CodeForm, EnrolForm, TokenForm
from .tokens import TokenError, create_token, revoke_token, user_tokens


class LoginView(auth_views.LoginView):
    """The password step; a user with a second factor goes on to the code step, not yet logged in."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_second_factor(user):
            return super().form_valid(form)
        two_factor.begin_code_step(self.request, user, self.get_success_url())
        return redirect("login-code")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cooloff_minutes=round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
            **kwargs,
        )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request):
    """The code step of logging in, after the password step in the same session."""
    pending = two_factor.pending_user(request)
    if pending is None:
        messages.info(request, "Log in with your password first (a code is asked for within a few minutes of it).")
        return redirect("login")
    user, backend, next_url = pending
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            two_factor.end_code_step(request)
            auth_login(request, user, backend)
            otp_login(request, device)
            return redirect(next_url)
        if two_factor.code_refused_for_now(user):
            form.add_error("code", "That code is not right, and after several wrong codes there is a short wait: "
                                   "wait a few seconds, then enter the code your app shows now.")
        else:
            form.add_error("code", "That code is not right: enter the six digits your authenticator app shows now.")
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(request, "registration/login_code.html", {"form": form, "username": user.get_username()})


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
def account(request, alert_form=None, status=200):
    """The account page; ``alert_form`` is the alerts form sent back with its errors (``stftracker.alerts.views``)."""
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
            "second_factor": two_factor.has_second_factor(user),
            "alerts": subscriptions_of(user),
            "alert_form": alert_form or SubscriptionForm(user=user),
        },
        status=status,
    )


@sensitive_post_parameters("code", "password")
@never_cache
@login_required
def second_factor(request):
    """Turn the second factor on (or move it to a new app): the secret to type or open in an
    authenticator app, then a code from it and the password to confirm."""
    user = request.user
    has_one = two_factor.has_second_factor(user)
    if has_one and request.method == "GET" and not request.GET.get("replace"):
        return render(request, "accounts/two_factor.html", {"has_one": True, "showing_secret": False})
    device = two_factor.key_to_confirm(request)
    form = EnrolForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        confirmed = two_factor.confirm_device(request, code=form.cleaned_data["code"])
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(request, "Two-factor authentication is on: logging in now asks for a code from your app.")
            return redirect("account")
        form.add_error("code", "That code is not the one your app shows: check the secret was entered exactly, "
                               "then enter the code it shows now.")
    context = {
        "form": form,
        "has_one": has_one,
        "showing_secret": True,
        "secret": b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
    }
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


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
