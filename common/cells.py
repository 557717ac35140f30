"""Parsers of single cells: each takes the text a user typed and returns a typed value, or raises
:class:`~common.errors.CellError` with a message that says what is wrong (without naming row or
column, which :class:`~common.tabular.RowReader` adds). Pure: no database."""
import datetime
import re
from decimal import Decimal, InvalidOperation

from .errors import CellError

MONEY_LIMIT = Decimal("10000000000")  # £10bn: larger figures are typing errors, not trusts
COUNT_LIMIT = 100_000_000
MONTHS = {
    name: number
    for number, name in enumerate(
        ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
         "NOVEMBER", "DECEMBER"],
        start=1,
    )
}



MONEY_TEXT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")
NUMBER_TEXT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
WHOLE_TEXT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)$")
# Spaces are allowed beside a sign, a pound sign or a bracket ("- 1,234", "£ 1,234", "( 1,234 )"),
# never between digits: "1 234" could be one number or two, so it is not read.
MONEY_SPACES = re.compile(r"(?<=[-(£])\s+|\s+(?=[)£-])")
NOT_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}


def _reject_not_finite(text):
    if text.lower() in NOT_FINITE:
        raise CellError("is not a finite number.")


def parse_money(text: str) -> Decimal:
    """Pounds as a 2-decimal Decimal: ``1234.56``, ``-1234``, ``£1,234``, ``(1,234)`` (negative)."""
    raw = str(text).strip()
    if raw == "":
        raise CellError("is empty: a sum of money is required.")
    _reject_not_finite(raw)
    body, negative = MONEY_SPACES.sub("", raw), False
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1], True
    if body.startswith("-"):
        if negative:
            raise CellError("is not a sum of money (use 1234.56, -1234, £1,234 or (1,234)).")
        body, negative = body[1:], True
    if body.startswith("£"):
        body = body[1:]
    if body.startswith("-") and not negative:
        body, negative = body[1:], True
    if not MONEY_TEXT.match(body):
        raise CellError("is not a sum of money (use 1234.56, -1234, £1,234 or (1,234)).")
    value = Decimal(body.replace(",", ""))
    if value != value.quantize(Decimal("0.01")):
        raise CellError("has more than two decimal places (pounds and pence).")
    value = value.quantize(Decimal("0.01"))
    if negative:
        value = -value
    if abs(value) > MONEY_LIMIT:
        raise CellError("is beyond £10bn either way: check the units (pounds, not thousands).")
    return value


def _number(text, what, *, percent=False):
    raw = str(text).strip()
    if raw == "":
        raise CellError(f"is empty: {what} is required.")
    _reject_not_finite(raw)
    if raw.endswith("%"):
        if not percent:
            raise CellError(f"is a percentage, not {what}.")
        raw = raw[:-1].strip()
    if not NUMBER_TEXT.match(raw):
        raise CellError(f"is not a number ({what} is required).")
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above guards this
        raise CellError(f"is not a number ({what} is required).") from exc


def parse_count(text: str, *, blank_is_zero: bool = False) -> int:
    """A whole, non-negative number, written without a decimal point (commas between thousands
    allowed): ``9400.0`` or ``9400.5`` is refused, since a count written as a decimal was most
    likely a computed figure and cannot be taken as an exact count. An XLSX number cell holding
    a whole number reads as one (``9400``)."""
    if blank_is_zero and str(text).strip() in {"", "-"}:
        return 0
    value = _number(text, "a whole number")
    if value != value.to_integral_value():
        raise CellError("is fractional: a count must be a whole number.")
    if not WHOLE_TEXT.match(str(text).strip()):
        raise CellError("has a decimal point: a count must be a whole number, written without one.")
    if value < 0:
        raise CellError("is negative: a count cannot be below zero.")
    if value > COUNT_LIMIT:
        raise CellError(f"is larger than {COUNT_LIMIT:,}: check the figure.")
    return int(value)


