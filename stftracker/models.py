"""API tokens (what a token may do and until when; the secret itself is kept hashed by knox) and
the quarterly review packs built for download."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from finance.models import RunState


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


class PackBuild(models.Model):
    """One quarterly review pack (``stftracker.packs``): asked for, built and kept for download.

    A pack is built from the stored figures as they stood at ``inputs_version`` (the newest input
    change, how many wait for a recompute, and when the scheme's figures and year end were last
    written): a request while that version still holds is answered with the same bytes, not a
    new build. Small packs are built in the request; larger ones by a Celery task that reports
    its progress here (``progress_done`` of ``progress_total`` rows written).
    """

    scheme = models.ForeignKey("finance.Scheme", on_delete=models.CASCADE, related_name="pack_builds")
    quarter = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inputs_version = models.CharField(max_length=200, help_text="The version of the figures the pack was built from")
    content = models.BinaryField(blank=True, default=b"", editable=False, help_text="The workbook (xlsx)")
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the workbook")
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="pack_build_quarter_1_4"),
        ]
        indexes = [models.Index(fields=["scheme", "quarter", "inputs_version"], name="pack_build_version")]

    def __str__(self):
        return f"Pack {self.pk} ({self.state})"
