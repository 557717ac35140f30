"""The monthly returns summed per trust-quarter, exactly, in integers.

Performance becomes a numerator, a denominator and a bitmask of the quarter's months present
(for the scheme's year and, under the prior-year rule, the comparison year); trajectories become
a sum in hundredths of a percent and a count of months given. All on whole columns.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from common.months import months_between

from .inputs import THRESHOLD_OR_PRIOR_YEAR, EngineInputs, SchemeRules


@dataclass
class QuarterSums:
    """One metric's sums, aligned with the trust-quarter rows (0 where nothing was returned)."""

    num: np.ndarray  # sum of numerators
    den: np.ndarray  # sum of denominators
    mask: np.ndarray  # bit k set when month k (0..2) of the quarter has a return
    tsum: np.ndarray  # sum of the monthly trajectories, in hundredths of a percent
    tn: np.ndarray  # number of months with a trajectory
    cnum: np.ndarray  # the same quarter of the comparison year (prior-year rule only)
    cden: np.ndarray
    cmask: np.ndarray


def month_index(months, start):
    """Months since ``start`` (0-based) for a column of dates."""
    return months_between(start, pd.to_datetime(pd.Series(months)).dt).astype(np.int64).to_numpy()


def quarter_sums(rules: SchemeRules, inputs: EngineInputs, keys: pd.Index) -> dict[str, QuarterSums]:
    """Per metric, the quarter sums of every trust-quarter in ``keys`` (trust_id, quarter)."""
    metrics = rules.metrics
    parts = [
        _performance_sums(inputs.performance, rules.start, metrics, ""),
        _trajectory_sums(inputs.trajectories, rules.start, metrics),
    ]
    if rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR and rules.comparison_start:
        parts.append(_performance_sums(inputs.performance, rules.comparison_start, metrics, "c"))
    sums = pd.DataFrame(index=keys)
    for part in parts:
        if len(part.columns):
            sums = sums.join(part.reindex(keys))
    return {
        metric: QuarterSums(**{f.name: _int_column(sums, f"{f.name}_{metric}") for f in fields(QuarterSums)})
        for metric in metrics
    }


def _in_year(frame, start, metrics):
    """The rows of ``metrics`` in the twelve months from ``start``, with their month of the year
    (``idx``, 0-based) and quarter."""
    frame = frame[frame["metric"].isin(metrics)].copy()
    frame["idx"] = month_index(frame["month"], start)
    frame = frame[(frame["idx"] >= 0) & (frame["idx"] < 12)]
    frame["quarter"] = frame["idx"] // 3 + 1
    return frame


def _performance_sums(performance, start, metrics, prefix):
    """Per (trust_id, quarter): numerator, denominator and a bitmask of months present, per metric."""
    columns = {}
    if len(performance):
        frame = _in_year(performance, start, metrics)
        frame["bit"] = np.left_shift(1, frame["idx"] % 3)
        frame["numerator"] = frame["numerator"].astype(np.int64)
        frame["denominator"] = frame["denominator"].astype(np.int64)
        grouped = frame.groupby(["trust_id", "quarter", "metric"]).agg(
            num=("numerator", "sum"), den=("denominator", "sum"), mask=("bit", "sum")
        )
        wide = grouped.unstack("metric")
        for metric in metrics:
            for part in ("num", "den", "mask"):
                if (part, metric) in wide.columns:
                    columns[f"{prefix}{part}_{metric}"] = wide[(part, metric)]
    return pd.DataFrame(columns)


def _trajectory_sums(trajectories, start, metrics):
    """Per (trust_id, quarter): sum of monthly trajectories in hundredths of a percent, and count."""
    columns = {}
    if len(trajectories):
        frame = _in_year(trajectories, start, metrics)
        frame["hundredths"] = np.array(
            [int(Decimal(str(p)).scaleb(2).to_integral_value(rounding=ROUND_HALF_UP)) for p in frame["percent"]],
            dtype=np.int64,
        )
        grouped = frame.groupby(["trust_id", "quarter", "metric"]).agg(
            tsum=("hundredths", "sum"), tn=("hundredths", "count")
        )
        wide = grouped.unstack("metric")
        for metric in metrics:
            for part in ("tsum", "tn"):
                if (part, metric) in wide.columns:
                    columns[f"{part}_{metric}"] = wide[(part, metric)]
    return pd.DataFrame(columns)


def _int_column(frame, name):
    if name not in frame:
        return np.zeros(len(frame), dtype=np.int64)
    return frame[name].fillna(0).astype(np.int64).to_numpy()
