"""The blank templates: an example row marked EXAMPLE that the importer refuses clearly if left
in, the units and signs, the finance director's own codes filled in, and only the kinds the user
may upload."""
import csv
import io

import pytest
from openpyxl import load_workbook

from common.tabular import read_table
from stftracker.intake import blank_templates
from stftracker.intake.blank_templates import EXAMPLE_LEFT_IN
from stftracker.intake.importing import ingest
from stftracker.intake.kinds import KINDS, TEMPLATE_COLUMNS
from trusts.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(TEMPLATE_COLUMNS))
def test_each_example_row_is_a_valid_row_but_for_its_mark(kind):
    """With a real code in place of the mark, the example parses without an error: it shows a row
    the importer takes (values, units, signs)."""
    rows = list(csv.reader(io.StringIO(blank_templates.template_csv(kind))))
    assert rows[0] == TEMPLATE_COLUMNS[kind]
    example = rows[1]
    assert example[0].startswith("EXAMPLE (delete this row).")
    example[0] = "RXX"
    text = "\r\n".join(",".join(row) for row in (rows[0], example)) + "\r\n"
    parsed = KINDS[kind].parse(read_table(text.encode()))
    assert parsed.errors == [] and len(parsed.rows) == 1


def test_the_finance_template_says_the_units_and_signs():
    text = blank_templates.template_csv("finance")
    assert "£ (pounds and pence" in text and "surplus positive, deficit negative, excluding STF" in text
    book = load_workbook(io.BytesIO(blank_templates.template_xlsx("finance", ["RAA"])), read_only=True)
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True)]
    assert any("surplus positive, deficit negative, excluding STF" in line for line in notes)
    assert any("Row 2 is an example: delete it before uploading" in line for line in notes)
    first = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    # header, example, the director's row: only its code filled in
    assert first[2][0] == "RAA" and not any(first[2][1:])
    # The example's money is signed as the note says: a deficit plan of £300,000.00 written -300000.00.
    assert first[1][1:] == ["2016-06", "-300000.00", "-290000.00", "-1200000.00"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_with_the_example_row_left_in_is_refused_saying_so(analyst, home_trust, fmt):
    data = (blank_templates.template_csv("finance", [home_trust.org_code]).encode() if fmt == "csv"
            else blank_templates.template_xlsx("finance", [home_trust.org_code]))
    result = ingest(data=data, file_name=f"finance.{fmt}", user=analyst, source="test")
    assert result.ok is False
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error["row"], error["column"], error["message"]) == (2, "org_code", EXAMPLE_LEFT_IN)
    assert error["value"].startswith("EXAMPLE")
    assert Upload.objects.get().status == UploadStatus.REJECTED


def test_with_the_example_deleted_and_the_row_filled_in_the_file_is_taken(analyst, home_trust):
    lines = blank_templates.template_csv("finance", [home_trust.org_code]).split("\r\n")
    filled = "\r\n".join([lines[0], f"{home_trust.org_code},2016-06,-300000,-290000,-1200000", ""])
    result = ingest(data=filled.encode(), file_name="finance.csv", user=analyst, source="test")
    assert result.ok, result.errors
    assert result.upload.status == UploadStatus.STORED and result.upload.rows_new == 1


def test_an_analyst_is_offered_every_kind_a_director_only_finance(client, analyst, director):
    client.force_login(analyst)
    page = client.get("/uploads/").content.decode()
    for kind in TEMPLATE_COLUMNS:
        assert f'href="/uploads/templates/{kind}.csv"' in page
    assert client.get("/uploads/templates/finance.csv").content.decode().count("\r\n") == 2  # no own rows
    client.force_login(director)
    page = client.get("/uploads/").content.decode()
    assert 'href="/uploads/templates/finance.csv"' in page and 'href="/uploads/templates/plans.csv"' not in page
    assert client.get("/uploads/templates/plans.xlsx").status_code == 404
