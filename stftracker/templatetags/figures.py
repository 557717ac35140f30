"""Finance-style figures: money in £m for headlines with the exact pounds kept for hover and for
screen readers, and changes on an earlier quarter said in words."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.money import millions, millions_display, money_display, money_text, pounds
from performance.metrics import PAGE_NAMES

register = template.Library()

register.filter("money_m", millions_display)


@register.simple_tag
def money_figure(value):
    """A headline sum as ``£12.3m``, the exact pounds on hover (``title``) and, for screen
    readers, in place of the rounded figure; ``value`` holds the pounds for scripts. A sum that is
    not nothing but would read ``£0.0m`` (under £50,000.00 either way) is shown in exact pounds."""
    if value is None or value == "":
        return mark_safe('<span aria-hidden="true">—</span><span class="visually-hidden">none</span>')
    exact = money_display(value)
    shown = exact if millions(value) == 0 and pounds(value) != 0 else millions_display(value)
    return format_html('<data class="money-m" value="{}" title="{}"><span aria-hidden="true">{}</span>'
                       '<span class="visually-hidden">{}</span></data>',
                       money_text(value), exact, shown, exact)


@register.simple_tag
def change_words(change, *, measure="Earned"):
    """A change on an earlier quarter in words (the arrow is decoration only): "Earned up £0.3m
    (+2.50 percentage points of allocation) on 2016-17 Q1", or that there is no earlier quarter."""
    if change is None or not change.get("available"):
        label = change.get("label") if change else ""
        return format_html('<span class="change change-none">{}: no earlier quarter{}</span>', measure,
                           f" ({label})" if label else "")
    glyph = {"up": "▲", "down": "▼"}.get(change["direction"], "■")
    if change["direction"] == "unchanged":
        amount = "unchanged"
    else:
        amount = format_html("{} {}", change["direction"], money_figure(abs(change["earned"])))
    points = ""
    if change.get("points") is not None:
        sign = "+" if change["points"] > 0 else "−" if change["points"] < 0 else "±"
        points = format_html(" ({}{} percentage points of allocation)", sign, f"{abs(change['points']):.2f}")
    return format_html('<span class="change change-{}"><span aria-hidden="true">{} </span>{} {}{} on {}'
                       ' (from {} to {})</span>', change["direction"], glyph, measure, amount, points,
                       change["label"], money_figure(change["before"]), money_figure(change["after"]))


@register.simple_tag
def spc_icons(cell):
    """A metric's variation and assurance icons in one table cell, as the trust page's SPC charts
    badge them (``spc-icon``), in words; or that the trust is not judged on the metric."""
    if not cell["applicable"]:
        return format_html('<span aria-hidden="true">—</span><span class="visually-hidden">Not judged on {}</span>',
                           PAGE_NAMES.get(cell["metric"], cell["metric"]))
    return format_html('<span class="spc-icons"><span class="spc-icon spc-{}">{}</span> '
                       '<span class="spc-icon spc-{}">{}</span></span>',
                       cell["variation"] or "none", cell["variation_label"],
                       cell["assurance"] or "none", cell["assurance_label"])
