"""Months as the product counts them: a month is the date of its first day. Pure."""
import datetime

from dateutil.relativedelta import relativedelta


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months after (or, negative, before) ``month``."""
    return month.replace(day=1) + relativedelta(months=count)


def month_range(start: datetime.date, count: int) -> list[datetime.date]:
    """``count`` consecutive months from ``start``."""
    return [add_months(start, offset) for offset in range(count)]


def months_between(start: datetime.date, month):
    """How many months ``month`` is after ``start`` (0 for the same month). ``month`` may be a
    date, or a pandas column's ``.dt`` accessor: then the answer is a column."""
    return (month.year - start.year) * 12 + month.month - start.month


def month_text(month: datetime.date | None) -> str | None:
    """A month as files and JSON write it: ``2016-06``."""
    return month.strftime("%Y-%m") if month else None


def month_label(month: datetime.date) -> str:
    """A month as a chart axis shows it: ``Jun 2016``."""
    return month.strftime("%b %Y")


def month_name(month: datetime.date) -> str:
    """A month as a sentence says it: ``June 2016``."""
    return month.strftime("%B %Y")
