"""Importers of performance returns and trajectories (canonical files and NHS England's A&E
layouts): ``prepare_performance`` and ``prepare_trajectories`` diff parsed rows into a
:class:`~common.versioning.Plan` whose ``apply`` stores them.

A later value for the same trust, month and metric supersedes the stored one: the old row stays
with ``is_current=False`` and points at its own upload. Bulk operations only.
"""
from common.tabular import Parsed
from common.versioning import Plan, diff_versioned, supersede
from trusts.importers import resolve_org_codes, trust_codes

from .models import PerformanceReturn, Trajectory

PERFORMANCE_KEY = ["trust_id", "month", "metric"]
PERFORMANCE_VALUES = ["numerator", "denominator"]
TRAJECTORY_VALUES = ["percent"]
PUBLISHED_KINDS = {"ae_nhse", "ae_tidy", "rtt_provider", "rtt_csv", "cancer62"}


def _label(row):
    return f"{row['org_code']} {row['month']:%Y-%m} {row['metric']}"


def prepare_performance(parsed: Parsed, *, codes=None) -> Plan:
    """Diff performance rows (canonical or published A&E) against the current returns.

    In the published layouts rows of organisations that are not in the trust register are
    skipped and counted; in the canonical file an unknown org code is an error.
    """
    plan = Plan(kind=parsed.kind, errors=list(parsed.errors), skipped=list(parsed.skipped))
    resolve_org_codes(parsed, plan, trust_codes() if codes is None else codes,
                      skip_unknown=parsed.kind in PUBLISHED_KINDS)
    diff_versioned(plan, PerformanceReturn, parsed.rows, key_fields=PERFORMANCE_KEY,
                   value_fields=PERFORMANCE_VALUES, label=_label)

    def apply(*, upload, user):
        supersede(PerformanceReturn, plan, upload=upload, key_fields=PERFORMANCE_KEY, value_fields=PERFORMANCE_VALUES)

    plan.apply = apply
    return plan


def prepare_trajectories(parsed: Parsed, *, codes=None) -> Plan:
    plan = Plan(kind=parsed.kind, errors=list(parsed.errors), skipped=list(parsed.skipped))
    resolve_org_codes(parsed, plan, trust_codes() if codes is None else codes, skip_unknown=False)
    diff_versioned(plan, Trajectory, parsed.rows, key_fields=PERFORMANCE_KEY, value_fields=TRAJECTORY_VALUES,
                   label=_label)

    def apply(*, upload, user):
        supersede(Trajectory, plan, upload=upload, key_fields=PERFORMANCE_KEY, value_fields=TRAJECTORY_VALUES)

    plan.apply = apply
    return plan



def prepare_published(parsed: Parsed, *, codes=None) -> Plan:
    """Diff the rows of NHS England's published RTT and cancer statistics (``performance.published``).

    The errors the parser held back (a provider's suppressed figures) are errors when the
    provider is in the trust register; an organisation outside it is skipped and counted, held
    errors and all. The parser's notes (part types and standards ignored) go on the upload.
    """
    codes = trust_codes() if codes is None else codes
    notes = dict(parsed.notes)
    for org_code, held in notes.pop("held_errors", {}).items():
        if org_code in codes:
            parsed.errors.extend(held["errors"])
        else:
            parsed.skipped.append({"row": held["row"], "org_code": org_code, "rows": held["rows"],
                                   "reason": "not an NHS trust in the trust register"})
    parsed.notes = notes
    plan = prepare_performance(parsed, codes=codes)
    plan.notes.update(notes)
    return plan
