"""STF schemes, allocations and control totals, monthly finance returns, and computed entitlements."""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from common.inputs import InputModel
from common.months import add_months
from performance.models import METRIC_CODES, CurrentQuerySet
from trusts.models import Trust, TrustType, Upload

MONEY = {"max_digits": 16, "decimal_places": 2}


class RuleVariant(models.TextChoices):
    TRAJECTORY_OR_STANDARD = "trajectory_or_standard", "Met on trajectory or national standard"
    THRESHOLD_OR_PRIOR_YEAR = (
        "threshold_or_prior_year",
        "Met at the threshold or when the quarter beats the same quarter of the comparison scheme",
    )


class YearEndMethod(models.TextChoices):
    INCENTIVE_BONUS = "incentive_bonus", "Incentive (£1 for £1) and bonus pro rata to allocation"
    GENERAL_DISTRIBUTION = "general_distribution", "General distribution on a sliding scale, weighted by allocation"
    NONE = "none", "No year end"


# Working days after the month ends by which each return is due (RULES.md, "Returns and when they
# are due"): the finance return on the 8th; the national statistics when NHS England publishes them
# (A&E about two weeks after the month, RTT and cancer about six).
DEFAULT_RETURNS_DUE = {"finance": 8, "ae": 10, "rtt": 30, "cancer62": 30}
# The 2017-18 general distribution's sliding scale: a shortfall against the control total up to
# ``up_to`` percent of the allocation gives ``weight``; beyond the last band the weight is 0.
DEFAULT_DISTRIBUTION_BANDS = [
    {"up_to": "0", "weight": "1"},
    {"up_to": "25", "weight": "0.75"},
    {"up_to": "50", "weight": "0.5"},
    {"up_to": "100", "weight": "0.25"},
]


def default_returns_due():
    return dict(DEFAULT_RETURNS_DUE)


class Scheme(InputModel):
    """One year's STF rules, held as data with its provenance (see RULES.md).

    Percentages are stored as strings of decimals in the JSON fields so that nothing passes
    through a float: ``weights`` {"ae": "12.5", ...} (the finance element is the remainder of
    100), ``standards`` {"ae": "95"}, ``phasing`` ["25", "25", "25", "25"], ``applicability``
    {"acute": ["ae", "rtt", "cancer62"], ...}. ``year_end_bands`` is the general distribution's
    sliding scale, ``[{"up_to": "25", "weight": "0.75"}, ...]`` (shortfall as a percent of the
    allocation, ascending); ``returns_due`` the working day after the month end by which each
    return is due, ``{"finance": 8, "ae": 10, ...}``.
    """

    code = models.CharField(max_length=10, unique=True, help_text="Financial year, e.g. 2016-17")
    name = models.CharField(max_length=150)
    start_date = models.DateField(help_text="First day of the financial year (1 April)")
    pot = models.DecimalField(help_text="The whole fund for the year, £", **MONEY)
    weights = models.JSONField(help_text="Performance weights in percent; finance takes the remainder")
    standards = models.JSONField(help_text="National standard (or threshold) per metric, percent")
    phasing = models.JSONField(help_text="Share of the annual allocation per quarter, percent")
    applicability = models.JSONField(help_text="Trust type -> metrics it is judged on")
    rule_variant = models.CharField(max_length=40, choices=RuleVariant.choices)
    q1_paid_on_trajectory = models.BooleanField(
        default=False, help_text="Q1 performance elements are met by agreeing a trajectory"
    )
    comparison_scheme = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="For the prior-year rule: the scheme whose same quarter is to be beaten",
    )
    year_end_method = models.CharField(
        max_length=30, choices=YearEndMethod.choices, default=YearEndMethod.NONE,
        help_text="How what is left of the pot is shared once the year is decided",
    )
    year_end_bands = models.JSONField(
        default=list, blank=True,
        help_text="General distribution: shortfall bands, percent of allocation -> weight",
    )
    returns_due = models.JSONField(
        default=default_returns_due,
        help_text="Working days after the month end by which each return is due: finance and each metric",
    )
    source_document = models.CharField(max_length=300)
    source_url = models.URLField(blank=True)
    checked_by = models.CharField(max_length=150)
    reviewed_on = models.DateField()
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    INPUT_KEYS = ("id",)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(start_date__day=1), name="scheme_starts_on_first"),
            models.CheckConstraint(condition=models.Q(pot__gte=0), name="scheme_pot_not_negative"),
        ]

    def __str__(self):
        return f"STF {self.code}"

    @property
    def has_year_end(self):
        return self.year_end_method != YearEndMethod.NONE

    @property
    def end_date(self):
        return add_months(self.start_date, 12)

    def clean(self):
        errors = scheme_errors(self)
        if errors:
            raise ValidationError(errors)


