"""The STF entitlement engine: pure functions, no database.

Plain data in (a :class:`SchemeRules` and :class:`EngineInputs` of DataFrames for any set of
trusts, the whole country at once), one :class:`QuarterResult` per trust and quarter out, with
reasons that name the figures. The rules are those of RULES.md; every figure that is a choice
comes from the scheme, never from a constant here.

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
* Rounding never makes money out of nothing: in the corner cases where half-up rounding of the
  first three quarters (or of the metric elements) would exceed the year (or the quarter), which
  needs a last phase or a finance weight of almost nil, the excess pennies are taken back from the
  latest quarters (or the last metrics), so no figure is ever negative.
* When finance fails, or there is no control total, the whole quarter is withheld; metrics are
  still shown with their figures, but they decide nothing (``met`` stays as judged, or ``null``
  when data is missing).
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from common.money import pennies_decimal, pennies_text, pennies_words, to_pennies
from common.months import add_months, month_name

ENGINE_VERSION = "1"
CENT = Decimal("0.01")
METRIC_LABELS = {"ae": "A&E", "rtt": "RTT", "cancer62": "Cancer 62-day"}
TRAJECTORY_OR_STANDARD = "trajectory_or_standard"
THRESHOLD_OR_PRIOR_YEAR = "threshold_or_prior_year"
INT64_SAFE = 2**62


# --- Plain data in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeRules:
    """A scheme's rule data as plain values (built from the Scheme row by a selector)."""

    code: str
    start: datetime.date
    pot: Decimal
    weights: dict  # metric -> Decimal percent; finance takes the remainder of 100
    standards: dict  # metric -> Decimal percent (the threshold for the prior-year rule)
    phasing: tuple  # four Decimal percents
    applicability: dict  # trust type -> tuple of metrics
    rule_variant: str = TRAJECTORY_OR_STANDARD
    q1_paid_on_trajectory: bool = False
    has_year_end: bool = False
    comparison_code: str | None = None
    comparison_start: datetime.date | None = None
    scheme_id: int | None = None

    @property
    def metrics(self):
        return list(self.weights)

    def digest(self):
        """A stable hash of the rule data (part of every fingerprint)."""
        parts = [
            ENGINE_VERSION, self.code, self.start.isoformat(), self.rule_variant,
            str(self.q1_paid_on_trajectory), str(self.comparison_start),
            repr(sorted((m, str(w)) for m, w in self.weights.items())),
            repr(sorted((m, str(s)) for m, s in self.standards.items())),
            repr([str(p) for p in self.phasing]),
            repr(sorted((t, tuple(ms)) for t, ms in self.applicability.items())),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def month(self, index):
        """The first day of month ``index`` (0 = the first month of the scheme's year)."""
        return add_months(self.start, index)


@dataclass
class EngineInputs:
    """Everything the engine reads, as DataFrames (any number of trusts).

    allocations: trust_id, org_code, trust_type, stf_allocation, control_total,
        control_total_accepted (money as Decimal)
    finance: trust_id, month (date, first of month), plan_ytd, actual_ytd (Decimal)
    performance: trust_id, month, metric, numerator, denominator (ints); the comparison
        scheme's months may be included for the prior-year rule
    trajectories: trust_id, month, metric, percent (Decimal, at most 2 dp)
    """

    allocations: pd.DataFrame
    finance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FINANCE_COLUMNS))
    performance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PERFORMANCE_COLUMNS))
    trajectories: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TRAJECTORY_COLUMNS))


ALLOCATION_COLUMNS = ["trust_id", "org_code", "trust_type", "stf_allocation", "control_total", "control_total_accepted"]
FINANCE_COLUMNS = ["trust_id", "month", "plan_ytd", "actual_ytd"]
PERFORMANCE_COLUMNS = ["trust_id", "month", "metric", "numerator", "denominator"]
TRAJECTORY_COLUMNS = ["trust_id", "month", "metric", "percent"]


