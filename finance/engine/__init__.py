"""The STF entitlement engine: pure functions, no database.

Plain data in (a :class:`SchemeRules` and :class:`EngineInputs` of DataFrames for any set of
trusts, the whole country at once), one :class:`QuarterResult` per trust and quarter out, with
reasons that name the figures. The rules are those of RULES.md; every figure that is a choice
comes from the scheme, never from a constant here.

* :mod:`.inputs`: the rule data and the inputs (and predecessors folded into successors);
* :mod:`.sums`: the monthly returns summed per trust-quarter;
* :mod:`.quarters`: the quarter arithmetic, step by step on whole columns;
* :mod:`.adjustments`: the approved adjustments on review, applied after the rules;
* :mod:`.reasons`: the words of every reason;
* :mod:`.entitlements`: :func:`compute_entitlements`, the steps in order;
* :mod:`.year_end`: :func:`compute_year_end`, by the scheme's method: the incentive and the bonus,
  or the general distribution; waiting (and for what) or refused (a negative pool);
* :mod:`.results`: what the engine hands back.

Arithmetic:

* Money is held in whole pennies (Python/NumPy integers) while computing, so every figure is
  exact; it leaves the engine as ``Decimal`` with two places. Rounding is half-up to the penny.
* Percentages are compared exactly and unrounded: performance is the fraction
  ``sum(numerators) / sum(denominators)`` and comparisons are made by cross-multiplying integers.
  Percentages are rounded (half-up, 2 dp) for display only.

Choices made here (documented for analysts):

* A quarter's trajectory is the mean of the monthly trajectory values present in that quarter.
  A trust has an agreed trajectory for a quarter when at least one of its three months has a
  value (a partial trajectory is the mean of the months given); with none, the standard alone
  applies.
* A metric needs all three months of the quarter with at least one case in total (a quarter
  with no cases cannot be judged); otherwise its element is pending.
* Prior-year rule (2018-19): "beats" means strictly better than the same quarter of the
  comparison scheme's year. When that quarter is incomplete, the threshold alone applies.
* Rounding never makes money out of nothing (see :mod:`.quarters`): no figure is ever negative.
* When finance fails, or there is no control total, the whole quarter is withheld; metrics are
  still shown with their figures, but they decide nothing (``met`` stays as judged, or ``null``
  when data is missing). ``finance.met`` is ``null`` whenever the finance test was not applied
  (no control total, or the return for the quarter's last month missing): only an applied test fails.
* A trust with a £0.00 allocation is not in the scheme: no result, no status, no year end.
* A reason whose rounded figures tie ("95.00% is below the standard 95.00%") writes the
  performance with the places that tell them apart and its counts: "94.996% (4,749 of 4,999)".
"""
from .entitlements import compute_entitlements
from .inputs import (
    ADJUSTMENT_COLUMNS, ALLOCATION_COLUMNS, FINANCE_COLUMNS, PERFORMANCE_COLUMNS, TRAJECTORY_COLUMNS, EngineInputs,
    SchemeRules, combine_predecessors, in_scheme,
)
from .results import QuarterResult, YearEnd, YearEndLine, YearEndWait
from .year_end import compute_year_end

__all__ = [
    "ADJUSTMENT_COLUMNS", "ALLOCATION_COLUMNS", "FINANCE_COLUMNS", "PERFORMANCE_COLUMNS", "TRAJECTORY_COLUMNS",
    "EngineInputs", "QuarterResult", "SchemeRules", "YearEnd", "YearEndLine", "YearEndWait", "combine_predecessors",
    "compute_entitlements",
    "compute_year_end", "in_scheme",
]