def parse_percent(text: str) -> Decimal:
    """A percentage between 0 and 100 (``92.5`` or ``92.5%``), at most 2 decimal places."""
    value = _number(text, "a percentage", percent=True)
    if not (0 <= value <= 100):
        raise CellError("is outside 0-100: a percentage is required (e.g. 92.5).")
    if value != value.quantize(Decimal("0.01")):
        raise CellError("has more than two decimal places.")
    return value.quantize(Decimal("0.01"))


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


def parse_yes_no(text: str) -> bool:
    value = str(text).strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellError("is not yes or no.")


MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00(?::00)?)?$")
NHSE_PERIOD = re.compile(r"^MSITAE-([A-Z]+)-(\d{4})$")


def parse_month(text: str) -> datetime.date:
    """``YYYY-MM`` (or a first-of-month date ``YYYY-MM-01``, as spreadsheets store it)."""
    raw = str(text).strip()
    if raw == "":
        raise CellError("is empty: a month (YYYY-MM) is required.")
    match = MONTH_TEXT.match(raw)
    if not match:
        raise CellError("is not a month: use YYYY-MM (e.g. 2016-06).")
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    if not 1 <= month <= 12:
        raise CellError("is not a month: the month must be 01 to 12.")
    if day != 1:
        raise CellError("is a date within a month: give the month as YYYY-MM.")
    if year < 2000:
        raise CellError("is before 2000: check the year.")
    return datetime.date(year, month, 1)


def parse_nhse_period(text: str) -> datetime.date:
    """NHS England's ``MSitAE-APRIL-2016`` (also plain ``YYYY-MM``)."""
    raw = str(text).strip()
    match = NHSE_PERIOD.match(raw.upper())
    if match:
        if match[1] not in MONTHS:
            raise CellError(f"names an unknown month {match[1]!r}.")
        return datetime.date(int(match[2]), MONTHS[match[1]], 1)
    try:
        return parse_month(raw)
    except CellError as exc:
        raise CellError("is not a period such as MSitAE-APRIL-2016.") from exc


PUBLISHED_MONTH = re.compile(r"^(?:[A-Z]+-)??([A-Z]+)[\s\-/]+(\d{4}|\d{2})$")
MONTH_ABBREVIATIONS = {name[:3]: number for name, number in MONTHS.items()} | {"SEPT": 9}


def parse_published_month(text: str) -> datetime.date:
    """A month as NHS England's published files write it: ``March 2017``, ``MAR-2017``,
    ``Mar-17``, ``RTT-March-2017`` (a prefix of letters and a dash is ignored), ``2017-03`` or a
    first-of-month date ``2017-03-01``. Month names in full or in three letters (``Sept`` too),
    any case."""
    raw = " ".join(str(text).split())
    if raw == "":
        raise CellError("is empty: a month (such as March 2017 or 2017-03) is required.")
    if MONTH_TEXT.match(raw):
        return parse_month(raw)
    match = PUBLISHED_MONTH.match(raw.upper())
    number = None
    if match:
        number = MONTHS.get(match[1]) or MONTH_ABBREVIATIONS.get(match[1])
    if number is None:
        raise CellError("is not a month: use a month such as March 2017, MAR-2017 or 2017-03.")
    year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
    if year < 2000:
        raise CellError("is before 2000: check the year.")
    return datetime.date(year, number, 1)


def parse_date(text: str) -> datetime.date | None:
    """An ODS date: ``YYYYMMDD`` or ``YYYY-MM-DD``; blank is None."""
    raw = str(text).strip()
    if not raw:
        return None
    for pattern in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise CellError("is not a date (YYYYMMDD or YYYY-MM-DD).")


ORG_CODE = re.compile(r"^[A-Z0-9]{3,8}$")


def parse_org_code(text: str) -> str:
    value = str(text).strip().upper()
    if not value:
        raise CellError("is empty: an ODS organisation code is required.")
    if not ORG_CODE.match(value):
        raise CellError("is not an ODS organisation code (3 to 8 letters and digits).")
    return value


def parse_scheme_year(text: str) -> str:
    """A financial year such as ``2016-17`` (``2016/17`` is accepted too)."""
    raw = str(text).strip().replace("/", "-")
    match = re.match(r"^(\d{4})-(\d{2})$", raw)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise CellError("is not a financial year such as 2016-17.")
    return raw
