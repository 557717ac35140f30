"""API tokens on the account pages (/accounts/tokens/): list yours, create one (shown once), revoke."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import ApiToken
from .tokens import TokenError, create_token, default_days, max_days, revoke_token, user_tokens


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What the token is for, e.g. 'weekly notebook'.")
    read_only = forms.BooleanField(
        required=False, initial=True, label="Read-only",
        help_text="A read-only token may read the API but not upload returns.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label="Days until it expires", min_value=1, max_value=max_days(), initial=default_days(),
            help_text=f"Between 1 and {max_days()} days.",
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


urlpatterns = [
    path("", tokens, name="tokens"),
    path("<int:pk>/revoke/", revoke, name="token-revoke"),
]
