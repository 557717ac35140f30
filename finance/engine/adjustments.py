"""Approved adjustments on review, applied after the rules (RULES.md, "Adjustments on review").

An analyst's adjustment, once a second analyst has approved it, pays (met) or withholds (missed)
one element of one trust-quarter. It is applied on whole columns to the judgements the rules have
made, before the money is worked out (:func:`.quarters.money_outcome`), so money still reconciles
and the status follows from the adjusted judgements:

* a metric element paid or withheld overrides its judgement: ``met`` true or false, pending no
  more. The finance all-or-nothing rule still holds: while finance is not met (or not yet judged)
  the metric decides nothing, as any other metric;
* the finance element paid makes finance met, even with the return not arrived: the metrics then
  decide their elements as usual; withheld, it withholds the whole quarter (``finance_failed``);
* no adjustment lifts rule 1: with the control total not accepted the whole quarter is withheld
  and every adjustment of it decides nothing (our choice: the control total is the trust's
  agreement, not an element a review judges);
* an adjustment of a metric that does not apply to the trust, or that the scheme no longer weighs,
  decides nothing.

At most one approved adjustment per trust, scheme, quarter and element (a database constraint).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .inputs import ADJUSTMENT_COLUMNS
from .quarters import FinanceColumns, MetricColumns
from .reasons import AdjustmentFigures

FINANCE = "finance"


@dataclass
class AdjustmentColumns:
    """The approved adjustments aligned with the trust-quarter rows."""

    decided: dict[str, np.ndarray]  # element -> the row has an approved adjustment of it
    paid: dict[str, np.ndarray]  # element -> and it pays the element
    listed: list[list[dict]]  # per row: its adjustments as the eligibility record lists them

    def of(self, element: str) -> tuple[np.ndarray, np.ndarray]:
        size = len(self.listed)
        return (self.decided.get(element, np.zeros(size, dtype=bool)),
                self.paid.get(element, np.zeros(size, dtype=bool)))

    def fingerprint_parts(self) -> list[str]:
        """Each row's adjustments as text for its fingerprint ("" for none)."""
        return [";".join(f"{a['id']},{a['element']},{a['decision']},{a['approved_by']},{a['approved_at']}"
                         for a in sorted(rows, key=lambda a: a["id"])) for rows in self.listed]


def record(row) -> dict:
    """One adjustment as the eligibility record lists it."""
    return {"id": int(row["adjustment_id"]), "element": str(row["element"]), "decision": str(row["decision"]),
            "reason": str(row["reason"]), "approved_by": str(row["approved_by"]),
            "approved_at": None if pd.isna(row["approved_at"]) else str(row["approved_at"])}


def figures(adjustment: dict) -> AdjustmentFigures:
    return AdjustmentFigures(element=adjustment["element"], decision=adjustment["decision"],
                             adjustment_id=adjustment["id"], approved_by=adjustment["approved_by"])


def align(rows: pd.DataFrame, adjustments: pd.DataFrame | None) -> AdjustmentColumns:
    """The adjustments of each trust-quarter row (``rows``: trust_id, quarter)."""
    size = len(rows)
    if adjustments is None or not len(adjustments):
        return AdjustmentColumns(decided={}, paid={}, listed=[[] for _ in range(size)])
    frame = adjustments[ADJUSTMENT_COLUMNS].copy()
    frame["trust_id"] = frame["trust_id"].astype(np.int64)
    frame["quarter"] = frame["quarter"].astype(np.int64)
    keys = pd.MultiIndex.from_arrays([rows["trust_id"].astype(np.int64).to_numpy(),
                                      rows["quarter"].astype(np.int64).to_numpy()])
    decided, paid = {}, {}
    for element, part in frame.groupby("element", sort=True):
        part = part.drop_duplicates(["trust_id", "quarter"], keep="last").set_index(["trust_id", "quarter"])
        decision = part["decision"].reindex(keys)
        decided[element] = decision.notna().to_numpy()
        paid[element] = (decision == "pay").to_numpy()
    by_row = {}
    for _, row in frame.sort_values("adjustment_id").iterrows():
        by_row.setdefault((int(row["trust_id"]), int(row["quarter"])), []).append(record(row))
    listed = [by_row.get(key, []) for key in zip(keys.get_level_values(0), keys.get_level_values(1))]
    return AdjustmentColumns(decided=decided, paid=paid, listed=listed)


def apply_to_finance(finance: FinanceColumns, adjusted: AdjustmentColumns) -> FinanceColumns:
    """Finance paid is met, withheld is missed, whether or not the return has arrived."""
    decided, paid = adjusted.of(FINANCE)
    if not decided.any():
        return finance
    return FinanceColumns(present=finance.present | decided, plan=finance.plan, actual=finance.actual,
                          met=np.where(decided, paid, finance.met), returned=finance.arrived)


def apply_to_metric(metric: str, columns: MetricColumns, adjusted: AdjustmentColumns) -> MetricColumns:
    """A metric paid is met, withheld is missed; either way it is pending no more."""
    decided, paid = adjusted.of(metric)
    if not decided.any():
        return columns
    return replace(columns, met=np.where(decided, paid, columns.met), pending=columns.pending & ~decided)
