"""The review pack's workbook, opened with openpyxl as a reader would: its sheets, frozen and
filtered header rows, money as numbers in pounds and pence, totals that reconcile with the stored
Entitlement rows, one line per trust with its reasons, formula-like text kept as text, and the
Year end sheet only once the year end is decided."""
import datetime
import io
import zipfile
from decimal import Decimal as D

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from finance.models import Entitlement, Scheme, YearEndAward
from stftracker.packs import content, selectors, workbook
from tests.builders import allocate, areas_country, country, quarter_with_status, recompute
from tests.factories import FootprintFactory, RegionFactory, TrustFactory

MONEY = "£#,##0.00"
PERCENT = "0.00%"
BUILT = datetime.datetime(2026, 12, 3, 9, 30, tzinfo=datetime.timezone.utc)


def pack_bytes(year="2016-17", quarter=2):
    scheme = Scheme.objects.get(code=year)
    return workbook.workbook_bytes(workbook.build_workbook(selectors.pack_data(scheme, quarter, now=BUILT)))


def opened(data):
    return load_workbook(io.BytesIO(data))


def table(sheet):
    """The sheet's rows as dicts keyed by its header row, and the cells of each row by header."""
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return header, [dict(zip(header, row)) for row in rows[1:]]


def summary_values(book):
    _, rows = table(book["Summary"])
    return {(row["Section"].value, row["Measure"].value): row["Value"] for row in rows}


def pounds(cell):
    """A money cell read back as pounds and pence (it must be a number, never text)."""
    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), (cell.coordinate, cell.value)
    assert cell.number_format == MONEY, (cell.coordinate, cell.number_format)
    return D(str(cell.value)).quantize(D("0.01"))


@pytest.fixture
def quarter_two(db):
    """Eight trusts in two regions of two footprints each (Q2 statuses full, no control total,
    partial, finance failed, twice over), a ninth with an allocation of £1,234,567.89 whose
    quarter is pending, and a trust in no footprint whose name looks like a formula (full)."""
    trusts = areas_country()
    region = RegionFactory(code="Y50")
    odd = TrustFactory(org_code="RODD", name="Odd Pennies NHS Trust", region=region,
                       footprint=FootprintFactory(code="E54000000"))
    allocate(odd, allocation="1234567.89")
    quarter_with_status(odd, 2, "pending")
    formula = TrustFactory(org_code="RFORM", name='=HYPERLINK("http://x")', region=region, footprint=None)
    allocate(formula)
    quarter_with_status(formula, 2, "full")
    recompute("2016-17")
    return trusts + [odd, formula]


def test_sheets_headers_filters_and_properties(quarter_two):
    book = opened(pack_bytes())
    assert book.sheetnames == ["Summary", "Regions", "Footprints", "Trusts"]  # no year end: Q3 and Q4 pending
    freezes = {"Summary": "A2", "Regions": "A2", "Footprints": "A2", "Trusts": "C2"}
    for sheet in book:
        assert sheet.freeze_panes == freezes[sheet.title]
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(8 <= width <= 90 for width in widths), (sheet.title, widths)
    assert book.properties.title == "STF quarterly review pack, 2016-17 Q2"
    assert book.properties.created == datetime.datetime(2026, 12, 3, 9, 30)
    assert book.properties.creator == "STF Tracker"


