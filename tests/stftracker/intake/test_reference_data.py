"""The real NHS files: the 2016/17 trust list, the ODS list and three years of A&E attendances."""
import csv
from collections import defaultdict

import pytest

from stftracker.intake.importing import ingest
from performance.models import PerformanceReturn
from tests.stftracker.intake.conftest import reference_trusts_csv
from trusts.models import Region, Trust, UploadStatus


@pytest.mark.django_db
def test_trust_list_then_the_whole_ae_file(reference_data, analyst):
    trusts_file, reference = reference_trusts_csv(reference_data)
    trusts = ingest(data=trusts_file, file_name="trusts.csv", user=analyst, source="test")
    assert trusts.ok, trusts.errors[:5]
    assert Trust.objects.count() == 236
    assert dict((r.name, r.trusts.count()) for r in Region.objects.all()) == {
        "Midlands and East of England": 73, "North of England": 71, "South of England": 56, "London": 36}

    ae_path = reference_data / "ae_attendances.csv"
    result = ingest(data=ae_path.read_bytes(), file_name="ae_attendances.csv", user=analyst, source="test")
    assert result.ok, result.errors[:5]
    assert result.row_count == 12765

    # Expected figures, computed here straight from the CSV.
    known = {row["org_code"] for row in reference}
    totals, skipped_rows, skipped_orgs = defaultdict(lambda: [0, 0]), 0, set()
    with open(ae_path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] not in known:
                skipped_rows += 1
                skipped_orgs.add(row["org_code"])
                continue
            key = (row["org_code"], row["period"][:7])
            totals[key][0] += int(row["attendances"]) - int(row["breaches"])
            totals[key][1] += int(row["attendances"])
    assert len(totals) == 5823  # SOURCES.md: rows of trusts in the 2016 ODS list
    assert result.counts == {"new": 5823, "changed": 0, "unchanged": 0, "skipped": skipped_rows}
    assert result.notes["skipped_orgs"] == len(skipped_orgs) == 105  # 104 non-trusts and R0A
    stored = {(org, f"{month:%Y-%m}"): [num, den] for org, month, num, den in
              PerformanceReturn.objects.values_list("trust__org_code", "month", "numerator", "denominator")}
    assert stored == dict(totals)
    assert "R0A" in {item["org_code"] for item in result.skipped}
    assert any(f"skipped {skipped_rows} rows of 105 organisations" in line for line in result.report_lines())
    upload = result.upload
    assert (upload.rows_new, upload.rows_skipped, upload.status) == (5823, skipped_rows, UploadStatus.STORED)

    again = ingest(data=ae_path.read_bytes(), file_name="ae_attendances.csv", user=analyst, source="test")
    assert again.status == UploadStatus.DUPLICATE and PerformanceReturn.objects.count() == 5823


@pytest.mark.django_db
def test_ods_trust_list(reference_data, analyst):
    result = ingest(data=(reference_data / "ods_trusts_etr_2016.csv").read_bytes(), file_name="etr.csv",
                    user=analyst, source="test")
    assert result.ok, result.errors[:5]
    assert result.kind == "ods_etr"
    assert result.counts == {"new": 236, "changed": 0, "unchanged": 0, "skipped": 3}  # three Welsh trusts
    assert Trust.objects.count() == 236
    assert set(Trust.objects.filter(active=False).values_list("org_code", flat=True)) == {"RFW", "R1G"}
    assert sorted(Region.objects.values_list("code", flat=True)) == ["Y54", "Y55", "Y56", "Y57"]
    assert Trust.objects.filter(trust_type="ambulance").count() == 10  # every name with AMBULANCE


@pytest.mark.django_db
def test_raw_headerless_etr_made_from_the_shared_list(reference_data, analyst):
    """The published etr.csv has no header and 27 columns: rebuild it from the shared copy."""
    with open(reference_data / "ods_trusts_etr_2016.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    raw = []
    for r in rows:
        cells = [r["org_code"], r["name"], r["national_grouping_code"], r["high_level_health_geography_code"],
                 r["address_line_1"], r["address_line_2"], r["address_line_3"], r["address_line_4"],
                 r["address_line_5"], r["postcode"], r["open_date"].replace("-", ""), r["close_date"].replace("-", "")]
        raw.append(cells + [""] * 9 + [r["amended_record_indicator"], "", r["gor_code"], "", "", ""])
    text = "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in cells) for cells in raw) + "\r\n"
    result = ingest(data=text.encode(), file_name="etr.csv", user=analyst, source="test")
    assert result.ok, result.errors[:5]
    assert result.counts["new"] == 236 and result.counts["skipped"] == 3
    assert Trust.objects.get(org_code="R1G").active is False
