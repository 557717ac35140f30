"""compute_entitlements: RULES.md step by step, then one :class:`QuarterResult` per trust-quarter.

The steps run on whole columns (:mod:`.quarters`), the approved adjustments on review after the
rules (:mod:`.adjustments`); only the last one, writing each result and its reasons
(:mod:`.reasons`), goes row by row.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from common.money import pennies_decimal, pennies_text

from . import adjustments as review
from .inputs import THRESHOLD_OR_PRIOR_YEAR, EngineInputs, SchemeRules, in_scheme
from .quarters import (
    MetricColumns, QuarterColumns, finance_element, finance_test, fingerprints, judge_metric, metric_elements,
    money_outcome, quarter_allocations, trust_quarters,
)
from .reasons import (
    MetricFigures, adjustment_idle_reason, adjustment_idle_why, adjustment_reason, finance_reason, metric_reason,
    not_applicable_why, not_judged_why, percent_text,
)
from .results import QuarterResult
from .sums import quarter_sums


def compute_entitlements(rules: SchemeRules, inputs: EngineInputs) -> list[QuarterResult]:
    """One result per trust in the scheme and quarter, for every trust in ``inputs``.

    A trust with a £0.00 allocation is not in the scheme (RULES.md, "Trusts with nothing at
    stake"): it gets no result at all, so it has no status and is counted nowhere."""
    allocations = in_scheme(inputs.allocations)
    if not len(allocations):
        return []
    rows = trust_quarters(allocations)
    allocation = quarter_allocations(rules, rows)
    applicable, elements = metric_elements(rules, rows, allocation)
    finance = finance_test(rules, rows, inputs.finance)
    sums = quarter_sums(rules, inputs, rows.set_index(["trust_id", "quarter"]).index)
    quarter = rows["quarter"].to_numpy()
    metrics = {
        metric: judge_metric(rules, metric, sums[metric], quarter, applicable[metric], elements[metric])
        for metric in rules.metrics
    }
    adjusted = review.align(rows, inputs.adjustments)
    finance = review.apply_to_finance(finance, adjusted)
    metrics = {metric: review.apply_to_metric(metric, m, adjusted) for metric, m in metrics.items()}
    remainder = finance_element(allocation, elements)
    accepted = rows["control_total_accepted"].astype(bool).to_numpy()
    money = money_outcome(accepted, allocation, remainder, finance, metrics)
    columns = QuarterColumns(rows=rows, allocation=allocation, finance_element=remainder, finance=finance,
                             metrics=metrics, money=money)
    prints = fingerprints(rules, columns, adjusted.fingerprint_parts())
    return _Writer(rules, columns, prints, adjusted.listed).results()


class _Writer:
    """Writes the columns as result objects with their reasons, row by row (the only per-row step)."""

    def __init__(self, rules: SchemeRules, columns: QuarterColumns, prints: list[str], adjustments: list[list[dict]]):
        self.rules, self.metrics, self.finance, self.prints = rules, columns.metrics, columns.finance, prints
        self.adjustments = adjustments
        rows, money = columns.rows, columns.money
        self.status = money.status
        self.trust_ids, self.org_codes = rows["trust_id"].to_numpy(), rows["org_code"].to_numpy()
        self.quarters = rows["quarter"].to_numpy()
        self.allocations, self.finance_elements = columns.allocation.to_numpy(), columns.finance_element.to_numpy()
        self.earned, self.withheld, self.pending = (s.to_numpy() for s in (money.earned, money.withheld, money.pending))
        self.elements = {metric: m.element.to_numpy() for metric, m in columns.metrics.items()}
        self.standard_values = {metric: Fraction(Decimal(str(rules.standards[metric]))) for metric in columns.metrics}
        self.standards = {metric: percent_text(value) for metric, value in self.standard_values.items()}
        self.prior_year_rule = rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR

    def results(self) -> list[QuarterResult]:
        return [self.result(i) for i in range(len(self.prints))]

    def result(self, i: int) -> QuarterResult:
        rules, finance = self.rules, self.finance
        quarter, status, has_finance = int(self.quarters[i]), str(self.status[i]), finance.present[i]
        returned = finance.arrived[i]
        alloc, plan, actual = int(self.allocations[i]), finance.plan[i], finance.actual[i]
        adjustments = {a["element"]: a for a in self.adjustments[i]}
        # Only a finance test that was applied can fail: with no control total, or no return for
        # the quarter's last month, the test was not applied and ``met`` is None.
        finance_met = bool(finance.met[i]) if has_finance and status != "no_control_total" else None
        month = rules.month(quarter * 3 - 1)
        adjusted = adjustments.get(review.FINANCE)
        if adjusted is not None and status != "no_control_total":
            first = adjustment_reason(review.figures(adjusted), element=int(self.finance_elements[i]), allocation=alloc)
        else:
            first = finance_reason(status, has_finance=has_finance, scheme=rules.code, month=month,
                                   allocation=alloc, plan=plan, actual=actual, element=self.finance_elements[i])
        reasons = [first]
        explain = status not in ("no_control_total", "finance_failed") and has_finance
        idle = adjustment_idle_why(status, scheme=rules.code, month=month, allocation=alloc)
        if adjusted is not None and status == "no_control_total":
            reasons.append(adjustment_idle_reason(review.figures(adjusted), why=idle))
        performance = {}
        metric_rows = [self.metric_row(i, metric, m, quarter=quarter, explain=explain, reasons=reasons,
                                       performance=performance, adjusted=adjustments.get(metric), idle=idle)
                       for metric, m in self.metrics.items()]
        for element, adjustment in adjustments.items():
            if element != review.FINANCE and element not in self.metrics:
                reasons.append(adjustment_idle_reason(review.figures(adjustment),
                                                      why=not_judged_why(rules.code, element)))
        return QuarterResult(
            trust_id=int(self.trust_ids[i]), org_code=str(self.org_codes[i]), quarter=quarter, status=status,
            allocation=pennies_decimal(alloc), earned=pennies_decimal(self.earned[i]),
            withheld=pennies_decimal(self.withheld[i]), pending=pennies_decimal(self.pending[i]),
            finance_met=finance_met, finance={
                "met": finance_met,
                "element": pennies_text(self.finance_elements[i]),
                "ytd_plan": pennies_text(plan) if returned else None,
                "ytd_actual": pennies_text(actual) if returned else None,
            },
            metrics=metric_rows, reasons=reasons, fingerprint=self.prints[i], performance=performance,
            missing=self.missing(i, quarter, status, has_finance) if self.pending[i] else {},
            adjustments=list(self.adjustments[i]),
        )

    def missing(self, i: int, quarter: int, status: str, has_finance: bool) -> dict:
        """The returns a pending quarter waits for: {"finance" or metric: ["YYYY-MM", ...]}."""
        waits = {}
        if not has_finance and status != "no_control_total":
            waits["finance"] = [f"{self.rules.month(quarter * 3 - 1):%Y-%m}"]
        for metric, m in self.metrics.items():
            if m.applicable[i]:
                months = [f"{self.rules.month((quarter - 1) * 3 + k):%Y-%m}" for k in range(3)
                          if not (int(m.sums.mask[i]) >> k) & 1]
                if months:
                    waits[metric] = months
        return waits

    def metric_row(self, i: int, metric: str, m: MetricColumns, *, quarter: int, explain: bool, reasons: list,
                   performance: dict, adjusted: dict | None = None, idle: str = "") -> dict:
        """The metric as the record shows it; its reason (when it decides money) is added to
        ``reasons`` and its unrounded figure to ``performance``."""
        applicable, element = bool(m.applicable[i]), int(self.elements[metric][i])
        num, den = int(m.sums.num[i]), int(m.sums.den[i])
        shown = Fraction(100 * num, den) if den and m.complete[i] else None
        if shown is not None:
            performance[metric] = (num, den)
        trajectory = Fraction(int(m.sums.tsum[i]), 100 * int(m.sums.tn[i])) if m.has_trajectory[i] else None
        if adjusted is not None:
            if not applicable:
                reasons.append(adjustment_idle_reason(review.figures(adjusted),
                                                      why=not_applicable_why(metric)))
            elif explain:
                reasons.append(adjustment_reason(review.figures(adjusted), element=element,
                                                 allocation=int(self.allocations[i])))
            else:
                reasons.append(adjustment_idle_reason(review.figures(adjusted), why=idle))
        elif applicable and explain:
            figures = _figures(self.rules, m, i, metric=metric, quarter=quarter, element=element, performance=shown,
                               trajectory=trajectory, standard=self.standards[metric],
                               standard_value=self.standard_values[metric])
            reasons.append(metric_reason(figures, prior_year_rule=self.prior_year_rule, quarter=quarter,
                                         comparison=self.rules.comparison_code))
        return {
            "metric": metric,
            "applicable": applicable,
            "element": pennies_text(element),
            "met": None if (m.pending[i] or not applicable) else bool(m.met[i]),
            "performance": percent_text(shown) if applicable else None,
            "trajectory": percent_text(trajectory) if applicable else None,
            "standard": self.standards[metric],
        }


def _figures(rules: SchemeRules, m: MetricColumns, i: int, *, metric: str, quarter: int, element: int,
             performance: Fraction | None, trajectory: Fraction | None, standard: str,
             standard_value: Fraction) -> MetricFigures:
    """Row ``i`` of a judged metric, with the figures its reason names."""
    pending = bool(m.pending[i])
    complete_prior = rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR and m.comparison_complete[i]
    cnum, cden = int(m.sums.cnum[i]), int(m.sums.cden[i])
    return MetricFigures(
        metric=metric, element=element, performance=performance, trajectory=trajectory, standard=standard,
        on_agreement=bool(m.on_agreement[i]), pending=pending,
        missing=[rules.month((quarter - 1) * 3 + k) for k in range(3) if not (int(m.sums.mask[i]) >> k) & 1]
        if pending else [],
        at_standard=bool(m.at_standard[i]), at_trajectory=bool(m.at_trajectory[i]),
        beats_prior=bool(m.beats_prior[i]),
        prior=Fraction(100 * cnum, cden) if complete_prior else None,
        counts=(int(m.sums.num[i]), int(m.sums.den[i])), prior_counts=(cnum, cden) if complete_prior else None,
        standard_value=standard_value,
    )
