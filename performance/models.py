"""Monthly A&E / RTT / cancer returns and agreed trajectories.

Every row points at the upload that brought it. A later upload for the same trust, month and
metric supersedes the earlier row (``is_current`` moves) without deleting it.
"""
from django.db import models

from common.inputs import InputModel, InputQuerySet

from trusts.models import Trust, Upload

from .metrics import METRICS

# Metric.AE == "ae", labelled with its choice name; the names live in performance/metrics.py.
Metric = models.TextChoices("Metric", [(metric.code.upper(), (metric.code, metric.choice)) for metric in METRICS])


METRIC_CODES = [code for code, _ in Metric.choices]


class CurrentQuerySet(InputQuerySet):
    """Monthly returns: inputs of the figures, of which one version per key is current."""

    def current(self):
        return self.filter(is_current=True)


class PerformanceReturn(InputModel):
    INPUT_KEYS = ("trust_id", "month")

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="performance_returns")
    month = models.DateField(help_text="First day of the month")
    metric = models.CharField(max_length=10, choices=Metric.choices)
    numerator = models.PositiveIntegerField(help_text="Within the standard")
    denominator = models.PositiveIntegerField()
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="performance_rows")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["trust_id", "month", "metric", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "month", "metric"],
                condition=models.Q(is_current=True),
                name="performance_one_current_per_trust_month_metric",
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="performance_month_first_day"),
            models.CheckConstraint(
                condition=models.Q(numerator__lte=models.F("denominator")),
                name="performance_numerator_within_denominator",
            ),
            models.CheckConstraint(condition=models.Q(metric__in=METRIC_CODES), name="performance_metric_known"),
        ]
        indexes = [models.Index(fields=["month", "metric"], condition=models.Q(is_current=True), name="perf_current_month")]

    def __str__(self):
        return f"{self.trust_id} {self.month:%Y-%m} {self.metric} {self.numerator}/{self.denominator}"


class Trajectory(InputModel):
    INPUT_KEYS = ("trust_id", "month")

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="trajectories")
    month = models.DateField(help_text="First day of the month")
    metric = models.CharField(max_length=10, choices=Metric.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="trajectory_rows")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "trajectories"
        ordering = ["trust_id", "month", "metric", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "month", "metric"],
                condition=models.Q(is_current=True),
                name="trajectory_one_current_per_trust_month_metric",
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="trajectory_month_first_day"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=0) & models.Q(percent__lte=100), name="trajectory_percent_range"
            ),
            models.CheckConstraint(condition=models.Q(metric__in=METRIC_CODES), name="trajectory_metric_known"),
        ]

    def __str__(self):
        return f"{self.trust_id} {self.month:%Y-%m} {self.metric} {self.percent}%"
