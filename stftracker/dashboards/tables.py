"""The data tables of the dashboard pages: a chart with the numbers behind it (or a table
alone), which columns each table shows, and rows formatted for them. Pure: no database."""
from dataclasses import dataclass, field
from decimal import Decimal

from common.dates import moment_label
from common.months import month_label
from performance.metrics import PAGE_NAMES

from . import charts
from .tidy import MONEY_FIELDS


@dataclass
class Chart:
    """A figure and the numbers behind it (for the table, screen readers and the CSV)."""

    name: str
    title: str
    figure: dict
    columns: list  # (key, label, kind)
    rows: list
    caption: str = ""
    summary: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def element_id(self):
        return f"figure-{self.name}"

    @property
    def data_id(self):
        return f"figure-{self.name}-data"


# The money columns of a data table: (key, heading, format).
MONEY_COLUMNS = [(field, field.capitalize(), "money") for field in MONEY_FIELDS]

# The league table: (key, heading, sort, format).
LEAGUE_COLUMNS = [
    ("trust_name", "Trust", "trust", "text"),
    ("region_name", "Region", "region", "text"), ("footprint_name", "Footprint", "footprint", "text"),
    ("trust_type_label", "Type", "type", "text"), ("status", "Status", "status", "status"),
    ("allocation", "Allocation", "allocation", "money"), ("earned", "Earned", "earned", "money"),
    ("withheld", "Withheld", "withheld", "money"), ("pending", "Pending", "pending", "money"),
    ("variance", "Variance", "variance", "money"), ("ae_performance", "A&E", "ae", "percent"),
]
FAILING_COLUMNS = [("trust_name", "Trust", "text"), ("org_code", "Code", "text"), ("region_name", "Region", "text"),
                   ("quarters_failed", "Quarters failed", "text"), ("finance_failed", "Finance failed", "text"),
                   ("ae_failed", "A&E failed", "text")]
UPLOAD_COLUMNS = [("uploaded_at", "Received", "text"), ("file_name", "File", "text"), ("kind", "Kind", "text"),
                  ("status", "Status", "text"), ("uploaded_by", "By", "text"), ("rows_new", "New rows", "text"),
                  ("rows_changed", "Changed rows", "text"), ("rows_unchanged", "Unchanged rows", "text")]
FINANCE_VERSION_COLUMNS = [("month", "Month", "text"), ("version", "Version", "text"), ("plan_ytd", "YTD plan", "money"),
                           ("actual_ytd", "YTD actual", "money"), ("forecast_outturn", "Forecast outturn", "money"),
                           ("file_name", "File", "text"), ("uploaded_at", "Received", "text"), ("uploaded_by", "By", "text")]
PERFORMANCE_VERSION_COLUMNS = [("month", "Month", "text"), ("metric", "Metric", "text"), ("version", "Version", "text"),
                               ("numerator", "Within standard", "text"), ("denominator", "Total", "text"),
                               ("performance", "Performance", "percent"), ("file_name", "File", "text"),
                               ("uploaded_at", "Received", "text"), ("uploaded_by", "By", "text")]
# The trust page's tables for the trust's own finance directors and analysts only.
PRIVATE_TABLES = ("uploads", "finance-versions", "performance-versions")


def league_headers(sort, direction):
    """The league table's column headers: aria-sort and the link that sorts by each (no JS needed)."""
    headers = []
    for key, label, sort_key, kind in LEAGUE_COLUMNS:
        current = sort == sort_key
        headers.append({
            "label": label, "sort": sort_key, "kind": kind, "key": key,
            "aria_sort": ("ascending" if direction == "asc" else "descending") if current else "none",
            "next_dir": "desc" if current and direction == "asc" else "asc",
        })
    return headers


def area_tables(league, failing):
    """The league table and the persistently failing trusts of an area page, for the CSV."""
    return {
        "league": Chart("league", "League table", {},
                        [("org_code", "Code", "text")] + [(k, label, kind) for k, label, _, kind in LEAGUE_COLUMNS],
                        league),
        "failing": Chart("failing", "Persistently failing", {}, FAILING_COLUMNS, failing),
    }