def combine_predecessors(performance: pd.DataFrame, lineage: dict) -> pd.DataFrame:
    """A successor trust's performance with its predecessors' folded in (RULES.md, mergers).

    ``lineage`` maps a successor's trust_id to ``[(predecessor_id, until), ...]``: each
    predecessor's rows for months before ``until`` are added, month by month and metric by metric,
    to the successor's own (sum of numerators, sum of denominators). The predecessors keep their
    own rows for their own quarters. Applies to the quarter judged and to the comparison year alike.
    """
    if not lineage or not len(performance):
        return performance
    parts = [performance]
    for successor, links in lineage.items():
        for predecessor, until in links:
            rows = performance[(performance["trust_id"] == predecessor) & (performance["month"] < until)]
            if len(rows):
                parts.append(rows.assign(trust_id=successor))
    if len(parts) == 1:
        return performance
    combined = pd.concat(parts, ignore_index=True)
    summed = combined.groupby(["trust_id", "month", "metric"], as_index=False, sort=True)[
        ["numerator", "denominator"]].sum()
    return summed[PERFORMANCE_COLUMNS]


# --- Results out -----------------------------------------------------------------------------


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


@dataclass
class YearEnd:
    decided: bool
    lines: list
    pool: Decimal
    message: str


# --- Small helpers ---------------------------------------------------------------------------


