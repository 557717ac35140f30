"""The trust page's what-if form: performance overrides per metric, a YTD actual and plan (GET)."""
from decimal import Decimal, InvalidOperation

from django import forms

from common.money import parse_pounds
from finance.models import MONEY
from performance.metrics import PAGE_NAMES

PENNY = Decimal("0.01")


class PercentField(forms.Field):
    """A percentage between 0 and 100, "93.5" or "93.5%"; blank for none."""

    def to_python(self, value):
        raw = (value or "").strip().rstrip("%")
        if not raw:
            return None
        try:
            percent = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError(f"{self.label} must be a percentage, like 93.5.") from None
        if not percent.is_finite() or not 0 <= percent <= 100:
            raise forms.ValidationError(f"{self.label} must be between 0 and 100.")
        return percent


class PoundsField(forms.Field):
    """An amount in pounds and pence as the site prints it or a person types it
    (``common.money.parse_pounds``: ``−£2,328,000.00``, ``£-2,328,000``, ``(2,700,000)``, ...);
    blank for none.

    At most what a return can hold (``finance.models.MONEY``: 16 digits, 2 of them pence), so that
    the engine's arithmetic never meets a number it cannot represent ("1e10000").
    """

    def to_python(self, value):
        label = self.label or "amount"
        try:
            amount = parse_pounds(value)
        except ValueError:
            raise forms.ValidationError(f"The {label} must be an amount in pounds, like -1250000.") from None
        if amount is None:
            return None
        if abs(amount) >= Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"]):
            raise forms.ValidationError(f"The {label} is too large: at most £99,999,999,999,999.99 either way.")
        try:
            pence = amount.quantize(PENNY)
        except InvalidOperation:
            pence = None
        if pence != amount:
            raise forms.ValidationError(f"The {label} must be in pounds and pence, at most 2 decimal places.")
        return pence


class WhatIfForm(forms.Form):
    """``perf_<metric>`` for each metric the trust is judged on, then ``actual_ytd`` and ``ytd_plan``;
    all optional (the plan is needed only while the quarter's last finance return has not arrived,
    and defaults to the latest plan known: ``finance.services.what_if``)."""

    def __init__(self, data, *, metrics):
        super().__init__(data)
        self.metrics = list(metrics)
        for metric in self.metrics:
            self.fields[f"perf_{metric}"] = PercentField(required=False, label=PAGE_NAMES[metric])
        self.fields["actual_ytd"] = PoundsField(required=False, label="YTD actual")
        self.fields["ytd_plan"] = PoundsField(required=False, label="YTD plan")

    @property
    def performance(self):
        """{metric: Decimal percent} of the overrides given (a valid form only)."""
        return {m: self.cleaned_data[f"perf_{m}"] for m in self.metrics if self.cleaned_data[f"perf_{m}"] is not None}

    @property
    def actual_ytd(self):
        return self.cleaned_data["actual_ytd"]

    @property
    def ytd_plan(self):
        return self.cleaned_data["ytd_plan"]

    def error_list(self):
        """[(field name, message)] in the order of the fields, for the page's error summary."""
        return [(name, message) for name in self.fields for message in self.errors.get(name, [])]


class TrustQuarterForm(forms.Form):
    """The trust, scheme year and quarter an analyst acts on (proposing an adjustment, reopening a
    quarter): ``trusts`` as (org code, name) and ``schemes`` as codes give the choices."""

    trust = forms.ChoiceField(label="Trust")
    year = forms.ChoiceField(label="Year")
    quarter = forms.TypedChoiceField(label="Quarter", choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int)

    def __init__(self, *args, schemes, trusts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust"].choices = [("", "Choose a trust")] + [(code, f"{name} ({code})") for code, name in trusts]
        self.fields["year"].choices = [(code, code) for code in schemes]
