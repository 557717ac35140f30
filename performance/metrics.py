"""The performance metrics STF judges, and the names each is known by. Pure: no Django.

One row per metric code; each of its names is a column, so a name is written once and every
place that shows a metric reads it from here:

* ``choice``: the metric as a form, the admin and the API's choices offer it;
* ``page``: the metric on the dashboards, their charts and tables;
* ``reason``: the short name an entitlement's reasons give it.
"""
from typing import NamedTuple


class MetricNames(NamedTuple):
    code: str
    choice: str
    page: str
    reason: str


METRICS = (
    MetricNames("ae", choice="A&E 4 hours", page="A&E 4 hours", reason="A&E"),
    MetricNames("rtt", choice="Elective RTT 18 weeks", page="RTT 18 weeks", reason="RTT"),
    MetricNames("cancer62", choice="Cancer 62 days", page="Cancer 62 days", reason="Cancer 62-day"),
)

CHOICE_NAMES = {metric.code: metric.choice for metric in METRICS}
PAGE_NAMES = {metric.code: metric.page for metric in METRICS}
REASON_NAMES = {metric.code: metric.reason for metric in METRICS}
