"""Statistical process control (XmR charts, NHS "Making Data Count"): process limits and special
causes of a monthly series. Pure: Decimals in, Decimals and flags out."""
from decimal import Decimal

SPC_FACTOR = Decimal("2.66")
RUN_LENGTH = 7


def spc_limits(values):
    """Mean and process limits of an XmR chart: mean ± 2.66 × mean moving range.
    ``values``: Decimals (None for a missing month, skipped). Returns a dict of Decimals
    (mean, mean_moving_range, upper, lower) or None when there are fewer than two values."""
    points = [Decimal(v) for v in values if v is not None]
    if len(points) < 2:
        return None
    mean = sum(points) / len(points)
    moving = [abs(b - a) for a, b in zip(points, points[1:])]
    mr_bar = sum(moving) / len(moving)
    return {"mean": mean, "mean_moving_range": mr_bar,
            "upper": mean + SPC_FACTOR * mr_bar, "lower": mean - SPC_FACTOR * mr_bar}


def special_causes(values, limits):
    """Which points are special cause: outside the process limits, or part of a run of
    ``RUN_LENGTH`` or more consecutive points on one side of the mean (a point on the mean breaks
    a run; a missing month neither extends nor breaks one). Returns a list of bools the length of ``values`` (None stays False)."""
    flags = [False] * len(values)
    if limits is None:
        return flags
    for i, value in enumerate(values):
        if value is not None and (value > limits["upper"] or value < limits["lower"]):
            flags[i] = True
    run, side = [], 0
    for i, value in enumerate(values):
        if value is None:  # a missing month neither extends nor breaks a run
            continue
        this_side = 1 if value > limits["mean"] else -1 if value < limits["mean"] else 0
        if this_side != 0 and this_side == side:
            run.append(i)
            continue
        if len(run) >= RUN_LENGTH:
            for j in run:
                flags[j] = True
        run, side = ([i], this_side) if this_side != 0 else ([], 0)
    if len(run) >= RUN_LENGTH:
        for j in run:
            flags[j] = True
    return flags
