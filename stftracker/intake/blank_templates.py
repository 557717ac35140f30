"""The blank templates offered on the upload page: each kind's header, one example row marked
EXAMPLE (a file that still holds it is refused, with a message saying so), the units and signs
the kind takes, and, for a finance director, a row for each trust they direct with its code filled in.

CSV: the header, the example row (its first cell says what it is and the units), then the
pre-filled rows. XLSX: the same on the first sheet (the one read), and a second sheet "Notes"
with the notes; the importer reads only the first sheet.
"""
import io

from common.exports import csv_text, safe_cell, xlsx_text

from .kinds import KINDS, TEMPLATE_COLUMNS

EXAMPLE_MARK = "EXAMPLE"
EXAMPLE_LEFT_IN = ("This is the template's example row (it starts with EXAMPLE): delete it and enter your own "
                   "rows. Nothing in the file was stored.")

# A valid row of each kind (the example's org_code aside), and what its figures mean.
EXAMPLES = {
    "trusts": {"name": "Example Hospitals NHS Foundation Trust", "trust_type": "acute", "region": "Y56",
               "footprint": "E54000005"},
    "plans": {"year": "2016-17", "stf_allocation": "1000000.00", "control_total": "-500000.00",
              "control_total_accepted": "yes"},
    "finance": {"period": "2016-06", "plan_ytd": "-300000.00", "actual_ytd": "-290000.00",
                "forecast_outturn": "-1200000.00"},
    "performance": {"period": "2016-06", "metric": "ae", "numerator": "9500", "denominator": "10000"},
    "trajectories": {"period": "2016-06", "metric": "ae", "trajectory_pct": "92.50"},
}
MONEY_NOTE = "Money in £ (pounds and pence; no £ sign or commas needed): surplus positive, deficit negative, excluding STF."
NOTES = {
    "trusts": ["One row per trust: its ODS code, name, type (acute, mental_health, community, ambulance, specialist), "
               "NHS England region code and STP footprint code."],
    "plans": ["One row per trust and year (2016-17, 2017-18, 2018-19).",
              "stf_allocation: the year's STF allocation in £ (pounds and pence), never negative.",
              "control_total: " + MONEY_NOTE, "control_total_accepted: yes or no."],
    "finance": ["One row per trust and month (period YYYY-MM, e.g. 2016-06 for June 2016).",
                "plan_ytd, actual_ytd: year to date; forecast_outturn: the year's forecast.", MONEY_NOTE],
    "performance": ["One row per trust, month (YYYY-MM) and metric (ae, rtt or cancer62).",
                    "numerator: patients within the standard; denominator: all patients (whole counts)."],
    "trajectories": ["One row per trust, month (YYYY-MM) and metric (ae, rtt or cancer62).",
                     "trajectory_pct: the agreed percentage for the month, 0 to 100."],
}


def notes_of(kind):
    return [f"{KINDS[kind].label}: the columns are {', '.join(TEMPLATE_COLUMNS[kind])}.", *NOTES[kind],
            "Row 2 is an example: delete it before uploading (a file that still has it is refused)."]


def template_rows(kind, own_codes=()):
    """The rows under the header: the example (its org_code cell the mark and a short note), then
    one row per code in ``own_codes`` with only its org_code filled in."""
    example = {"org_code": f"{EXAMPLE_MARK} (delete this row). " + " ".join(NOTES[kind][-1:]), **EXAMPLES[kind]}
    return [example, *({"org_code": code} for code in own_codes)]


def template_csv(kind, own_codes=()):
    return csv_text(template_rows(kind, own_codes), TEMPLATE_COLUMNS[kind])


def template_xlsx(kind, own_codes=()):
    from openpyxl import Workbook

    columns = TEMPLATE_COLUMNS[kind]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=kind)
    sheet.append([xlsx_text(safe_cell(name)) for name in columns])
    for row in template_rows(kind, own_codes):
        sheet.append([xlsx_text(safe_cell(row.get(name))) if row.get(name) is not None else None for name in columns])
    notes = workbook.create_sheet(title="Notes")
    for line in notes_of(kind):
        notes.append([xlsx_text(safe_cell(line))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def example_row_error(table):
    """The error for a file that still holds the template's example row, or None: a row whose
    org_code cell (the first, in a file without that column) starts with EXAMPLE."""
    header = [cell.strip().lower() for cell in table.header] if table.has_header else []
    index = header.index("org_code") if "org_code" in header else 0
    for number, cells in table.numbered():
        value = cells[index].strip() if index < len(cells) else ""
        if value.upper().startswith(EXAMPLE_MARK):
            return {"row": number, "column": "org_code" if header else "", "value": value[:60],
                    "message": EXAMPLE_LEFT_IN}
    return None
