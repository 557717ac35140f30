"""The year end as the pages and the API read it: the engine's answer over the stored quarters
(decided, waiting and for what, refused, or no year end) with its national reconciliation, the
stored awards, and their records (DESIGN.md: ``org_code, trust_name, year, method, eligible,
incentive, bonus, general_distribution, total, reasons``), JSON or CSV.

The awards shown are the stored ones (``finance.services.write_year_end`` writes them with every
recompute); the state, the message and the national figures are worked out again from the same
stored quarters, a constant handful of queries whatever the number of trusts.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from common.money import money_text
from finance import engine, selectors
from finance.models import Scheme, YearEndAward, YearEndMethod

CSV_FIELDS = ["org_code", "trust_name", "year", "method", "eligible", "incentive", "bonus", "general_distribution",
              "total", "reasons"]
NATIONAL_MONEY = ["pot", "allocations", "unallocated", "earned", "withheld", "pending", "pool", "incentives", "bonus",
                  "general_distribution", "awarded", "unawarded", "check"]


@dataclass
class YearEndOverview:
    """A scheme's year end: the engine's ``outcome`` (state, message, national figures, waits) and
    the stored ``awards`` (with trust, region and footprint), by org code."""

    scheme: Scheme
    outcome: engine.YearEnd
    awards: list
    names: dict  # trust_id -> name, of every trust in the scheme

    @property
    def method_label(self):
        return YearEndMethod(self.scheme.year_end_method).label


def year_end_overview(scheme: Scheme, *, trust=None) -> YearEndOverview:
    """The year end of ``scheme`` (awards of every trust, or of ``trust`` only). Five queries."""
    inputs = selectors.year_end_inputs(scheme)
    outcome = engine.compute_year_end(selectors.scheme_rules(scheme), inputs, named=settings.YEAR_END_WAITS_NAMED)
    awards = YearEndAward.objects.none()
    if outcome.decided:
        awards = selectors.year_end_awards(scheme)
        if trust is not None:
            awards = awards.filter(trust=trust)
    names = dict(zip(inputs["trust_id"], inputs["trust_name"])) if len(inputs) else {}
    return YearEndOverview(scheme=scheme, outcome=outcome, awards=list(awards), names=names)


def award_record(award: YearEndAward) -> dict:
    """The DESIGN.md year-end record of a stored award (select_related trust and scheme)."""
    return {
        "org_code": award.trust.org_code,
        "trust_name": award.trust.name,
        "year": award.scheme.code,
        "method": award.scheme.year_end_method,
        "eligible": award.eligible,
        "incentive": money_text(award.incentive),
        "bonus": money_text(award.bonus),
        "general_distribution": money_text(award.general_distribution),
        "total": money_text(award.total),
        "reasons": list((award.detail or {}).get("reasons", [])),
    }


def flat_record(record: dict) -> dict:
    return {**record, "reasons": " | ".join(record["reasons"])}


def national_record(national: dict) -> dict:
    """The national figures with money as strings of 2 decimals (None where not worked out)."""
    record = {name: None if national.get(name) is None else money_text(national[name]) for name in NATIONAL_MONEY}
    record["reconciles"] = bool(national.get("reconciles"))
    return record


def wait_records(overview: YearEndOverview) -> list[dict]:
    """The trusts a waiting year end waits for, each with the months of each return ("YYYY-MM")."""
    return [
        {"org_code": wait.org_code, "trust_name": overview.names.get(wait.trust_id, ""),
         "missing": {kind: [f"{month:%Y-%m}" for month in months] for kind, months in wait.missing.items()},
         "quarters_computed": wait.quarters, "pending": money_text(wait.pending)}
        for wait in overview.outcome.waits
    ]


def overview_record(overview: YearEndOverview) -> dict:
    """The API's answer: the year, its method and state, the message, the national figures, the
    waits and every trust's record."""
    outcome = overview.outcome
    results = [award_record(award) for award in overview.awards]
    return {
        "year": overview.scheme.code,
        "method": overview.scheme.year_end_method,
        "state": outcome.state,
        "decided": outcome.decided,
        "message": outcome.message,
        "national": national_record(outcome.national),
        "waits": wait_records(overview),
        "count": len(results),
        "results": results,
    }