def test_summary_reconciles_to_the_penny_with_the_stored_entitlements(quarter_two):
    book = opened(pack_bytes())
    values = summary_values(book)
    stored = list(Entitlement.objects.filter(scheme__code="2016-17", quarter=2))
    assert len(stored) == 10
    independent = {name: sum((getattr(row, name) for row in stored), D("0.00"))
                   for name in ("allocation", "earned", "withheld", "pending")}
    # By hand: ten quarters of £250,000.00 and the odd trust's £308,641.97 (25% of £1,234,567.89, rounded).
    assert independent["allocation"] == D("2250000.00") + D("308641.97")
    # Earned: three full (the pattern's two and the formula-named trust) and two partial (£218,750.00 each).
    assert independent["earned"] == 3 * D("250000.00") + 2 * D("218750.00")
    # Withheld: two no control total and two finance failed (£250,000.00 each), two A&E elements (£31,250.00).
    assert independent["withheld"] == 4 * D("250000.00") + 2 * D("31250.00")
    assert independent["pending"] == D("308641.97")
    for name, label in (("allocation", "Allocation"), ("earned", "Earned"), ("withheld", "Withheld"),
                        ("pending", "Pending")):
        assert pounds(values[("National", label)]) == independent[name], label
    assert pounds(values[("National", "Earned + withheld + pending")]) == independent["allocation"]
    assert pounds(values[("National", "Allocation − (earned + withheld + pending)")]) == D("0.00")
    assert values[("National", "Check: earned + withheld + pending = allocation")].value == "Reconciles to the penny"
    assert values[("National", "Trusts in the scheme")].value == 10
    share = values[("National", "Earned, share of the allocation")]
    assert share.number_format == PERCENT
    assert share.value == pytest.approx(float(D("1187500.00") / D("2558641.97")))

    reasons = {measure: pounds(cell) for (section, measure), cell in values.items() if section == "Withheld by reason"}
    assert reasons == {"No control total": D("500000.00"), "Finance test failed": D("500000.00"),
                       "A&E 4 hours missed": D("62500.00"), "RTT 18 weeks missed": D("0.00"),
                       "Cancer 62 days missed": D("0.00"), "All reasons": D("1062500.00")}
    statuses = {measure: cell.value for (section, measure), cell in values.items() if section == "Trusts by status"}
    assert statuses == {"Full": 3, "Partial": 2, "Finance failed": 2, "No control total": 2, "Pending": 1}
    assert values[("Pack", "Figures")].value == "Current: the figures include every input."
    assert isinstance(values[("Pack", "Data as at")].value, datetime.datetime)


def test_regions_and_footprints_add_up_to_the_national_figures(quarter_two):
    book = opened(pack_bytes())
    stored = list(Entitlement.objects.filter(scheme__code="2016-17", quarter=2).select_related("trust__region"))
    _, regions = table(book["Regions"])
    assert [row["Region"].value for row in regions] == ["Region A", "Region B"]
    for row in regions:
        mine = [e for e in stored if e.trust.region.name == row["Region"].value]
        assert row["Trusts"].value == len(mine)
        for name in ("allocation", "earned", "withheld", "pending"):
            assert pounds(row[name.capitalize()]) == sum((getattr(e, name) for e in mine), D("0.00"))
    # Region A: four pattern trusts, the odd trust and the formula-named one.
    region_a = regions[0]
    assert pounds(region_a["Allocation"]) == 5 * D("250000.00") + D("308641.97")
    assert pounds(region_a["Withheld: A&E 4 hours missed"]) == D("31250.00")
    assert region_a["Trusts pending"].value == 1

    _, footprints = table(book["Footprints"])
    names = [row["Footprint"].value for row in footprints]
    assert names == ["Footprint A1", "Footprint A2", "Footprint B1", "Footprint B2", "No footprint"]
    assert footprints[-1]["Footprint code"].value is None and footprints[-1]["Trusts"].value == 1
    assert footprints[0]["Region"].value == "Region A" and footprints[0]["Trusts"].value == 3  # with the odd trust
    total = sum((pounds(row["Allocation"]) for row in footprints), D("0.00"))
    assert total == sum((e.allocation for e in stored), D("0.00"))
    withheld = sum((pounds(row["Withheld: Finance test failed"]) for row in footprints), D("0.00"))
    assert withheld == D("500000.00")


