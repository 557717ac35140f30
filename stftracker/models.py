"""API tokens: what a token may do and until when. The secret itself is kept hashed by knox."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiTokenStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ApiToken(models.Model):
    """One API token as its owner and the admin see it, kept after revocation or expiry for audit.

    ``auth_token`` is the knox row holding the hashed secret; it is deleted on revocation, so a
    revoked token can never authenticate again even if this row says otherwise.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    auth_token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="api_token"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'weekly notebook'")
    token_key = models.CharField(max_length=25, help_text="The first characters of the token, to recognise it")
    read_only = models.BooleanField(default=True, help_text="May read but not upload")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.token_key}…, {self.user})"

    @property
    def status(self):
        if self.revoked_at is not None:
            return ApiTokenStatus.REVOKED
        if self.expires_at <= timezone.now():
            return ApiTokenStatus.EXPIRED
        if self.auth_token_id is None:  # its secret was deleted outside the token service
            return ApiTokenStatus.REVOKED
        return ApiTokenStatus.ACTIVE

    def get_status_display(self):
        return ApiTokenStatus(self.status).label
