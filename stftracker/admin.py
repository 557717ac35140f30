"""API tokens in the admin: an administrator may create a token for any user (shown once) or revoke one."""
from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from knox.models import get_token_model

from .models import ApiToken
from .accounts.tokens import TokenError, create_token, default_days, max_days, revoke_token

NEW_SECRET = "_stf_new_token_secret"

# knox's own admin would make tokens without a lifetime or a record, and put the secret in a
# message cookie: tokens are made here or on the account page only.
if admin.site.is_registered(get_token_model()):
    admin.site.unregister(get_token_model())


class ApiTokenCreationForm(forms.ModelForm):
    days = forms.IntegerField(min_value=1)  # its limits are set from the settings below

    class Meta:
        model = ApiToken
        fields = ["user", "name", "read_only"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label="Days until it expires", min_value=1, max_value=max_days(), initial=default_days(),
            help_text=f"Between 1 and {max_days()} days.",
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "token_key", "read_only", "created_at", "expires_at", "status_label"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username", "token_key"]
    list_select_related = ["user"]
    actions = ["revoke_selected"]
    readonly_fields = [
        "user", "name", "token_key", "read_only", "created_by", "created_at", "expires_at", "revoked_at", "status_label",
    ]

    @admin.display(description="Status")
    def status_label(self, token):
        return token.get_status_display()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["user", "name", "read_only", "days"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a token is created or revoked, never edited

    def save_model(self, request, obj, form, change):
        try:
            token, secret = create_token(
                user=form.cleaned_data["user"], name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"], days=form.cleaned_data["days"], created_by=request.user,
            )
        except TokenError as error:
            raise forms.ValidationError(str(error)) from error
        obj.pk = token.pk
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        setattr(request, NEW_SECRET, secret)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, NEW_SECRET, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {"token": obj, "secret": secret, "back_url": "../", "back_label": "Back to API tokens"}
        return render(request, "accounts/tokens_created.html", context, status=201)

    @admin.action(description="Revoke the selected tokens")
    def revoke_selected(self, request, queryset):
        for token in queryset.select_related("user"):
            revoke_token(token=token, by=request.user)
        messages.success(request, f"Revoked {queryset.count()} token(s).")
