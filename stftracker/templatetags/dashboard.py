"""Formatting for the dashboards: money, percentages, status badges, table cells, links."""
import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from common.dates import moment_label
from common.money import money_display, percent_display
from common.months import month_label
from performance.metrics import PAGE_NAMES
from stftracker.dashboards.charts import STATUS_ORDER, STATUS_STYLE, has_points

register = template.Library()


register.filter("percent", percent_display)
register.filter("has_points", has_points)

# A sum as a reason or message writes it (common.money.money_words): "-£1,234.50".
REASON_NEGATIVE = re.compile(r"-£(\d[\d,]*(?:\.\d+)?)")


def _kept_whole(text):
    return format_html('<span class="money">{}</span>', text)


@register.filter
def money(value):
    """A sum as a page shows it (``common.money.money_display``): ``£1,234.56``; a negative sum
    ``−£1,234.56`` (U+2212) in a span that does not wrap, so the sign stays with its amount."""
    text = money_display(value)
    return _kept_whole(text) if text.startswith("−") else text


@register.filter
def words(text):
    """A reason or message (stored and served by the API with "-£1,234.50") as a page shows it:
    the page's one form of a negative sum, ``−£1,234.50``, kept whole; the rest escaped."""
    if text is None:
        return ""
    escaped = str(conditional_escape(text))
    return mark_safe(REASON_NEGATIVE.sub(lambda found: str(_kept_whole(f"−£{found.group(1)}")), escaped))


@register.filter
def status_label(status):
    style = STATUS_STYLE.get(status)
    return style["label"] if style else status


@register.simple_tag
def status_badge(status):
    """Status as text with a glyph and a border, never by colour alone."""
    style = STATUS_STYLE.get(status, {"label": status, "glyph": "?"})
    return format_html('<span class="status status-{}"><span aria-hidden="true">{} </span>{}</span>',
                       status, style["glyph"], style["label"])


@register.simple_tag
def cell(row, column):
    """One table cell's text from a tidy row and a column spec (key, label, kind)."""
    key, _, kind = column
    value = row.get(key) if isinstance(row, dict) else getattr(row, key, None)
    if kind == "money":
        return money_display(value)
    if kind == "percent":
        return percent_display(value)
    if kind == "status":
        return status_badge(value)
    if kind == "bool":
        return "—" if value is None else ("Yes" if value else "No")
    if kind == "datetime":  # a download writes it in ISO 8601 (common.exports)
        return moment_label(value) if value else "—"
    if kind == "month":  # a download writes it 2016-06
        return month_label(value) if value else "—"
    if kind == "list":
        return "; ".join(str(item) for item in value) if value else "—"
    return "—" if value is None or value == "" else value


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters changed (None or "" removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def sort_value(row, column):
    """The raw value a script sorts a cell by (status by its order, money as a plain number)."""
    key, _, kind = column
    value = row.get(key)
    if value is None:
        return ""
    if kind == "status":
        return STATUS_ORDER.index(value) if value in STATUS_ORDER else len(STATUS_ORDER)
    return str(value)


@register.filter
def metric_label(code):
    return PAGE_NAMES.get(code, code)


@register.simple_tag
def league_row(row, columns, trust_url):
    """One league table row, built in one go (the table has a row per trust): the trust's name
    links to its page; every cell carries the raw value a script sorts by."""
    cells = [format_html('<th scope="row" data-value="{}"><a href="{}">{}</a> <span class="org-code">{}</span></th>',
                         row["trust_name"], trust_url.replace("__CODE__", row["org_code"]), row["trust_name"],
                         row["org_code"])]
    for column in columns[1:]:
        numeric = column[2] in ("money", "percent", "count")
        cells.append(format_html('<td data-value="{}"{}>{}</td>', sort_value(row, column),
                                 mark_safe(' class="num"') if numeric else "", cell(row, column)))
    return mark_safe("<tr>" + "".join(cells) + "</tr>")


@register.simple_tag
def table_rows(rows, columns):
    """The body rows of a chart's data table, built in one go."""
    out = []
    for row in rows:
        cells = [format_html("<td{}>{}</td>", mark_safe(' class="num"') if column[2] in ("money", "percent", "count") else "",
                             cell(row, column)) for column in columns]
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("".join(out))