def _decimal(value):
    try:
        number = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable value is reported below
        return None
    return number if number.is_finite() else None


def scheme_errors(scheme):
    """Every problem with a scheme's rule data, as {field: [messages]} (all reported at once)."""
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    weights = scheme.weights if isinstance(scheme.weights, dict) else None
    if weights is None:
        add("weights", "Weights must be an object of metric -> percent.")
        weights = {}
    total = Decimal(0)
    for metric, value in weights.items():
        if metric not in METRIC_CODES:
            add("weights", f"Unknown metric {metric!r}.")
        number = _decimal(value)
        if number is None or number < 0:
            add("weights", f"Weight of {metric!r} must be a non-negative number, not {value!r}.")
        else:
            total += number
    if total > 100:
        add("weights", f"Performance weights add up to {total}%, more than 100%.")

    standards = scheme.standards if isinstance(scheme.standards, dict) else None
    if standards is None:
        add("standards", "Standards must be an object of metric -> percent.")
        standards = {}
    for metric in weights:
        if metric not in standards:
            add("standards", f"Metric {metric!r} has a weight but no standard.")
    for metric, value in standards.items():
        number = _decimal(value)
        if metric not in METRIC_CODES:
            add("standards", f"Unknown metric {metric!r}.")
        if number is None or not (0 <= number <= 100):
            add("standards", f"Standard of {metric!r} must be a percent between 0 and 100, not {value!r}.")

    phasing = scheme.phasing if isinstance(scheme.phasing, list) else None
    if phasing is None or len(phasing) != 4:
        add("phasing", "Phasing must list four quarterly percentages.")
    else:
        numbers = [_decimal(value) for value in phasing]
        if any(number is None or number < 0 for number in numbers):
            add("phasing", f"Phasing values must be non-negative numbers, not {phasing!r}.")
        elif sum(numbers) != 100:
            add("phasing", f"Phasing adds up to {sum(numbers)}%, not 100%.")

    applicability = scheme.applicability if isinstance(scheme.applicability, dict) else None
    if applicability is None:
        add("applicability", "Applicability must be an object of trust type -> list of metrics.")
        applicability = {}
    known_types = {choice for choice, _ in TrustType.choices}
    for trust_type in known_types - set(applicability):
        add("applicability", f"Trust type {trust_type!r} is missing.")
    for trust_type, metrics in applicability.items():
        if trust_type not in known_types:
            add("applicability", f"Unknown trust type {trust_type!r}.")
        if not isinstance(metrics, list):
            add("applicability", f"Metrics of {trust_type!r} must be a list.")
            continue
        for metric in metrics:
            if metric not in weights:
                add("applicability", f"{trust_type!r} is judged on {metric!r}, which has no weight.")

    _year_end_errors(scheme, add)
    _returns_due_errors(scheme, add)

    if scheme.rule_variant == RuleVariant.THRESHOLD_OR_PRIOR_YEAR and not scheme.comparison_scheme_id:
        add("comparison_scheme", "The prior-year rule needs a comparison scheme.")
    if scheme.start_date and scheme.start_date.day != 1:
        add("start_date", "A scheme starts on the first day of a month.")
    return errors


