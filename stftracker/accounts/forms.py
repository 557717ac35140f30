"""The forms of the account pages: an API token, a code from an authenticator app, turning the second factor on."""
from django import forms

from .tokens import default_days, max_days


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


class CodeForm(forms.Form):
    """The code an authenticator app shows (six digits; spaces are ignored)."""

    code = forms.CharField(
        label="Code from your authenticator app", max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolForm(CodeForm):
    """Turning the second factor on: a code from the new app, and the password, so that a session
    left open cannot tie the account to someone else's phone."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your password was entered incorrectly. Please enter it again.")
        return password
