"""Money: whole pennies for arithmetic, and the three ways the product writes a sum. Pure.

- :func:`money_text` is how records, JSON and CSV carry money: ``1234.50``, ``-1234.50``
  (:func:`pennies_text` from whole pennies);
- :func:`money_words` is how a reason says it: ``£125,000.00``, ``-£1,234.50``
  (:func:`pennies_words` from whole pennies);
- :func:`money_display` is how a page shows it: ``£1,234.56``, ``−£1,234.56`` (a true minus
  sign, read out by screen readers), and an em dash for nothing; :func:`millions_display` the
  finance-style headline of it, ``£12.3m`` and ``−£1.2m`` (millions to one decimal, half-up);
- :func:`money_short` is how a chart's axis labels it: ``£1.5m``, ``£250k``, ``−£40k``.

:func:`parse_pounds` reads an amount back as any of these print it, so that a figure copied from a
page can be typed into a form.
"""
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MILLION = Decimal("1000000")
MINUS_SIGN = "\u2212"
# Spaces are read beside a sign, a pound sign or a bracket ("− £1,234", "( 1,234 )"), never between
# digits: "1 234" could be one number or two.
_SPACES = re.compile(r"(?<=[-+(£])\s+|\s+(?=[)£])")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


def parse_pounds(text) -> Decimal | None:
    """An amount of pounds as the site prints it or a person types it, exactly (not rounded); None
    for blank text. Reads ``−£2,328,000.00`` (a true minus sign), ``-£2,328,000.00``,
    ``£-2,328,000``, ``(2,700,000)`` and ``(£2,700,000.00)`` (brackets: negative), ``1234.56``,
    ``+£5``; thousands commas must group by three. Raises ``ValueError`` for anything else,
    a second sign or a number that is not finite."""
    raw = str(text if text is not None else "").strip().replace(MINUS_SIGN, "-").replace("\u00a0", " ")
    if not raw:
        return None
    body, negative, signed = _SPACES.sub("", raw), False, False
    if body.startswith("(") and body.endswith(")"):
        body, negative, signed = body[1:-1], True, True
    if body.startswith(("+", "-")) and not signed:
        body, negative, signed = body[1:], body[0] == "-", True
    if body.startswith("£"):
        body = body[1:]
    if body.startswith(("+", "-")) and not signed:
        body, negative = body[1:], body[0] == "-"
    if "," in body:
        if not _GROUPED.match(body):
            raise ValueError(f"{text!r} is not an amount of pounds.")
        body = body.replace(",", "")
    if not body or body.startswith(("+", "-")) or "(" in body or ")" in body or "£" in body:
        raise ValueError(f"{text!r} is not an amount of pounds.")
    try:
        amount = Decimal(body)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount of pounds.") from None
    if not amount.is_finite():
        raise ValueError(f"{text!r} is not a finite amount.")
    return -amount if negative else amount


def to_pennies(value) -> int:
    """A money value (Decimal, str or number) as whole pennies, rounded half-up."""
    return int(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def pennies_decimal(pennies) -> Decimal:
    """Whole pennies as pounds, a 2-decimal Decimal."""
    return Decimal(int(pennies)).scaleb(-2).quantize(CENT)


def pounds(value) -> Decimal:
    """A money value rounded half-up to the penny."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value) -> str:
    """Pounds as records write money: ``1234.00``."""
    return f"{pounds(value):.2f}"


def money_words(value) -> str:
    """Pounds as a reason says money: ``-£1,234.50``."""
    amount = pounds(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def pennies_text(pennies) -> str:
    """Whole pennies as records write money (the engine counts in pennies)."""
    return money_text(pennies_decimal(pennies))


def pennies_words(pennies) -> str:
    """Whole pennies as a reason says money."""
    return money_words(pennies_decimal(pennies))


def money_display(value) -> str:
    """Pounds as a page shows them: ``−£1,234.56``; nothing (None or "") as an em dash."""
    if value is None or value == "":
        return "—"
    amount = pounds(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def percent_display(value) -> str:
    """A percentage as a page shows it: ``92.50%``; nothing as an em dash."""
    if value is None or value == "":
        return "—"
    return f"{pounds(value)}%"


SHORT_UNITS = ((Decimal("1000000000"), "bn"), (Decimal("1000000"), "m"), (Decimal("1000"), "k"))


def money_short(value) -> str:
    """Pounds in a few characters, for an axis tick: ``£1.5m``, ``£250k``, ``£1.25bn``, ``£800``,
    ``−£40k`` (U+2212); at most two decimals of the unit, trailing zeros dropped (k for thousands,
    m for millions: never the SI "m" for milli)."""
    amount = pounds(value)
    sign = "−" if amount < 0 else ""
    size = abs(amount)
    for unit, word in SHORT_UNITS:
        if size >= unit:
            shown = (size / unit).quantize(CENT, rounding=ROUND_HALF_UP)
            return f"{sign}£{_without_trailing_zeros(shown)}{word}"
    return f"{sign}£{_without_trailing_zeros(size.quantize(CENT, rounding=ROUND_HALF_UP))}"


def _without_trailing_zeros(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def millions(value) -> Decimal:
    """Pounds as millions to one decimal, rounded half-up (away from zero on a half) from the
    exact pennies: 12,349,999.99 is 12.3, 12,350,000.00 is 12.4."""
    return (pounds(value) / MILLION).quantize(TENTH, rounding=ROUND_HALF_UP)


def millions_display(value) -> str:
    """Pounds as a headline shows them: ``£12.3m``, ``−£1.2m`` (a true minus sign, as
    :func:`money_display`); a sum that rounds to nothing is ``£0.0m``; nothing is an em dash."""
    if value is None or value == "":
        return "—"
    amount = millions(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,}m"