def _year_end_errors(scheme, add):
    if scheme.year_end_method not in YearEndMethod.values:
        add("year_end_method", f"Unknown year-end method {scheme.year_end_method!r}.")
    bands = scheme.year_end_bands
    if not isinstance(bands, list):
        add("year_end_bands", "Bands must be a list of {\"up_to\": percent, \"weight\": 0 to 1}.")
        return
    if scheme.year_end_method == YearEndMethod.GENERAL_DISTRIBUTION and not bands:
        add("year_end_bands", "The general distribution needs at least one band.")
    previous = None
    for number, band in enumerate(bands, start=1):
        if not isinstance(band, dict) or set(band) != {"up_to", "weight"}:
            add("year_end_bands", f"Band {number} must be {{\"up_to\": percent, \"weight\": 0 to 1}}, not {band!r}.")
            continue
        up_to, weight = _decimal(band["up_to"]), _decimal(band["weight"])
        if up_to is None or up_to < 0:
            add("year_end_bands", f"Band {number}: up_to must be a non-negative percent, not {band['up_to']!r}.")
        elif previous is not None and up_to <= previous:
            add("year_end_bands", f"Band {number}: up_to {band['up_to']} must be above the band before it.")
        else:
            previous = up_to
        if weight is None or not (0 <= weight <= 1):
            add("year_end_bands", f"Band {number}: weight must be between 0 and 1, not {band['weight']!r}.")


def _returns_due_errors(scheme, add):
    due = scheme.returns_due
    if not isinstance(due, dict):
        add("returns_due", "Returns due must be an object of return -> working day after the month end.")
        return
    known = {"finance", *METRIC_CODES}
    if "finance" not in due:
        add("returns_due", "The finance return needs a due working day.")
    for kind, day in due.items():
        if kind not in known:
            add("returns_due", f"Unknown return {kind!r}: one of {', '.join(sorted(known))}.")
        if isinstance(day, bool) or not isinstance(day, int) or not (1 <= day <= 60):
            add("returns_due", f"Due day of {kind!r} must be a whole number of working days from 1 to 60, not {day!r}.")


class Allocation(InputModel):
    """A trust's annual STF allocation and financial control total under one scheme."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="allocations")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="allocations")
    stf_allocation = models.DecimalField(**MONEY)
    control_total = models.DecimalField(help_text="Surplus positive, deficit negative, £", **MONEY)
    control_total_accepted = models.BooleanField()
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    INPUT_KEYS = ("trust_id", "scheme_id")

    class Meta:
        ordering = ["scheme_id", "trust_id"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "scheme"], name="allocation_one_per_trust_scheme"),
            models.CheckConstraint(condition=models.Q(stf_allocation__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.trust_id} {self.scheme_id}: £{self.stf_allocation}"


class FinanceReturn(InputModel):
    INPUT_KEYS = ("trust_id", "month")

    """A monthly finance return: year-to-date plan and actual, forecast outturn (excluding STF)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="finance_returns")
    month = models.DateField(help_text="First day of the month")
    plan_ytd = models.DecimalField(**MONEY)
    actual_ytd = models.DecimalField(**MONEY)
    forecast_outturn = models.DecimalField(**MONEY)
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="finance_rows")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["trust_id", "month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "month"],
                condition=models.Q(is_current=True),
                name="finance_one_current_per_trust_month",
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="finance_month_first_day"),
        ]

    def __str__(self):
        return f"{self.trust_id} {self.month:%Y-%m} plan {self.plan_ytd} actual {self.actual_ytd}"


class AdjustmentState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AdjustmentDecision(models.TextChoices):
    PAY = "pay", "Pay (met)"
    WITHHOLD = "withhold", "Withhold (missed)"


FINANCE_ELEMENT = "finance"


def adjustment_document_path(instance, filename):
    """Where a document is stored: MEDIA_ROOT/adjustments/<random>.<ext>, never the name it came with
    (kept in ``document_name``), so a stored file cannot be found or overwritten by its name."""
    from finance.adjustment_documents import stored_name

    return stored_name(filename)