def percent_text(value):
    """A percentage (Fraction or Decimal) rounded half-up to 2 dp, as text: "91.20"."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _fraction(value):
    return Fraction(Decimal(str(value)))


def _mul_round(pennies, share):
    """``pennies × share`` rounded half-up to the penny, on a whole column (non-negative money)."""
    a, b = share.numerator, share.denominator
    values = pennies.to_numpy()
    big = len(values) and int(np.abs(values).max()) * max(a, 1) * 2 >= INT64_SAFE
    if big:
        return pd.Series([(2 * int(p) * a + b) // (2 * b) for p in values], index=pennies.index, dtype=object)
    return pd.Series((2 * values.astype(np.int64) * a + b) // (2 * b), index=pennies.index)


def _month_index(months, start):
    """Months since ``start`` (0-based) for a column of dates."""
    stamps = pd.to_datetime(pd.Series(months))
    return ((stamps.dt.year - start.year) * 12 + stamps.dt.month - start.month).astype(np.int64).to_numpy()


def _quarter_aggregates(performance, start, metrics, prefix):
    """Per (trust_id, quarter): numerator, denominator and a bitmask of months present, per metric."""
    columns = {}
    if len(performance):
        frame = performance[performance["metric"].isin(metrics)].copy()
        frame["idx"] = _month_index(frame["month"], start)
        frame = frame[(frame["idx"] >= 0) & (frame["idx"] < 12)]
        frame["quarter"] = frame["idx"] // 3 + 1
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
    frame = pd.DataFrame(columns)
    return frame


def _trajectory_aggregates(trajectories, start, metrics):
    """Per (trust_id, quarter): sum of monthly trajectories in hundredths of a percent, and count."""
    columns = {}
    if len(trajectories):
        frame = trajectories[trajectories["metric"].isin(metrics)].copy()
        frame["idx"] = _month_index(frame["month"], start)
        frame = frame[(frame["idx"] >= 0) & (frame["idx"] < 12)]
        frame["quarter"] = frame["idx"] // 3 + 1
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


# --- The engine ------------------------------------------------------------------------------


def compute_entitlements(rules: SchemeRules, inputs: EngineInputs) -> list[QuarterResult]:
    """One result per allocated trust and quarter of the scheme, for every trust in ``inputs``."""
    allocations = inputs.allocations
    if not len(allocations):
        return []
    metrics = rules.metrics
    base = allocations[ALLOCATION_COLUMNS].drop_duplicates("trust_id").reset_index(drop=True)
    base["annual_p"] = np.array([to_pennies(v) for v in base["stf_allocation"]], dtype=object)
    base["ct_p"] = [to_pennies(v) for v in base["control_total"]]
    frame = base.loc[base.index.repeat(4)].reset_index(drop=True)
    frame["quarter"] = np.tile(np.arange(1, 5), len(base))

    # Quarter allocations: annual × phase rounded; the last quarter takes the remainder.
    annual = frame["annual_p"].astype(object)
    if all(abs(int(v)) < INT64_SAFE // 10**6 for v in base["annual_p"]):
        annual = annual.astype(np.int64)
    quarters = frame["quarter"].to_numpy()
    shares = [_mul_round(annual, _fraction(phase) / 100) for phase in rules.phasing[:3]]
    # Only when the last quarter's share is (nearly) nil can rounding overshoot the year by a penny
    # or two; the overshoot is then taken back from the latest quarters.
    shortfall = (shares[0] + shares[1] + shares[2] - annual).clip(lower=0)
    for k in (2, 1, 0):
        take = np.minimum(shortfall, shares[k])
        shares[k] = shares[k] - take
        shortfall = shortfall - take
    q_alloc = annual - shares[0] - shares[1] - shares[2]
    for quarter, share in enumerate(shares, start=1):
        q_alloc = q_alloc.where(quarters != quarter, share)
    frame["alloc"] = q_alloc

    # Elements: each applicable metric = quarter × weight rounded; finance = the remainder.
    applicable_types = {m: {t for t, ms in rules.applicability.items() if m in ms} for m in metrics}
    element_total = 0
    for metric in metrics:
        frame[f"app_{metric}"] = frame["trust_type"].isin(applicable_types[metric]).to_numpy()
        element = _mul_round(frame["alloc"], _fraction(rules.weights[metric]) / 100)
        frame[f"el_{metric}"] = element.where(frame[f"app_{metric}"], 0)
        element_total = element_total + frame[f"el_{metric}"]
    # Only when the performance weights add up to (nearly) 100% can the rounded elements exceed the
    # quarter by a penny or two; the shortfall is then taken back from the last metrics.
    shortfall = (element_total - frame["alloc"]).clip(lower=0)
    for metric in reversed(metrics):
        take = np.minimum(shortfall, frame[f"el_{metric}"])
        frame[f"el_{metric}"] = frame[f"el_{metric}"] - take
        shortfall = shortfall - take
    frame["el_finance"] = frame["alloc"] - sum(frame[f"el_{metric}"] for metric in metrics)

    # Finance test at the quarter's last month.
    finance = inputs.finance
    if len(finance):
        fin = finance[FINANCE_COLUMNS].copy()
        fin["idx"] = _month_index(fin["month"], rules.start)
        fin = fin[(fin["idx"] >= 0) & (fin["idx"] < 12) & (fin["idx"] % 3 == 2)]
        fin = pd.DataFrame({
            "trust_id": fin["trust_id"].to_numpy(),
            "quarter": (fin["idx"] // 3 + 1).to_numpy(),
            "plan_p": [to_pennies(v) for v in fin["plan_ytd"]],
            "actual_p": [to_pennies(v) for v in fin["actual_ytd"]],
        }).drop_duplicates(["trust_id", "quarter"], keep="last")
        frame = frame.merge(fin, on=["trust_id", "quarter"], how="left")
    else:
        frame["plan_p"] = np.nan
        frame["actual_p"] = np.nan
    has_finance = frame["plan_p"].notna().to_numpy() & frame["actual_p"].notna().to_numpy()
    plan = frame["plan_p"].fillna(0).astype(object).to_numpy()
    actual = frame["actual_p"].fillna(0).astype(object).to_numpy()
    finance_met = has_finance & (actual >= plan)

    # Metric aggregates for the quarter, trajectories and (for the prior-year rule) comparison.
    keys = frame.set_index(["trust_id", "quarter"]).index
    parts = [
        _quarter_aggregates(inputs.performance, rules.start, metrics, ""),
        _trajectory_aggregates(inputs.trajectories, rules.start, metrics),
    ]
    if rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR and rules.comparison_start:
        parts.append(_quarter_aggregates(inputs.performance, rules.comparison_start, metrics, "c"))
    aggregates = pd.DataFrame(index=keys)
    for part in parts:
        if len(part.columns):
            aggregates = aggregates.join(part.reindex(keys))

    quarter = frame["quarter"].to_numpy()
    q1_rule = rules.q1_paid_on_trajectory and rules.rule_variant == TRAJECTORY_OR_STANDARD
    judged = {}
    for metric in metrics:
        num = _int_column(aggregates, f"num_{metric}")
        den = _int_column(aggregates, f"den_{metric}")
        mask = _int_column(aggregates, f"mask_{metric}")
        tsum = _int_column(aggregates, f"tsum_{metric}")
        tn = _int_column(aggregates, f"tn_{metric}")
        complete = (mask == 7) & (den > 0)
        standard = _fraction(rules.standards[metric])
        at_standard = 100 * num * standard.denominator >= standard.numerator * den
        has_trajectory = tn > 0
        at_trajectory = has_trajectory & (10000 * tn * num >= tsum * den)
        cnum = _int_column(aggregates, f"cnum_{metric}")
        cden = _int_column(aggregates, f"cden_{metric}")
        cmask = _int_column(aggregates, f"cmask_{metric}")
        comparison_complete = (cmask == 7) & (cden > 0)
        beats_prior = comparison_complete & (num * cden > cnum * den)
        on_agreement = np.zeros(len(frame), dtype=bool)
        if rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR:
            met = at_standard | beats_prior
            has_trajectory = np.zeros(len(frame), dtype=bool)
        else:
            met = at_standard | at_trajectory
            if q1_rule:
                on_agreement = (quarter == 1) & has_trajectory
                met = met | on_agreement
        pending = ~complete & ~on_agreement
        judged[metric] = {
            "num": num, "den": den, "mask": mask, "tsum": tsum, "tn": tn, "complete": complete,
            "met": met & ~pending, "pending": pending, "at_standard": at_standard,
            "at_trajectory": at_trajectory, "has_trajectory": has_trajectory, "on_agreement": on_agreement,
            "beats_prior": beats_prior, "cnum": cnum, "cden": cden, "comparison_complete": comparison_complete,
            "applicable": frame[f"app_{metric}"].to_numpy(), "element": frame[f"el_{metric}"],
        }

    # Money outcome, on whole columns.
    accepted = frame["control_total_accepted"].astype(bool).to_numpy()
    alloc = frame["alloc"]
    zero = alloc * 0
    earned, withheld, pending_money = zero.copy(), zero.copy(), zero.copy()
    open_ = accepted & finance_met
    for metric in metrics:
        j = judged[metric]
        applicable = j["applicable"]
        element = j["element"]
        earned = earned + element.where(open_ & applicable & j["met"], 0)
        withheld = withheld + element.where(open_ & applicable & ~j["met"] & ~j["pending"], 0)
        pending_money = pending_money + element.where(open_ & applicable & j["pending"], 0)
    earned = earned + frame["el_finance"].where(open_, 0)
    closed = ~accepted | (has_finance & ~finance_met)
    withheld = withheld.where(~closed, alloc)
    finance_pending = accepted & ~has_finance
    pending_money = pending_money.where(~finance_pending, alloc)
    status = np.select(
        [~accepted, finance_pending, has_finance & ~finance_met, withheld.to_numpy() > 0, pending_money.to_numpy() > 0],
        ["no_control_total", "pending", "finance_failed", "partial", "pending"],
        default="full",
    )

    # Fingerprints of the inputs of each trust-quarter.
    digest = rules.digest()
    parts = [frame["trust_type"].astype(str), frame["annual_p"].astype(str), frame["quarter"].astype(str),
             pd.Series(accepted).astype(str), pd.Series(has_finance).astype(str),
             pd.Series(plan).astype(str), pd.Series(actual).astype(str)]
    for metric in metrics:
        j = judged[metric]
        for key in ("num", "den", "mask", "tsum", "tn", "cnum", "cden"):
            parts.append(pd.Series(j[key]).astype(str))
    joined = parts[0].str.cat(parts[1:], sep="|")
    fingerprints = [hashlib.sha256(f"{digest}|{text}".encode()).hexdigest() for text in joined]

    return _results(rules, frame, judged, status, earned, withheld, pending_money,
                    has_finance, finance_met, plan, actual, fingerprints)


def _results(rules, frame, judged, status, earned, withheld, pending_money,
             has_finance, finance_met, plan, actual, fingerprints):
    """Turn the columns into result objects with reasons (the only per-row step)."""
    metrics = rules.metrics
    trust_ids = frame["trust_id"].to_numpy()
    org_codes = frame["org_code"].to_numpy()
    quarters = frame["quarter"].to_numpy()
    allocs = frame["alloc"].to_numpy()
    el_finance = frame["el_finance"].to_numpy()
    earned, withheld, pending_money = earned.to_numpy(), withheld.to_numpy(), pending_money.to_numpy()
    standards_text = {m: percent_text(Decimal(str(rules.standards[m]))) for m in metrics}
    columns = {m: {k: (v.to_numpy() if isinstance(v, pd.Series) else v) for k, v in judged[m].items()} for m in metrics}
    results = []
    for i in range(len(frame)):
        quarter = int(quarters[i])
        last_month = rules.month(quarter * 3 - 1)
        alloc = int(allocs[i])
        st = str(status[i])
        reasons = []
        fin_met = bool(finance_met[i]) if has_finance[i] else None
        if st == "no_control_total":
            fin_met = False
            reasons.append(
                f"The control total for {rules.code} has not been accepted: the quarter's "
                f"{pennies_words(alloc)} is withheld"
            )
        elif st == "pending" and not has_finance[i]:
            reasons.append(
                f"The finance return for {month_name(last_month)} has not arrived: the quarter's "
                f"{pennies_words(alloc)} is pending"
            )
        elif st == "finance_failed":
            reasons.append(
                f"Finance: YTD actual {pennies_words(actual[i])} is behind the YTD plan {pennies_words(plan[i])} "
                f"at {month_name(last_month)}: the quarter's {pennies_words(alloc)} is withheld"
            )
        else:
            reasons.append(
                f"Finance: YTD actual {pennies_words(actual[i])} is on or ahead of the YTD plan "
                f"{pennies_words(plan[i])} at {month_name(last_month)}: {pennies_words(el_finance[i])} earned"
            )
        finance = {
            "met": fin_met,
            "element": pennies_text(el_finance[i]),
            "ytd_plan": pennies_text(plan[i]) if has_finance[i] else None,
            "ytd_actual": pennies_text(actual[i]) if has_finance[i] else None,
        }
        metric_rows, raw = [], {}
        open_ = st not in ("no_control_total", "finance_failed") and has_finance[i]
        for metric in metrics:
            c = columns[metric]
            applicable = bool(c["applicable"][i])
            element = int(c["element"][i])
            num, den = int(c["num"][i]), int(c["den"][i])
            performance = Fraction(100 * num, den) if den and c["complete"][i] else None
            if performance is not None:
                raw[metric] = (num, den)
            trajectory = Fraction(int(c["tsum"][i]), 100 * int(c["tn"][i])) if c["has_trajectory"][i] else None
            pending = bool(c["pending"][i])
            met = None if (pending or not applicable) else bool(c["met"][i])
            metric_rows.append({
                "metric": metric,
                "applicable": applicable,
                "element": pennies_text(element),
                "met": met,
                "performance": percent_text(performance) if applicable else None,
                "trajectory": percent_text(trajectory) if applicable else None,
                "standard": standards_text[metric],
            })
            if applicable and open_:
                reasons.append(_metric_reason(rules, metric, c, i, element, performance, trajectory,
                                              standards_text[metric], quarter))
        results.append(QuarterResult(
            trust_id=int(trust_ids[i]), org_code=str(org_codes[i]), quarter=quarter, status=st,
            allocation=pennies_decimal(alloc), earned=pennies_decimal(earned[i]),
            withheld=pennies_decimal(withheld[i]), pending=pennies_decimal(pending_money[i]),
            finance_met=fin_met, finance=finance, metrics=metric_rows, reasons=reasons,
            fingerprint=fingerprints[i], performance=raw,
        ))
    return results


def _metric_reason(rules, metric, c, i, element, performance, trajectory, standard, quarter):
    label = METRIC_LABELS.get(metric, metric)
    money = pennies_words(element)
    if c["on_agreement"][i]:
        return f"{label}: Q1 is paid on the agreed trajectory ({percent_text(trajectory)}%): {money} earned"
    if c["pending"][i]:
        missing = [month_name(rules.month((quarter - 1) * 3 + k)) for k in range(3) if not (int(c["mask"][i]) >> k) & 1]
        if missing:
            return f"{label}: data for {', '.join(missing)} has not arrived: {money} pending"
        return f"{label}: the quarter has no cases to judge: {money} pending"
    shown = percent_text(performance)
    if rules.rule_variant == THRESHOLD_OR_PRIOR_YEAR:
        prior_quarter = f"Q{quarter} {rules.comparison_code}"
        if c["comparison_complete"][i]:
            prior = percent_text(Fraction(100 * int(c["cnum"][i]), int(c["cden"][i])))
            prior_text = f"{prior}% in {prior_quarter}"
        else:
            prior = None
            prior_text = f"no complete figure for {prior_quarter}"
        if c["at_standard"][i]:
            return f"{label} {shown}% meets the threshold {standard}%: {money} earned"
        if c["beats_prior"][i]:
            return f"{label} {shown}% beats {prior_text}: {money} earned"
        if prior is None:
            return f"{label} {shown}% is below the threshold {standard}% ({prior_text}): {money} withheld"
        return f"{label} {shown}% is below the threshold {standard}% and does not beat {prior_text}: {money} withheld"
    if c["has_trajectory"][i]:
        shown_trajectory = percent_text(trajectory)
        if c["at_standard"][i]:
            return f"{label} {shown}% meets the standard {standard}%: {money} earned"
        if c["at_trajectory"][i]:
            return f"{label} {shown}% meets its trajectory {shown_trajectory}%: {money} earned"
        return (f"{label} {shown}% is below both its trajectory {shown_trajectory}% and the standard "
                f"{standard}%: {money} withheld")
    if c["at_standard"][i]:
        return f"{label} {shown}% meets the standard {standard}%: {money} earned"
    return f"{label} {shown}% is below the standard {standard}% (no agreed trajectory): {money} withheld"


# --- Year end --------------------------------------------------------------------------------


def _largest_remainder(total, weights, order_keys):
    """Split ``total`` pennies pro rata to integer ``weights``: floors, then the leftover pennies
    one each to the largest remainders (ties by ``order_keys``). Exact: the shares sum to total."""
    weight_sum = sum(weights)
    if total <= 0 or not weights:
        return [0] * len(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda k: (-remainders[k], order_keys[k]))
    for k in order[:leftover]:
        shares[k] += 1
    return shares


def compute_year_end(rules: SchemeRules, trusts: pd.DataFrame) -> YearEnd:
    """The £1-for-£1 incentive and the bonus (RULES.md "How we compute it").

    ``trusts``: one row per allocated trust: trust_id, org_code, stf_allocation,
    control_total, control_total_accepted, actual_m12 (Decimal or None), quarters (number of
    quarters decided or stored), earned, withheld, pending (Decimal sums over the year).
    """
    if not len(trusts):
        return YearEnd(False, [], Decimal("0.00"), "No allocations: nothing to award.")
    pending_total = sum(to_pennies(v) for v in trusts["pending"])
    incomplete = int((trusts["quarters"] < 4).sum())
    if pending_total or incomplete:
        return YearEnd(
            False, [], Decimal("0.00"),
            f"Year end waits until every quarter is decided: {pennies_words(pending_total)} pending, "
            f"{incomplete} trusts without four quarters.",
        )
    frame = trusts.sort_values("org_code").reset_index(drop=True)
    allocation = [to_pennies(v) for v in frame["stf_allocation"]]
    withheld = [to_pennies(v) for v in frame["withheld"]]
    pool = to_pennies(rules.pot) - sum(allocation) + sum(withheld)
    codes = list(frame["org_code"])
    lines = []
    eligible, beat_by, actuals = [], [], []
    for row in frame.itertuples(index=False):
        actual = None if row.actual_m12 is None or pd.isna(row.actual_m12) else to_pennies(row.actual_m12)
        ok = bool(row.control_total_accepted) and actual is not None and actual >= to_pennies(row.control_total)
        actuals.append(actual)
        eligible.append(ok)
        beat_by.append(actual - to_pennies(row.control_total) if ok else 0)
    claimed = sum(beat_by)
    available = max(pool, 0)
    if claimed <= available:
        incentives = beat_by
    else:
        incentives = _largest_remainder(available, beat_by, codes)
    left = available - sum(incentives)
    if any(eligible):
        bonus_weights = [a if ok else 0 for a, ok in zip(allocation, eligible)]
        if sum(bonus_weights) == 0:
            bonus_weights = [1 if ok else 0 for ok in eligible]
        bonuses = _largest_remainder(left, bonus_weights, codes)
    else:
        bonuses = [0] * len(codes)
    scaled = claimed > available
    for k, row in enumerate(frame.itertuples(index=False)):
        reasons = []
        if not row.control_total_accepted:
            reasons.append("Not eligible: the control total was not accepted")
        elif not eligible[k]:
            reasons.append(
                f"Not eligible: the year-end actual {pennies_words(actuals[k] or 0)} is below the "
                f"control total {pennies_words(to_pennies(row.control_total))}"
            )
        else:
            text = (f"Beat the control total {pennies_words(to_pennies(row.control_total))} by "
                    f"{pennies_words(beat_by[k])}: incentive {pennies_words(incentives[k])}")
            if scaled:
                text += f" (incentives scaled to the pool of {pennies_words(available)})"
            reasons.append(text)
            reasons.append(f"Bonus pro rata to the allocation {pennies_words(allocation[k])}: {pennies_words(bonuses[k])}")
        lines.append(YearEndLine(
            trust_id=int(row.trust_id), org_code=str(row.org_code), eligible=eligible[k],
            incentive=pennies_decimal(incentives[k]), bonus=pennies_decimal(bonuses[k]),
            detail={
                "actual": pennies_text(actuals[k]) if actuals[k] is not None else None,
                "control_total": pennies_text(to_pennies(row.control_total)),
                "beat_by": pennies_text(beat_by[k]),
                "allocation": pennies_text(allocation[k]),
                "pool": pennies_text(pool),
                "incentives_scaled": scaled,
                "reasons": reasons,
            },
        ))
    message = (f"Pool {pennies_words(pool)}: incentives {pennies_words(sum(incentives))}, bonus "
               f"{pennies_words(sum(bonuses))} to {sum(eligible)} eligible trusts")
    if not any(eligible):
        message = f"Pool {pennies_words(pool)}: no trust is eligible, nothing awarded"
    return YearEnd(True, lines, pennies_decimal(pool), message)
