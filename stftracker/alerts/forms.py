"""The account page's form to add an alert: its kind, the trust (where the role chooses one) and,
for returns, how many days before the due date."""
from django import forms

from . import services
from .models import DAYS_BEFORE_MAX, AlertKind

EVERY_TRUST = ""


class SubscriptionForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Every kind is a valid answer, so that one the role may not have is refused by the service
        # with its reason; the page offers only those the role may have.
        self.fields["kind"] = forms.ChoiceField(label="Tell me when", choices=AlertKind.choices)
        self.offered_kinds = [(kind, AlertKind(kind).label) for kind in services.allowed_kinds(user)]
        trusts = list(services.trusts_to_choose(user).values_list("pk", "name"))
        choices = [(str(pk), name) for pk, name in trusts]
        if not services.roles.is_analyst(user):
            choices.insert(0, (EVERY_TRUST, "Every trust I act for"))
        else:
            choices.insert(0, (EVERY_TRUST, "Choose a trust (not needed for the weekly digest)"))
        self.fields["trust"] = forms.ChoiceField(
            label="Trust", choices=choices, required=False,
            help_text="Result and return alerts are about this trust.",
        )
        self.fields["days_before"] = forms.IntegerField(
            label="Days before the due date", min_value=0, max_value=DAYS_BEFORE_MAX, initial=3, required=False,
            help_text=f"Return alerts: remind me this many days before a return is due (0 to {DAYS_BEFORE_MAX}).",
        )

    def clean(self):
        data = super().clean()
        trust_id = data.get("trust")
        data["trust_obj"] = services.trust_for_form(self.user, int(trust_id)) if trust_id else None
        if data.get("days_before") is None:
            data["days_before"] = 3
        return data
