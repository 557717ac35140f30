"""Parsers of performance files (pure: no database)."""
import io
from decimal import Decimal

from openpyxl import Workbook

from common.tabular import xlsx_cell_text
from performance.parsers import parse_trajectories


def test_xlsx_percent_formatted_cells_read_as_the_percent_shown():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["org_code", "period", "metric", "trajectory_pct"])
    sheet.append(["RAA", "2016-04", "ae", 0.925])
    sheet.append(["RAA", "2016-05", "ae", 93.1])
    sheet["D2"].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = parse_trajectories(buffer.getvalue())
    assert not parsed.errors
    assert [row["percent"] for row in parsed.rows] == [Decimal("92.50"), Decimal("93.10")]
    assert xlsx_cell_text(0.9, "0%") == "90%"
    assert xlsx_cell_text(1234.5, "#,##0.00") == "1234.5"
