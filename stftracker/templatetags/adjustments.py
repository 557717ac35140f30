"""The trust page's adjustments on review (``templates/dashboard/_trust_adjustments.html``)."""
from django import template

from stftracker.dashboards.adjustments import trust_adjustments as adjustments_of

register = template.Library()


@register.simple_tag
def trust_adjustments(trust, period, user):
    """The adjustments of ``trust`` in the year of ``period`` that ``user`` may see (one query; none
    for users who are neither analysts nor the trust's finance directors)."""
    if period is None:
        return []
    return adjustments_of(trust, period.scheme, user)
