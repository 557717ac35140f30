"""NHS England's published A&E statistics, 2016-17 to 2018-19, kept with the app that owns returns.

``ae_attendances.csv`` is the NHS-R Community's tidy copy of NHS England's monthly "A&E
Attendances and Emergency Admissions" provider statistics (see ``SOURCES.md``). It is read with
the same parser as an uploaded file of that layout, so the demo stores exactly what an import would.
"""
from pathlib import Path

from common.tabular import read_table
from performance.parsers import parse_ae_tidy

REFERENCE_DIR = Path(__file__).resolve().parent
AE_ATTENDANCES = REFERENCE_DIR / "ae_attendances.csv"


def ae_attendances_bytes() -> bytes:
    return AE_ATTENDANCES.read_bytes()


def ae_monthly_returns():
    """One A&E row per organisation and month (all department types summed):
    ``org_code, month, metric='ae', numerator (within 4 hours), denominator (attendances)``."""
    parsed = parse_ae_tidy(read_table(ae_attendances_bytes()))
    if parsed.errors:  # the committed file is known good; a damaged copy must not load quietly
        raise ValueError(f"{AE_ATTENDANCES.name} does not parse: {parsed.errors[:3]}")
    return parsed.rows
