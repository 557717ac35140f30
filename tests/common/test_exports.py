"""Downloads written one way: each cell by its column's kind, the header row the page's labels."""
import csv
import datetime
import io
from decimal import Decimal

from common.exports import export_value, table_csv_text


def test_each_kind_is_written_as_the_page_shows_it_in_iso_or_two_decimals():
    # 91.1999999... percent (an exact division of counts) to 2 dp as displayed, half up.
    assert export_value(Decimal("91.19999999999999999999999999"), "percent") == "91.20"
    assert export_value(Decimal("92.125"), "percent") == "92.13"
    assert export_value(Decimal("-1234.5"), "money") == "-1234.50"
    assert export_value(Decimal("0"), "money") == "0.00"
    assert export_value(datetime.date(2016, 12, 1), "date") == "2016-12-01"
    assert export_value(datetime.date(2016, 12, 1), "month") == "2016-12"
    # 10:30 in Paris (UTC+1 in January) is 09:30 UTC.
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert export_value(datetime.datetime(2017, 1, 10, 10, 30, tzinfo=paris), "datetime") == "2017-01-10T09:30:00+00:00"
    assert export_value(["A&E missed", "RTT missed"], "list") == "A&E missed; RTT missed"
    assert export_value("finance_failed", "status", {"finance_failed": "Finance failed"}) == "Finance failed"
    assert export_value(None, "money") == "" and export_value("", "percent") == ""
    assert export_value(True, "bool") == "Yes" and export_value(3, "count") == 3


def test_table_csv_has_the_labels_as_header_and_stays_safe_from_formulas():
    columns = [("name", "Trust", "text"), ("status", "Status", "status"), ("earned", "Earned", "money"),
               ("performance", "A&E", "percent")]
    rows = [{"name": "=HYPERLINK(\"x\")", "status": "partial", "earned": Decimal("218750"),
             "performance": Decimal("94.9951")}]
    text = table_csv_text(rows, columns, {"status": {"partial": "Partial"}})
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["Trust", "Status", "Earned", "A&E"]
    # 94.9951 rounds half up to 95.00; the formula is neutralised with an apostrophe.
    assert parsed[1] == ["'=HYPERLINK(\"x\")", "Partial", "218750.00", "95.00"]
    # A negative sum stays a plain number, not a neutralised formula.
    assert table_csv_text([{"earned": Decimal("-5")}], [("earned", "Earned", "money")]).splitlines()[1] == "-5.00"