def test_one_line_per_trust_with_each_test_and_its_reasons(quarter_two):
    book = opened(pack_bytes())
    header, rows = table(book["Trusts"])
    assert header[:6] == ["Org code", "Trust", "Trust type", "Region", "Footprint", "Status"]
    assert "A&E 4 hours: performance" in header and header[-1] == "Reasons"
    codes = [row["Org code"].value for row in rows]
    assert sorted(codes) == sorted(Entitlement.objects.filter(scheme__code="2016-17", quarter=2)
                                   .values_list("trust__org_code", flat=True))
    assert len(codes) == len(set(codes)) == 10
    by_code = {row["Org code"].value: row for row in rows}

    partial = by_code["T0003"]  # Q2 partial: A&E 91.20% against the standard 95%
    assert partial["Status"].value == "Partial"
    assert partial["Trust type"].value == "Acute"
    assert pounds(partial["Earned"]) == D("218750.00") and pounds(partial["Withheld"]) == D("31250.00")
    assert partial["Finance test"].value == "Met"
    assert pounds(partial["YTD plan"]) == D("-500000.00") and pounds(partial["YTD actual"]) == D("-400000.00")
    assert partial["A&E 4 hours: test"].value == "Missed"
    assert pounds(partial["A&E 4 hours: element"]) == D("31250.00")
    performance = partial["A&E 4 hours: performance"]
    assert performance.number_format == PERCENT and performance.value == pytest.approx(0.912)
    assert partial["A&E 4 hours: standard"].value == pytest.approx(0.95)
    assert partial["A&E 4 hours: trajectory"].value is None  # none agreed
    assert partial["RTT 18 weeks: test"].value == "Met"
    reasons = partial["Reasons"].value.split("\n")
    assert "A&E 91.20% is below the standard 95.00% (no agreed trajectory): £31,250.00 withheld" in reasons
    assert len(reasons) == 4 and partial["Reasons"].alignment.wrap_text

    assert by_code["T0002"]["Finance test"].value == "Not judged"  # no control total
    assert "has not been accepted" in by_code["T0002"]["Reasons"].value
    assert by_code["T0004"]["Finance test"].value == "Failed"
    assert by_code["RODD"]["Status"].value == "Pending"
    assert pounds(by_code["RODD"]["Pending"]) == D("308641.97")
    assert by_code["RODD"]["Finance test"].value == "Not judged"
    for row in rows:  # every money cell a number, every line reconciling
        assert pounds(row["Earned"]) + pounds(row["Withheld"]) + pounds(row["Pending"]) == pounds(row["Allocation"])


def test_a_trust_name_like_a_formula_is_stored_as_text(quarter_two):
    data = pack_bytes()
    cell = next(row["Trust"] for row in table(opened(data)["Trusts"])[1] if row["Org code"].value == "RFORM")
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 4
        assert not [name for name in sheets if b"<f>" in archive.read(name) or b"<f " in archive.read(name)]


def test_formula_like_text_in_every_kind_of_text_cell_is_never_a_formula():
    sheet = workbook.Workbook(write_only=True).create_sheet()
    for text in ("=1+1", "+44 20", "-x", "@SUM(A1)", "\tcmd", "\r=1", " =1"):
        cell = workbook.make_cell(sheet, text, "text")
        assert cell.data_type == "s" and cell.value == text and cell.quotePrefix, text
    plain = workbook.make_cell(sheet, "Home Hospitals NHS Trust", "text")
    assert plain.data_type == "s" and not plain.quotePrefix
    assert workbook.make_cell(sheet, "bad\x00text", "text").value == "badtext"


@pytest.fixture
def decided_year(db):
    """Three trusts with every 2016-17 return: every quarter decided, so the year end is."""
    region = RegionFactory(code="Y50", name="Region A")
    trusts = country(3, region=region, footprint=None)
    recompute("2016-17")
    return trusts


