"""What an import reports: :class:`IngestResult` (the API's JSON and the command's lines), the
rows of the preview page, and the errors, each ``{row, column, value, message}``."""
import datetime
from dataclasses import dataclass, field

from common.errors import RowError
from common.tabular import normalise_header
from trusts.models import KIND_LABELS, Upload

# Working fields of a plan's rows, not values of the file.
PLAN_FIELDS = {"row", "label", "existing", "before", "target", "trust_id", "scheme_id", "source_rows"}


@dataclass
class IngestResult:
    ok: bool
    kind: str | None
    errors: list = field(default_factory=list)  # dicts {row, column, value, message}
    counts: dict = field(default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0, "skipped": 0})
    upload: Upload | None = None
    run: object = None  # finance.models.RecomputeRun
    status: str = ""
    row_count: int = 0
    skipped: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    preview: list = field(default_factory=list)  # {row, label, status, before, after}
    sha256: str = ""
    errors_total: int = 0  # every error found; ``errors`` lists the first UPLOAD_MAX_ERRORS of them

    def to_dict(self):
        return {
            "ok": self.ok, "kind": self.kind, "status": self.status, "errors": self.errors,
            "counts": self.counts, "row_count": self.row_count,
            "upload": self.upload.pk if self.upload else None,
            "run": self.run.pk if self.run else None,
            "run_state": self.run.state if self.run else None,
            "skipped": self.skipped, "notes": self.notes, "sha256": self.sha256,
            "errors_total": self.errors_total,
        }

    def report_lines(self):
        """The row-level report the command prints."""
        lines = []
        label = KIND_LABELS.get(self.kind, "unknown kind")
        counts = self.counts
        lines.append(f"kind: {self.kind or '-'} ({label}); rows: {self.row_count}; status: {self.status or '-'}")
        lines.append(f"new {counts['new']}, changed {counts['changed']}, unchanged {counts['unchanged']}, "
                     f"skipped {counts['skipped']}")
        if self.skipped:
            orgs = self.notes.get("skipped_orgs", 0)
            lines.append(f"skipped {counts['skipped']} rows of {orgs} organisations not in the trust register "
                         f"or outside the scheme:")
            for reason, number in sorted(self.notes.get("skipped_reasons", {}).items()):
                lines.append(f"  {number} row{'' if number == 1 else 's'}: {reason}")
        for note, value in self.notes.items():
            if note in {"trust_types_guessed"}:
                lines.append(f"{value} new trusts were given a type guessed from their name (check them)")
        for error in self.errors:
            lines.append("ERROR " + str(RowError(**error)))
        return lines


def too_large(size: int, limit: int) -> str:
    """What a file over the size limit is told."""
    return f"The file is {size:,} bytes, over the limit of {limit:,} bytes."


def file_error(message, column=""):
    """An error about the whole file (no row)."""
    return {"row": None, "column": column, "value": "", "message": message}


SHOWN_VALUE_LIMIT = 200  # characters of a cell's value an error repeats
SHOWN_MESSAGE_LIMIT = 1000


def _clipped(text, limit):
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def capped_errors(errors, limit: int, beyond: int = 0, stopped_at: int | None = None):
    """``(errors, total)``: the first ``limit`` of ``errors`` in full (a value or message of
    thousands of characters clipped), then, when there are more (``beyond`` were counted but never
    listed), one error saying how many more, and, when checking stopped at row ``stopped_at``,
    that the rows from it on were not checked; ``total`` counts every error found."""
    total = len(errors) + beyond
    kept = [{**error, "column": _clipped(error["column"], SHOWN_VALUE_LIMIT),
             "value": _clipped(error["value"], SHOWN_VALUE_LIMIT),
             "message": _clipped(error["message"], SHOWN_MESSAGE_LIMIT)} for error in errors[:limit]]
    rest = total - len(kept)
    if rest > 0:
        stopped = (f"; checking stopped at row {stopped_at:,}, so the rows from it on were not checked"
                   if stopped_at else "")
        kept.append(file_error(f"... and {rest:,} more error{'s' if rest != 1 else ''}{stopped}: only the first "
                               f"{len(kept):,} are listed. Correct these and send the file again to see the rest."))
    return kept, total


def sorted_errors(errors, header=()):
    """By row, then by the column's place in the file."""
    order = {normalise_header(name): index for index, name in enumerate(header)}
    return sorted(errors, key=lambda e: (e["row"] is not None, e["row"] or 0,
                                         order.get(normalise_header(e["column"] or ""), len(order))))


def _shown(value):
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def preview_rows(plan):
    """The preview page's rows: each row of the file, new, changed or unchanged, before and after."""
    rows = []
    for status, group in (("new", plan.new), ("changed", plan.changed), ("unchanged", plan.unchanged)):
        for row in group:
            after = {k: _shown(v) for k, v in row.items() if k not in PLAN_FIELDS}
            if "target" in row:
                target = row["target"]
                after = {"name": target["name"], "trust_type": target["trust_type"], "region": target["region"].name,
                         "footprint": target["footprint"].name if target["footprint"] else "",
                         "active": _shown(target["active"])}
            before = {k: _shown(v) for k, v in (row.get("before") or {}).items()}
            rows.append({"row": row["row"], "label": row.get("label", row.get("org_code", "")), "status": status,
                         "before": before, "after": after})
    rows.sort(key=lambda r: r["row"])
    return rows


def skipped_notes(skipped):
    """(rows skipped, notes): how many organisations and why, for the report."""
    reasons, orgs, total = {}, set(), 0
    for item in skipped:
        number = item.get("rows", 1)
        total += number
        reasons[item["reason"]] = reasons.get(item["reason"], 0) + number
        if item["org_code"] not in {"", "-"}:  # the England total row is no organisation
            orgs.add(item["org_code"])
    return total, {"skipped_orgs": len(orgs), "skipped_reasons": reasons}
