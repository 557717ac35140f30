"""The kinds of file the intake accepts: for each, its parser and importer, the columns that tell
it from the others, the columns of its template, and who may upload it.

A file's kind is told from its header (:func:`detect_kind`); :func:`check_permission` says which
of its rows, if any, the user may not upload.

Who sets what: analysts import every kind. Finance directors upload only their own trusts'
monthly finance returns (kind ``finance``, the one kind with ``directors``), and only for quarters
still open (``finance.reopenings``): performance returns are NHS England's published statistics
and trajectories are agreed with NHS Improvement, so neither is the trust's to set.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from common.errors import RowError
from common.tabular import Table, normalise_header
from common.workbooks import read_upload
from finance import importers as finance_importers
from finance import parsers as finance_parsers
from finance import reopenings
from performance import importers as performance_importers
from performance import parsers as performance_parsers
from performance import published as performance_published
from trusts import importers as trust_importers
from trusts import parsers as trust_parsers
from trusts.models import KIND_LABELS
from trusts.roles import can_act_for, can_import_national, is_analyst, visible_trusts

from .reports import file_error


@dataclass(frozen=True)
class Kind:
    """One kind of upload."""

    code: str
    parse: Callable  # Table -> Parsed
    prepare: Callable  # Parsed -> Plan
    distinctive: frozenset = frozenset()  # columns that tell it from the other kinds (any one is enough)
    template: list | None = None  # the columns of its downloadable template (canonical kinds only)
    national: bool = False  # a national file (analysts only)
    directors: bool = False  # finance directors upload it for the trusts they direct
    set_by: str = ""  # who sets it, in words, for the error a finance director gets (analyst kinds)
    register: bool = False  # writes the trust register itself: no org codes to resolve
    monthly: bool = False  # every row has a month, which must fall in a scheme
    future_allowed: bool = False  # trajectories are agreed for months still to come
    month_column: str = "period"  # the column a month error names

    @property
    def label(self) -> str:
        return KIND_LABELS[self.code]


PUBLISHED = ("NHS England's published statistics: only analysts import them, not the trust's finance "
             "directors")

# In the order a header matching as many columns of two kinds is given the first.
KINDS = {kind.code: kind for kind in (
    Kind("trusts", trust_parsers.parse_trusts, trust_importers.prepare_trusts,
         distinctive=frozenset({"trust_type", "region", "footprint"}), template=trust_parsers.TRUST_COLUMNS,
         national=True, register=True),
    Kind("plans", finance_parsers.parse_plans, finance_importers.prepare_plans,
         distinctive=frozenset({"year", "stf_allocation", "control_total", "control_total_accepted"}),
         template=finance_parsers.PLAN_COLUMNS, national=True),
    Kind("finance", finance_parsers.parse_finance, finance_importers.prepare_finance,
         distinctive=frozenset({"plan_ytd", "actual_ytd", "forecast_outturn"}),
         template=finance_parsers.FINANCE_COLUMNS, monthly=True, directors=True),
    Kind("performance", performance_parsers.parse_performance, performance_importers.prepare_performance,
         distinctive=frozenset({"numerator", "denominator"}), template=performance_parsers.PERFORMANCE_COLUMNS,
         monthly=True, set_by=PUBLISHED),
    Kind("trajectories", performance_parsers.parse_trajectories, performance_importers.prepare_trajectories,
         distinctive=frozenset({"trajectory_pct"}), template=performance_parsers.TRAJECTORY_COLUMNS,
         monthly=True, future_allowed=True,
         set_by="agreed with NHS Improvement: only analysts set them, not the trust's finance directors"),
    Kind("ae_tidy", performance_parsers.parse_ae_tidy, performance_importers.prepare_performance,
         distinctive=frozenset({"type", "attendances", "breaches", "admissions"}), national=True, monthly=True,
         set_by=PUBLISHED),
    Kind("ods_etr", trust_parsers.parse_ods_etr, trust_importers.prepare_ods_etr,
         distinctive=frozenset({"national_grouping_code", "national_grouping_name",
                                "high_level_health_geography_code"}),
         national=True, register=True),
    # Told by its own header test (see detect_kind).
    Kind("ae_nhse", performance_parsers.parse_ae_nhse, performance_importers.prepare_performance,
         national=True, monthly=True, month_column="Period", set_by=PUBLISHED),
    # NHS England's published RTT and cancer statistics (performance.published.published_kind).
    Kind("rtt_provider", performance_published.parse_rtt_workbook, performance_importers.prepare_published,
         national=True, monthly=True, month_column="Period", set_by=PUBLISHED),
    Kind("rtt_csv", performance_published.parse_rtt_csv, performance_importers.prepare_published,
         national=True, monthly=True, month_column="Period", set_by=PUBLISHED),
    Kind("cancer62", performance_published.parse_cancer, performance_importers.prepare_published,
         national=True, monthly=True, month_column="PERIOD", set_by=PUBLISHED),
)}

# Published workbooks read from a named sheet below a title block (common.workbooks).
WORKBOOK_LAYOUTS = (performance_published.RTT_WORKBOOK,)


def read_file(data: bytes) -> Table:
    """An uploaded file as a table: a published workbook by its layout, anything else as CSV or
    the first sheet of an XLSX (common.tabular.read_table)."""
    return read_upload(data, WORKBOOK_LAYOUTS)

TEMPLATE_COLUMNS = {code: kind.template for code, kind in KINDS.items() if kind.template}


def detect_kind(table: Table) -> str | None:
    """The kind a table's header belongs to (None when nothing fits)."""
    if table.has_header and trust_parsers.looks_like_headerless_etr(table.header):
        return "ods_etr"
    if performance_parsers.is_nhse_header(table.header):
        return "ae_nhse"
    published = performance_published.published_kind(table.header)
    if published:
        return published
    names = {normalise_header(name) for name in table.header}
    best, score = None, 0
    for code, kind in KINDS.items():
        matched = len(names & kind.distinctive)
        if matched > score:
            best, score = code, matched
    return best


