"""The form that creates an API token on the account pages."""
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
