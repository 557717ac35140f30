"""Organisations (regions, STP footprints, trusts and their mergers) and the upload record every import writes."""
from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from common.inputs import InputModel


class TrustType(models.TextChoices):
    ACUTE = "acute", "Acute"
    SPECIALIST = "specialist", "Specialist acute"
    MENTAL_HEALTH = "mental_health", "Mental health"
    COMMUNITY = "community", "Community"
    AMBULANCE = "ambulance", "Ambulance"


class Region(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Footprint(models.Model):
    """A Sustainability and Transformation Partnership (STP) footprint, within one region."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=150)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="footprints")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="footprint_unique_name_in_region")]

    def __str__(self):
        return self.name


class Trust(InputModel):
    INPUT_KEYS = ("id",)  # its type decides the metrics it is judged on

    org_code = models.CharField("ODS code", max_length=8, unique=True)
    name = models.CharField(max_length=200)
    trust_type = models.CharField(max_length=20, choices=TrustType.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="trusts")
    footprint = models.ForeignKey(
        Footprint, on_delete=models.PROTECT, related_name="trusts", null=True, blank=True
    )
    active = models.BooleanField(default=True)
    finance_directors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="directed_trusts"
    )
    history = HistoricalRecords(excluded_fields=["finance_directors"])


    class Meta:
        ordering = ["org_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trust_type__in=[choice for choice, _ in TrustType.choices]),
                name="trust_type_known",
            ),
            models.CheckConstraint(
                condition=models.Q(org_code__regex=r"^[A-Z0-9]{3,8}$"), name="trust_org_code_format"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.org_code})"


class Succession(InputModel):
    """A merger: from ``effective_from`` the predecessor's services, and its returns, are the successor's.

    A successor is judged on its own returns plus its predecessors' returns for the months before
    ``effective_from`` (RULES.md, "Trust mergers"). A trust is succeeded at most once; a successor
    may have several predecessors, and may itself be succeeded later.
    """

    predecessor = models.OneToOneField(Trust, on_delete=models.PROTECT, related_name="succession")
    successor = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="predecessor_links")
    effective_from = models.DateField(help_text="First day of the first month the successor reports for both")

    INPUT_KEYS = ("successor_id",)  # its figures include the predecessor's returns

    class Meta:
        ordering = ["effective_from", "predecessor__org_code"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")),
                                   name="succession_not_to_itself"),
            models.CheckConstraint(condition=models.Q(effective_from__day=1), name="succession_first_of_month"),
        ]

    def __str__(self):
        return f"{self.predecessor.org_code} into {self.successor.org_code} from {self.effective_from:%Y-%m-%d}"


class UploadKind(models.TextChoices):
    TRUSTS = "trusts", "Trusts"
    PLANS = "plans", "Plans (allocations and control totals)"
    FINANCE = "finance", "Monthly finance returns"
    PERFORMANCE = "performance", "Monthly performance returns"
    TRAJECTORIES = "trajectories", "Trajectories"
    AE_NHSE = "ae_nhse", "NHS England A&E monthly CSV"
    AE_TIDY = "ae_tidy", "A&E attendances (tidy layout)"
    ODS_ETR = "ods_etr", "NHS Digital ODS trust list (etr.csv)"
    # NHS England's published RTT and cancer statistics (performance.published)
    RTT_PROVIDER = "rtt_provider", "NHS England RTT incomplete pathways provider workbook"
    RTT_CSV = "rtt_csv", "NHS England RTT full CSV extract"
    CANCER62 = "cancer62", "NHS England Cancer Waiting Times provider extract (62-day)"


KIND_LABELS = dict(UploadKind.choices)


class UploadStatus(models.TextChoices):
    STORED = "stored", "Stored"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Identical to an earlier upload"
    FAILED = "failed", "Failed"


class Upload(models.Model):
    """One file received, whatever became of it: kept for audit."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="uploads"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=UploadKind.choices, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=UploadStatus.choices)
    trusts = models.ManyToManyField(Trust, blank=True, related_name="uploads")
    row_count = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_changed = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first UPLOAD_MAX_ERRORS in full, then a count
    errors_total = models.PositiveIntegerField(default=0)  # every error found, listed or not
    notes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, default="web")  # web, api, command, demo
    recompute_queued = models.BooleanField(default=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"])]
        permissions = [
            ("import_national", "Can import national statistics, trust lists and plans"),
            ("upload_trust_returns", "Can upload monthly finance returns for the trusts they direct"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_kind_display() or 'unknown kind'}, {self.status})"


class PendingUpload(models.Model):
    """A previewed file waiting for its uploader to confirm it: its bytes, kept in the database so
    that any worker can confirm it, until confirmed or ``expires_at`` (``UPLOAD_PREVIEW_SECONDS``).
    The upload record is written when it is confirmed; each user has at most
    ``UPLOAD_PREVIEW_MAX_PENDING`` of them holding at most ``UPLOAD_PREVIEW_MAX_BYTES``."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_uploads")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.file_name} (pending until {self.expires_at:%Y-%m-%d %H:%M})"