def unknown_kind_error() -> dict:
    """The file-level error of a header that fits no kind: what each kind's columns are."""
    return file_error(
        "The kind of file cannot be told from its header. Expected the columns of one of: "
        + "; ".join(f"{k} ({', '.join(c)})" for k, c in TEMPLATE_COLUMNS.items())
        + "; or NHS England's A&E CSV, RTT provider workbook, RTT full CSV extract or Cancer Waiting Times "
        "provider extract, the tidy A&E layout, or ODS etr.csv.", column="(header)")


def as_read(kind: Kind, table: Table) -> Table:
    """The table as its parser reads it: the ODS list comes without a header, its first row is data."""
    if kind.code == "ods_etr" and not trust_parsers.is_etr_header(table.header):
        return table.without_header()
    return table


def may_upload(user, kind: Kind) -> bool:
    """May ``user`` upload files of ``kind`` at all (whatever trusts they name)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if kind.national:
        return can_import_national(user)
    if is_analyst(user):
        return True
    return kind.directors and user.has_perm("trusts.upload_trust_returns")


def template_kinds(user) -> list[str]:
    """The kinds whose blank template ``user`` is offered: those they may upload."""
    return [code for code in TEMPLATE_COLUMNS if may_upload(user, KINDS[code])]


def refusal(kind: Kind) -> str:
    """Why a user who may not upload ``kind`` is refused, saying who sets it."""
    if not kind.set_by:
        return f"You may not import {kind.label}: only analysts import national files."
    label = kind.label
    if len(label) > 1 and label[1].islower():
        label = label[0].lower() + label[1:]
    return f"You may not upload {label}: they are {kind.set_by}."


def check_permission(parsed, kind: Kind, user, codes: dict) -> list[dict]:
    """Errors for rows the user may not upload (and drops those rows); a file-level error when the
    user may not upload the kind at all. ``codes`` maps org codes to trust ids.

    A finance director may upload only the kinds with ``directors`` (finance returns), only for
    the trusts they direct, and only for months of quarters not yet decided or reopened by an
    analyst (``finance.reopenings``, unless ``UPLOADS_CLOSE_DECIDED_QUARTERS`` is off).
    """
    if user is None or not user.is_authenticated:
        return [file_error("You must be logged in to upload.")]
    if not may_upload(user, kind):
        return [file_error("You may not upload returns." if kind.directors else refusal(kind))]
    if is_analyst(user) or kind.national:
        return []
    allowed = None
    errors, refused = [], set()
    for row in parsed.rows + [row for row in parsed.partial if row.get("org_code")]:
        code = row["org_code"]
        if code in codes and not can_act_for(user, codes[code]):
            if allowed is None:
                allowed = ", ".join(sorted(visible_trusts(user).values_list("org_code", flat=True))) or "none"
            refused.add(row["row"])
            errors.append(RowError(row["row"], "org_code", code,
                                   f"You may upload returns only for the trusts you direct "
                                   f"({allowed}), not {code}.").to_dict())
    if refused:
        parsed.rows = [row for row in parsed.rows if row["row"] not in refused]
    if kind.monthly and settings.UPLOADS_CLOSE_DECIDED_QUARTERS:
        errors += _closed_quarter_errors(parsed, kind, codes)
    return errors


def _closed_quarter_errors(parsed, kind: Kind, codes: dict) -> list[dict]:
    """Row errors for rows of months whose trust-quarter is decided and not reopened (and drops them)."""
    rows = [row for row in parsed.rows if row.get("org_code") in codes and row.get("month")]
    closed = reopenings.closed_quarters((codes[row["org_code"]], row["month"]) for row in rows)
    errors, refused = [], set()
    for row in rows:
        quarter = closed.get((codes[row["org_code"]], row["month"]))
        if quarter is None:
            continue
        shown = f"{row['month']:%Y-%m}"
        refused.add(row["row"])
        errors.append(RowError(
            row["row"], kind.month_column, shown,
            f"Month {shown} is in {quarter.label}, which is decided for {row['org_code']} "
            f"({quarter.status.replace('_', ' ')}) and closed to uploads. {reopenings.WHO_REOPENS}").to_dict())
    if refused:
        parsed.rows = [row for row in parsed.rows if row["row"] not in refused]
    return errors
