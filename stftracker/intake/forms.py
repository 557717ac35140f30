"""Forms of the upload pages."""
from django import forms
from django.conf import settings

from .reports import too_large


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Return file (CSV or XLSX)",
        help_text="Trusts, plans, finance, performance or trajectories; NHS England's A&E CSV; ODS etr.csv.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large(upload.size, settings.UPLOAD_MAX_BYTES))
        return upload


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
