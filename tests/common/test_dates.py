"""One way to write a day ("1 Dec 2016") and a moment ("1 Dec 2016, 14:05") across the product."""
import datetime
import re
from pathlib import Path

from common.dates import DAY, MOMENT, day_label, moment_label

ROOT = Path(__file__).resolve().parents[2]


def test_a_day_has_no_leading_zero_and_the_month_short():
    assert day_label(datetime.date(2016, 12, 1)) == "1 Dec 2016"
    assert day_label(datetime.date(2017, 3, 31)) == "31 Mar 2017"


def test_a_moment_is_in_the_site_time_zone():
    # 13:05 UTC on 1 July 2016 is 14:05 in London (BST, UTC+1); in December London is on UTC.
    assert moment_label(datetime.datetime(2016, 7, 1, 13, 5, tzinfo=datetime.timezone.utc)) == "1 Jul 2016, 14:05"
    assert moment_label(datetime.datetime(2026, 12, 3, 6, 40, tzinfo=datetime.timezone.utc)) == "3 Dec 2026, 06:40"
    assert moment_label(datetime.datetime(2016, 1, 9, 8, 0)) == "9 Jan 2016, 08:00"  # naive: as given


# The forms templates may give |date: days and moments as above, and machine forms for attributes.
TEMPLATE_FORMS = {DAY, MOMENT, MOMENT + ":s", "H:i", "Y-m-d", "Y-m", "c"}


def test_every_template_writes_dates_in_the_one_form():
    """Pages only: the e-mails (templates/alerts/email) write dates as prose."""
    used = {}
    for template in (ROOT / "templates").rglob("*.html"):
        if "email" in template.relative_to(ROOT / "templates").parts:
            continue
        for form in re.findall(r"""\|date:["']([^"']*)["']""", template.read_text()):
            used.setdefault(form, []).append(template.name)
    assert used, "no |date in the templates?"
    assert {form: names for form, names in used.items() if form not in TEMPLATE_FORMS} == {}


def test_no_python_writes_a_day_with_a_leading_zero_or_the_long_month():
    offenders = []
    for package in ("common", "trusts", "performance", "finance", "stftracker"):
        for source in (ROOT / package).rglob("*.py"):
            text = source.read_text()
            for pattern in ("%d %b", "%d %B", "%-d"):
                if pattern in text:
                    offenders.append(f"{source.relative_to(ROOT)}: {pattern}")
    assert offenders == []