def area_index_table(kind, areas):
    """The regions (``kind`` "region") or footprints of an index page: trusts, money, statuses."""
    columns = [("name", "Region" if kind == "region" else "Footprint", "text"), ("code", "Code", "text")]
    if kind == "footprint":
        columns.append(("region__name", "Region", "text"))
    columns += [("trusts", "Trusts", "count"), *MONEY_COLUMNS]
    columns += [(f"n_{s}", charts.STATUS_STYLE[s]["label"], "count") for s in charts.STATUS_ORDER]
    return Chart("areas", "Regions" if kind == "region" else "Footprints", {}, columns, areas)


def private_tables(uploads, finance_versions, performance_versions):
    """The trust page's upload history and return versions (rows already formatted), for the CSV."""
    return {
        "uploads": Chart("uploads", "Uploads", {}, UPLOAD_COLUMNS, uploads),
        "finance-versions": Chart("finance-versions", "Finance return versions", {},
                                  FINANCE_VERSION_COLUMNS, finance_versions),
        "performance-versions": Chart("performance-versions", "Performance return versions", {},
                                      PERFORMANCE_VERSION_COLUMNS, performance_versions),
    }


def upload_row(upload):
    return {
        "uploaded_at": moment_label(upload.uploaded_at), "file_name": upload.file_name,
        "kind": upload.get_kind_display() or upload.kind, "status": upload.get_status_display(),
        "uploaded_by": upload.uploaded_by.get_username() if upload.uploaded_by else "",
        "rows_new": upload.rows_new, "rows_changed": upload.rows_changed, "rows_unchanged": upload.rows_unchanged,
    }


def version_row(row):
    """One version of a return, for the upload history tables (current or superseded in words)."""
    out = dict(row)
    out["month"] = month_label(row["month"])
    out["version"] = "Current" if row["is_current"] else "Superseded"
    out["uploaded_at"] = moment_label(row["uploaded_at"]) if row.get("uploaded_at") else ""
    if "metric" in row:
        out["metric"] = PAGE_NAMES.get(row["metric"], row["metric"])
        out["performance"] = (Decimal(row["numerator"]) * 100 / Decimal(row["denominator"])
                              if row.get("denominator") else None)
    return out


# --- The trust page's Tests table ---------------------------------------------------------------

# Why the tests of a quarter decided nothing, by how the quarter came out (the whole quarter went one way).
NOT_JUDGED = {
    "no_control_total": "Not judged: no control total was accepted, the whole quarter is withheld",
    "finance_failed": "Not judged: finance not met, the whole quarter is withheld",
    "finance_pending": "Not judged yet: the finance return has not arrived, the whole quarter is pending",
}


def not_judged(stored):
    """Why no metric of a stored quarter decided any money, as a key of ``NOT_JUDGED`` (None when
    they did): no control total, finance failed, or the finance return missing (the quarter pending
    with finance unjudged)."""
    status = stored["status"]
    if status in ("no_control_total", "finance_failed"):
        return status
    if status == "pending" and (stored.get("finance") or {}).get("met") is None:
        return "finance_pending"
    return None


def _met_cell(met):
    if met is None:
        return {"kind": "pending", "text": "Pending"}
    return {"kind": "ok", "text": "Yes"} if met else {"kind": "fail", "text": "No"}


def quarter_tests(stored):
    """The rows of a trust page's Tests table for one stored quarter: finance, then each applicable
    metric, each with its figures, whether it was met ({kind, text}: ok, fail, pending or
    not_judged) and its element (None when the test decided nothing, so no money is shown)."""
    finance = stored.get("finance") or {}
    why = not_judged(stored)
    finance_met, finance_element = _met_cell(finance.get("met")), finance.get("element")
    if why == "no_control_total":
        finance_met, finance_element = {"kind": "not_judged", "text": NOT_JUDGED[why]}, None
    elif why == "finance_pending":
        finance_met = {"kind": "pending", "text": "Pending: the finance return has not arrived"}
    rows = [{"test": "finance", "ytd_plan": stored.get("ytd_plan"), "ytd_actual": stored.get("ytd_actual"),
             "performance": None, "trajectory": None, "standard": None, "met": finance_met,
             "element": finance_element}]
    for metric in stored.get("metrics") or []:
        if not metric.get("applicable"):
            continue
        if why:
            met, element = {"kind": "not_judged", "text": NOT_JUDGED[why]}, None
        else:
            met, element = _met_cell(metric.get("met")), metric.get("element")
        rows.append({"test": metric.get("metric"), "performance": metric.get("performance"),
                     "trajectory": metric.get("trajectory"), "standard": metric.get("standard"), "met": met,
                     "element": element})
    return rows