def test_the_year_end_sheet_appears_once_the_year_end_is_decided(decided_year):
    scheme = Scheme.objects.get(code="2016-17")
    awards = list(YearEndAward.objects.filter(scheme=scheme).select_related("trust"))
    assert len(awards) == 3  # the year end is decided
    book = opened(pack_bytes(quarter=4))
    assert book.sheetnames == ["Summary", "Regions", "Footprints", "Trusts", "Year end"]
    sheet = book["Year end"]
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == "A1:J4"
    _, rows = table(sheet)
    by_code = {row["Org code"].value: row for row in rows}
    assert set(by_code) == {award.trust.org_code for award in awards}
    for award in awards:
        row = by_code[award.trust.org_code]
        assert row["Eligible"].value == ("Yes" if award.eligible else "No")
        assert pounds(row["Incentive"]) == award.incentive
        assert pounds(row["Bonus"]) == award.bonus
        assert pounds(row["General distribution"]) == award.general_distribution
        assert pounds(row["Total"]) == award.incentive + award.bonus + award.general_distribution
        assert row["Reasons"].value == "\n".join(award.detail["reasons"]) and row["Reasons"].value
        assert row["Method"].value == scheme.get_year_end_method_display()
    values = summary_values(book)
    total = sum((a.incentive + a.bonus + a.general_distribution for a in awards), D("0.00"))
    assert pounds(values[("Year end", "All year-end awards")]) == total
    assert values[("Year end", "Method")].value == scheme.get_year_end_method_display()
    # Every quarter's pack of a decided year carries it; the year's earned plus the awards is the pot.
    assert "Year end" in opened(pack_bytes(quarter=1)).sheetnames
    earned = sum((e.earned for e in Entitlement.objects.filter(scheme=scheme)), D("0.00"))
    assert earned + total == scheme.pot


def test_a_stale_figure_says_so_in_the_summary(quarter_two):
    from finance.models import InputChange

    # An input of one trust changed at 06:40 and its recompute has not run yet.
    InputChange.objects.create(scheme=Scheme.objects.get(code="2016-17"), trust=quarter_two[0],
                               source="finance.allocation",
                               changed_at=datetime.datetime(2026, 12, 3, 6, 40, tzinfo=datetime.timezone.utc))
    with override_settings(RECOMPUTE_REQUEUE_AFTER=10**9):  # its recompute is not yet overdue
        values = summary_values(opened(pack_bytes()))
    assert values[("Pack", "Figures")].value == "Out of date since 3 Dec 2026, 06:40: 1 change waits for a recompute."
    with override_settings(RECOMPUTE_REQUEUE_AFTER=0):
        values = summary_values(opened(pack_bytes()))
    assert values[("Pack", "Figures")].value == ("Out of date since 3 Dec 2026, 06:40: 1 change waits for a "
                                                 "recompute (the recompute is overdue).")


def test_assemble_sums_rows_it_is_given_without_a_database():
    """The pure part alone: two hand-made tidy rows in one region, one of them in no footprint."""
    def row(code, status, allocation, earned, withheld, pending, reasons, footprint):
        return {"org_code": code, "trust_name": f"Trust {code}", "trust_type": "acute", "region_code": "Y1",
                "region_name": "North", "footprint_code": footprint, "footprint_name": footprint and "FP",
                "status": status, "finance_met": True, "finance": {}, "metrics": [], "reasons": ["r1", "r2"],
                "allocation": D(allocation), "earned": D(earned), "withheld": D(withheld), "pending": D(pending),
                "withheld_by_reason": reasons}

    rows = [row("B", "partial", "100.01", "80.00", "20.01", "0.00", {"ae": D("20.01")}, "E1"),
            row("A", "pending", "50.00", "0.00", "0.00", "50.00", {}, "")]
    pack = content.assemble(scheme="2016-17", scheme_name="STF", quarter=2, metrics=["rtt", "ae"], rows=rows,
                            awards=[], year_end_method="None", data_as_at=None, figures=content.FiguresState(),
                            built_at=BUILT)
    assert pack.metrics == ["ae", "rtt"] and pack.year_end is None
    assert [t["org_code"] for t in pack.trusts] == ["A", "B"]
    assert pack.trusts[0]["reasons"] == "r1\nr2"
    assert pack.regions[0]["allocation"] == D("150.01") and pack.regions[0]["withheld_ae"] == D("20.01")
    assert [(f["name"], f["allocation"]) for f in pack.footprints] == [("FP", D("100.01")), ("No footprint", D("50.00"))]
    assert pack.summary["totals"]["earned_share"] == D("80.00") / D("150.01")
    assert pack.row_count == len(pack.summary["lines"]) + 1 + 2 + 2
