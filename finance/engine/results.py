"""What the engine hands back: one :class:`QuarterResult` per trust-quarter, and the year end.

Money leaves the engine as ``Decimal`` with two places; ``finance`` and ``metrics`` are as the
eligibility record shows them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class QuarterResult:
    """One trust-quarter. ``finance`` and ``metrics`` are as the eligibility record shows them."""

    trust_id: int
    org_code: str
    quarter: int
    status: str
    allocation: Decimal
    earned: Decimal
    withheld: Decimal
    pending: Decimal
    finance_met: bool | None
    finance: dict
    metrics: list
    reasons: list
    fingerprint: str
    performance: dict = field(default_factory=dict)  # metric -> (numerator, denominator), unrounded
    missing: dict = field(default_factory=dict)  # "finance" or a metric -> ["YYYY-MM", ...] awaited, when pending
    adjustments: list = field(default_factory=list)  # the approved adjustments on review of the quarter

    @property
    def detail(self):
        detail = {"finance": self.finance, "metrics": self.metrics, "reasons": self.reasons, "missing": self.missing}
        if self.adjustments:  # only then: the detail of a quarter without any stays as it was
            detail["adjustments"] = self.adjustments
        return detail


@dataclass
class YearEndLine:
    trust_id: int
    org_code: str
    eligible: bool
    incentive: Decimal
    bonus: Decimal
    detail: dict
    general_distribution: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.incentive + self.bonus + self.general_distribution


@dataclass
class YearEndWait:
    """A trust that holds the year end up: the months of each return it still waits for
    ("finance" or a metric -> [first days of months]) and the money pending."""

    trust_id: int
    org_code: str
    missing: dict
    pending: Decimal
    quarters: int = 4  # quarters stored; fewer means some are not computed yet


@dataclass
class YearEnd:
    """A scheme's year end. ``state``: ``decided`` (lines to store), ``waiting`` (a quarter is
    pending: ``waits`` says for what), ``refused`` (a negative pool), ``none`` (the scheme has no
    year end) or ``empty`` (no trust in the scheme). ``national`` holds the reconciliation's figures
    as Decimals (see :func:`finance.engine.year_end.compute_year_end`)."""

    decided: bool
    lines: list
    pool: Decimal
    message: str
    state: str = "decided"
    method: str = ""
    national: dict = field(default_factory=dict)
    waits: list = field(default_factory=list)
