"""Days and moments as pages and messages write them: one form of each (months are
``common.months.month_label``, "Dec 2016").

- :func:`day_label`: ``1 Dec 2016`` (Django's ``date:"j M Y"`` in templates);
- :func:`moment_label`: ``1 Dec 2016, 14:05`` in the site's time zone (``date:"j M Y, H:i"``).
"""
import datetime

from django.utils import timezone

DAY = "j M Y"  # the same forms for templates' |date
MOMENT = "j M Y, H:i"


def day_label(day: datetime.date) -> str:
    """A day as a page says it: ``1 Dec 2016`` (no leading zero, the month's short name)."""
    return f"{day.day} {day:%b %Y}"


def moment_label(moment: datetime.datetime) -> str:
    """A moment as a page says it, in the site's time zone: ``1 Dec 2016, 14:05``."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{day_label(moment)}, {moment:%H:%M}"
