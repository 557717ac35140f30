"""Statistical process control (XmR charts) by NHS England's "Making Data Count" rules, as the NHS-R
Community's NHSRplotthedots package implements them. Pure: Decimals in, Decimals and flags out.

- Process limits: mean ± 2.66 × mean moving range; the "near" limits, two sigma, are
  mean ± (2/3) × 2.66 × mean moving range.
- Special causes, in this order of precedence for a point that more than one rule marks:
  1. a point beyond a process limit;
  2. a trend: seven or more points in a row each higher (or each lower) than the one before;
  3. two of three points in a row between the two-sigma and the process limit on the same side,
     all three on that side of the mean (both of those points are marked);
  4. a shift: seven or more points in a row on one side of the mean (a point on the mean breaks it).
- Limits are only computed from at least ``SPC_MIN_POINTS`` (12) points; with fewer, nothing is
  a special cause and no icon is given (:func:`analyse`).
- The variation icon is the last point's: common cause, or special cause of improvement or of
  concern (by the metric's better direction: every STF metric is better higher); the assurance
  icon compares the target with the limits: above the upper limit the target is consistently
  failed, below the lower limit consistently passed (for a metric better higher), between them
  hit and miss.

A missing month is left out of the series the rules read (it neither extends nor breaks a run) and
marked as no signal.
"""
from dataclasses import dataclass, field
from decimal import Decimal

SPC_FACTOR = Decimal("2.66")
NEAR_FACTOR = SPC_FACTOR * 2 / 3  # two sigma: sigma is the mean moving range / 1.128 = 2.66 / 3
RUN_LENGTH = 7
SPC_MIN_POINTS = 12

COMMON_CAUSE = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
CONSISTENT_PASS = "consistent_pass"
CONSISTENT_FAIL = "consistent_fail"
HIT_AND_MISS = "inconsistent"

VARIATION_LABELS = {
    COMMON_CAUSE: "Common cause variation",
    IMPROVEMENT: "Special cause variation: improvement",
    CONCERN: "Special cause variation: concern",
}
ASSURANCE_LABELS = {
    CONSISTENT_PASS: "Consistently passing the target",
    CONSISTENT_FAIL: "Consistently failing the target",
    HIT_AND_MISS: "Hit and miss: the target may or may not be met",
}


def spc_limits(values):
    """Mean and process limits of an XmR chart: mean ± 2.66 × mean moving range.
    ``values``: Decimals (None for a missing month, skipped). Returns a dict of Decimals
    (mean, mean_moving_range, upper, lower, near_upper, near_lower) or None when there are fewer
    than two values."""
    points = [Decimal(v) for v in values if v is not None]
    if len(points) < 2:
        return None
    mean = sum(points) / len(points)
    moving = [abs(b - a) for a, b in zip(points, points[1:])]
    mr_bar = sum(moving) / len(moving)
    return {"mean": mean, "mean_moving_range": mr_bar,
            "upper": mean + SPC_FACTOR * mr_bar, "lower": mean - SPC_FACTOR * mr_bar,
            "near_upper": mean + NEAR_FACTOR * mr_bar, "near_lower": mean - NEAR_FACTOR * mr_bar}


def _sign(number) -> int:
    return 1 if number > 0 else -1 if number < 0 else 0


def _near_limits(limits):
    """The two-sigma limits, from the limits themselves when they were given without them."""
    if "near_upper" in limits:
        return limits["near_upper"], limits["near_lower"]
    mean = limits["mean"]
    return mean + (limits["upper"] - mean) * 2 / 3, mean - (mean - limits["lower"]) * 2 / 3


def _runs(signs, length=RUN_LENGTH):
    """Per position, the direction (1 or -1) of the run of ``length`` or more equal non-zero
    signs it belongs to, else 0."""
    marks = [0] * len(signs)
    start = 0
    for end in range(1, len(signs) + 1):
        if end == len(signs) or signs[end] != signs[start]:
            if signs[start] != 0 and end - start >= length:
                marks[start:end] = [signs[start]] * (end - start)
            start = end
    return marks


def _trends(points):
    """Per point, 1 or -1 when it is part of seven or more points each above (below) the one
    before, else 0."""
    steps = [_sign(b - a) for a, b in zip(points, points[1:])]
    marks = [0] * len(points)
    for index, direction in enumerate(_runs(steps, RUN_LENGTH - 1)):
        if direction:  # the step from point index to index + 1: both points are in the trend
            marks[index] = marks[index + 1] = direction
    return marks


