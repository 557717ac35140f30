"""Alert subscriptions, the log of what was sent to whom (one row per subscription and thing it
was about, so that nothing is sent twice), and the results as the alerts last saw them.

``ResultState`` is the last status and earned seen of every trust-quarter, and ``ResultChange``
each change of either noticed since (``stftracker.alerts.changes``): the result alerts and the
weekly digest are read from the changes, so they need no history of the figures themselves.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from finance.models import MONEY, EntitlementStatus

DAYS_BEFORE_MAX = 30


class AlertKind(models.TextChoices):
    RESULT_CHANGED = "result_changed", "A quarter result changed"
    RETURN_DUE = "return_due", "A return is due soon or late"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest of statuses changed"


class Subscription(models.Model):
    """One user's wish to be told of one kind of thing by email.

    ``trust`` empty means every trust the user acts for (a finance director's); an analyst's result
    and return alerts name the trust they follow; the weekly digest names none. Who may have what is
    checked when subscribing and again when sending (``stftracker.alerts.services``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    days_before = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(0), MaxValueValidator(DAYS_BEFORE_MAX)],
        help_text="Return alerts: how many days before the due date to send the reminder (0 to 30)",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(days_before__lte=DAYS_BEFORE_MAX), name="alert_days_before_0_30"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[choice for choice, _ in AlertKind.choices]), name="alert_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["active", "kind"])]

    def __str__(self):
        return f"{self.user} {self.kind}{' ' + str(self.trust_id) if self.trust_id else ''}"


class SentAlert(models.Model):
    """One alert sent (or being sent) to a subscription. ``key`` says what it was about (a change,
    a return and its state, a week); the unique pair is claimed before the mail goes, so a task run
    twice, or two runs at once, send it once. A claim whose sending failed is removed again."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="sent")
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "key"], name="alert_sent_once")]

    def __str__(self):
        return f"{self.subscription_id}: {self.key}"


class ResultState(models.Model):
    """The status and earned of one trust-quarter as the alerts last saw it, and how many changes of
    it have been noticed (``version``)."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    scheme = models.ForeignKey("finance.Scheme", on_delete=models.CASCADE, related_name="+")
    quarter = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=EntitlementStatus.choices)
    earned = models.DecimalField(**MONEY)
    version = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trust", "scheme", "quarter"], name="alert_result_state_once")]


class ResultChange(models.Model):
    """A change of a trust-quarter's status or earned, as noticed; ``version`` is unique per
    trust-quarter, so a change noticed by two runs at once is kept once."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    scheme = models.ForeignKey("finance.Scheme", on_delete=models.CASCADE, related_name="+")
    quarter = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField()
    old_status = models.CharField(max_length=20, choices=EntitlementStatus.choices)
    new_status = models.CharField(max_length=20, choices=EntitlementStatus.choices)
    old_earned = models.DecimalField(**MONEY)
    new_earned = models.DecimalField(**MONEY)
    withheld = models.DecimalField(**MONEY)
    pending = models.DecimalField(**MONEY)
    allocation = models.DecimalField(**MONEY)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()
    noticed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["noticed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "scheme", "quarter", "version"], name="alert_result_change_once")
        ]

    @property
    def status_changed(self):
        return self.old_status != self.new_status
