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

    @property
    def detail(self):
        return {"finance": self.finance, "metrics": self.metrics, "reasons": self.reasons}


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
class YearEnd:
    decided: bool
    lines: list
    pool: Decimal
    message: str