class Adjustment(InputModel):
    """An analyst's adjustment on review to one element of one trust-quarter (RULES.md,
    "Adjustments on review"): pay it (met) or withhold it (missed), with a reason and optionally a
    document. Only an approved adjustment is an input of the figures; see ``finance.adjustments``
    for who may propose, approve and withdraw, and ``finance.engine.adjustments`` for its effect.
    ``element`` is ``finance`` or a metric the scheme weighs."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="adjustments")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="adjustments")
    quarter = models.PositiveSmallIntegerField()
    element = models.CharField(max_length=20, help_text="finance, or a metric the scheme weighs (ae, rtt, cancer62)")
    decision = models.CharField(max_length=10, choices=AdjustmentDecision.choices)
    reason = models.TextField()
    document = models.FileField(upload_to=adjustment_document_path, blank=True, max_length=200)
    document_name = models.CharField(max_length=200, blank=True, help_text="The document's name as uploaded")
    state = models.CharField(max_length=10, choices=AdjustmentState.choices, default=AdjustmentState.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    # An input of its trust's figures under its scheme. The state is part of the key so that the
    # figures are marked for recompute only when an approved adjustment comes or goes (approved,
    # withdrawn after approval, deleted), not when one is proposed or a proposal withdrawn.
    INPUT_KEYS = ("trust_id", "scheme_id", "state")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "scheme", "quarter", "element"], condition=models.Q(state="approved"),
                name="adjustment_one_approved_per_element",
            ),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="adjustment_quarter_1_4"),
            models.CheckConstraint(condition=models.Q(decision__in=["pay", "withhold"]), name="adjustment_decision_known"),
            models.CheckConstraint(condition=models.Q(state__in=["proposed", "approved", "withdrawn"]),
                                   name="adjustment_state_known"),
        ]
        indexes = [models.Index(fields=["scheme", "state"])]

    def __str__(self):
        return f"Adjustment {self.pk}: {self.element} {self.decision} for {self.trust_id} Q{self.quarter} ({self.state})"


class QuarterReopening(models.Model):
    """An analyst's reopening of a decided trust-quarter to its finance directors' uploads.

    Once a trust-quarter is decided (its entitlement is anything but pending), its finance
    directors may no longer upload finance returns for its months (``finance.reopenings``); an
    analyst may reopen it, giving the reason. It is open while ``closed_at`` is empty, and closes
    when an analyst closes it (``closed_by``, ``close_reason``) or by itself when a recompute decides
    the quarter again after a finance return for one of its months was stored while it was open
    (``closed_by`` empty, ``closed_by_run`` that recompute). Its history is the audit log's.
    """

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="reopenings")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="reopenings")
    quarter = models.PositiveSmallIntegerField()
    reason = models.TextField(help_text="Why the trust's directors may upload again")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    closed_by_run = models.ForeignKey("RecomputeRun", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", help_text="The recompute that decided the quarter again")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "scheme", "quarter"], condition=models.Q(closed_at__isnull=True),
                name="reopening_one_open_per_trust_quarter",
            ),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="reopening_quarter_1_4"),
        ]

    @property
    def is_open(self):
        return self.closed_at is None

    def __str__(self):
        state = "open" if self.is_open else "closed"
        return f"Reopening {self.pk}: {self.trust_id} Q{self.quarter} {self.scheme_id} ({state})"


class EntitlementStatus(models.TextChoices):
    FULL = "full", "Full"
    PARTIAL = "partial", "Partial"
    FINANCE_FAILED = "finance_failed", "Finance failed"
    NO_CONTROL_TOTAL = "no_control_total", "No control total"
    PENDING = "pending", "Pending"


class Entitlement(models.Model):
    """The computed result for one trust, scheme and quarter (an upsert keyed on all three).

    Only trusts in the scheme have rows: a £0.00 allocation is not in the scheme (RULES.md,
    "Trusts with nothing at stake"), so it has no status and is counted nowhere.

    ``detail`` holds the finance element, the metric elements and the reasons exactly as the
    eligibility record shows them; ``fingerprint`` is a hash of the inputs, so that an unchanged
    trust is not rewritten.
    """

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="entitlements")
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="entitlements")
    quarter = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=EntitlementStatus.choices)
    allocation = models.DecimalField(**MONEY)
    earned = models.DecimalField(**MONEY)
    withheld = models.DecimalField(**MONEY)
    pending = models.DecimalField(**MONEY)
    finance_met = models.BooleanField(
        null=True,
        help_text="Null when the finance test was not applied (no control total accepted, or the return for "
                  "the quarter's last month missing); false only when an applied test failed",
    )
    detail = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["scheme_id", "quarter", "trust_id"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "scheme", "quarter"], name="entitlement_one_per_trust_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="entitlement_quarter_1_4"),
            # Within half a penny rather than equal: SQLite adds decimals as floating point, and
            # every figure has two places, so this still holds the sum to the penny.
            models.CheckConstraint(
                condition=models.Q(
                    allocation__gte=models.F("earned") + models.F("withheld") + models.F("pending") - Decimal("0.005"),
                    allocation__lte=models.F("earned") + models.F("withheld") + models.F("pending") + Decimal("0.005"),
                ),
                name="entitlement_reconciles",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[choice for choice, _ in EntitlementStatus.choices]),
                name="entitlement_status_known",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "quarter", "status"])]

    def __str__(self):
        return f"{self.trust_id} {self.scheme_id} Q{self.quarter}: {self.status}"


class YearEndAward(models.Model):
    """One trust's year-end award: the incentive (£1 for £1 beyond the control total) and bonus, or
    the general distribution, by the scheme's year-end method."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="year_end_awards")
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="year_end_awards")
    eligible = models.BooleanField()
    incentive = models.DecimalField(**MONEY)
    bonus = models.DecimalField(**MONEY)
    general_distribution = models.DecimalField(default=Decimal("0.00"), **MONEY)
    detail = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    @property
    def total(self):
        return self.incentive + self.bonus + self.general_distribution

    class Meta:
        ordering = ["scheme_id", "trust_id"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "scheme"], name="year_end_award_one_per_trust_scheme"),
            models.CheckConstraint(
                condition=models.Q(incentive__gte=0, bonus__gte=0, general_distribution__gte=0),
                name="year_end_award_not_negative",
            ),
        ]


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RecomputeRun(models.Model):
    """One recompute request and what became of it, for the pages to show."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, null=True, blank=True, related_name="runs")
    trust_ids = models.JSONField(null=True, blank=True, help_text="Empty for every trust")
    upload = models.ForeignKey(Upload, on_delete=models.SET_NULL, null=True, blank=True, related_name="recompute_runs")
    trigger = models.CharField(max_length=20, default="manual")  # upload, nightly, command, manual, change
    catch_up = models.BooleanField(
        default=False, help_text="Recompute whatever has changed since the figures were computed (scope unused)"
    )
    inputs_version = models.BigIntegerField(
        null=True, blank=True, help_text="The newest input change the run's figures include"
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED, db_index=True)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Recompute {self.pk} ({self.state})"


class InputChange(models.Model):
    """A change to an input of one scheme's figures, for one trust or (``trust`` empty) every trust.

    Written in the same transaction as the change itself (see ``finance.dependencies``); a
    recompute that covers it records itself as ``resolved_by_run`` once its figures include it. The
    figures of a scheme are current when it has no unresolved change. Its ids only grow: the
    largest a recompute has seen is the inputs' version it computed from.
    """

    id = models.BigAutoField(primary_key=True)
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="input_changes")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=60, help_text="The model whose rows changed, e.g. finance.financereturn")
    changed_at = models.DateTimeField(db_index=True)
    resolved_by_run = models.ForeignKey(
        "RecomputeRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="resolved_changes"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["scheme", "trust"], condition=models.Q(resolved_at__isnull=True),
                         name="input_change_unresolved"),
        ]

    def __str__(self):
        who = self.trust_id or "every trust"
        return f"{self.source} changed {self.scheme_id} for {who} at {self.changed_at:%Y-%m-%d %H:%M}"