def _two_in_three(close, sides):
    """Per point, whether it is one of two (or three) of three points in a row close to a limit
    (between two sigma and the process limit) with all three on the same side of the mean."""
    marks = [False] * len(close)
    for start in range(len(close) - 2):
        window = range(start, start + 3)
        if sum(close[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            for i in window:
                marks[i] = marks[i] or close[i]
    return marks


def special_cause_types(values, limits):
    """Per value: None (no signal, or missing), or the special cause that marks it, as
    (rule, direction): rule "limit", "trend", "two_in_three" or "shift"; direction 1 (high,
    increasing) or -1 (low, decreasing)."""
    types = [None] * len(values)
    if limits is None:
        return types
    present = [i for i, value in enumerate(values) if value is not None]
    points = [Decimal(values[i]) for i in present]
    near_upper, near_lower = _near_limits(limits)
    sides = [_sign(point - limits["mean"]) for point in points]
    outside = [point > limits["upper"] or point < limits["lower"] for point in points]
    close = [not out and (point > near_upper or point < near_lower) for point, out in zip(points, outside)]
    trends = _trends(points)
    two_in_three = _two_in_three(close, sides)
    shifts = _runs(sides)
    for position, index in enumerate(present):
        if outside[position]:
            types[index] = ("limit", sides[position])
        elif trends[position]:
            types[index] = ("trend", trends[position])
        elif two_in_three[position]:
            types[index] = ("two_in_three", sides[position])
        elif shifts[position]:
            types[index] = ("shift", shifts[position])
    return types


CAUSE_LABELS = {
    ("limit", 1): "Special cause: above the upper limit", ("limit", -1): "Special cause: below the lower limit",
    ("trend", 1): "Special cause: 7-point rising trend", ("trend", -1): "Special cause: 7-point falling trend",
    ("two_in_three", 1): "Special cause: 2 of 3 near the upper limit",
    ("two_in_three", -1): "Special cause: 2 of 3 near the lower limit",
    ("shift", 1): "Special cause: 7 points above the mean", ("shift", -1): "Special cause: 7 points below the mean",
}


def cause_label(cause) -> str:
    """A point's special cause in words ("" for none)."""
    return CAUSE_LABELS[cause] if cause else ""


def special_causes(values, limits):
    """Which points are special cause by any of the four rules: a list of bools the length of
    ``values`` (a missing month stays False)."""
    return [kind is not None for kind in special_cause_types(values, limits)]


@dataclass
class SpcAnalysis:
    """One series read by the rules: limits (None with too few points), each point's special
    cause and point type, and the variation and assurance icons (None where not given)."""

    points: int
    limits: dict | None
    causes: list = field(default_factory=list)
    point_types: list = field(default_factory=list)
    variation: str | None = None
    assurance: str | None = None

    @property
    def flags(self):
        return [cause is not None for cause in self.causes]

    @property
    def variation_label(self) -> str:
        if self.limits is None:
            return f"Too few points for SPC ({self.points} of {SPC_MIN_POINTS})"
        return VARIATION_LABELS[self.variation]

    @property
    def assurance_label(self) -> str:
        return ASSURANCE_LABELS.get(self.assurance, "No target to assure against")


def assurance(target, limits, *, higher_is_better=True):
    """Whether the process will consistently pass, consistently fail, or hit and miss ``target``."""
    if target is None or limits is None:
        return None
    target = Decimal(target)
    if target > limits["upper"]:
        return CONSISTENT_FAIL if higher_is_better else CONSISTENT_PASS
    if target < limits["lower"]:
        return CONSISTENT_PASS if higher_is_better else CONSISTENT_FAIL
    return HIT_AND_MISS


def analyse(values, *, target=None, higher_is_better=True, min_points=SPC_MIN_POINTS) -> SpcAnalysis:
    """The Making Data Count reading of a monthly series (None for a missing month): limits from
    at least ``min_points`` points, special causes, point types, and the icons of its last point
    and of ``target`` (the threshold the metric is judged against)."""
    count = sum(1 for value in values if value is not None)
    if count < max(2, min_points):
        return SpcAnalysis(points=count, limits=None, causes=[None] * len(values),
                           point_types=[None if v is None else COMMON_CAUSE for v in values])
    limits = spc_limits(values)
    causes = special_cause_types(values, limits)
    better = 1 if higher_is_better else -1
    types = []
    for value, cause in zip(values, causes):
        if value is None:
            types.append(None)
        elif cause is None:
            types.append(COMMON_CAUSE)
        else:
            types.append(IMPROVEMENT if cause[1] * better > 0 else CONCERN)
    last = next(kind for kind in reversed(types) if kind is not None)
    return SpcAnalysis(points=count, limits=limits, causes=causes, point_types=types, variation=last,
                       assurance=assurance(target, limits, higher_is_better=higher_is_better))
