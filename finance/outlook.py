"""The outlook of one trust's quarter in progress, read from the database: the engine's inputs for
that trust alone (``selectors.engine_inputs``), its latest forecast outturn, and the due dates of
the quarter's returns (``chase.trust_due_dates``). A fixed, small number of queries whatever the
number of trusts; the arithmetic is :mod:`finance.engine.outlook`.
"""
from __future__ import annotations

from common.months import add_months, month_text

from . import chase, selectors
from .engine.outlook import Outlook, quarter_outlook
from .models import FinanceReturn, Scheme


def latest_forecast(trust_id, scheme: Scheme, quarter: int):
    """(month, forecast outturn) of the trust's latest current finance return of the year up to the
    quarter's last month, or None (one query)."""
    last = add_months(scheme.start_date, quarter * 3 - 1)
    return (FinanceReturn.objects.current()
            .filter(trust_id=trust_id, month__gte=scheme.start_date, month__lte=last)
            .order_by("-month").values_list("month", "forecast_outturn").first())


def due_record(item) -> dict:
    return {"kind": item.kind, "month": month_text(item.month), "due": item.due.isoformat(), "state": item.state,
            "received_on": item.received_on.isoformat() if item.received_on else None}


def trust_outlook(trust, scheme: Scheme, quarter: int, *, as_of=None, with_due=True) -> tuple[Outlook, dict] | None:
    """The engine's outlook of ``trust``'s ``quarter`` and its record (with ``due``: the quarter's
    returns and their due dates, unless ``with_due`` is False), or None when the trust is not in the scheme."""
    rules = selectors.scheme_rules(scheme)
    inputs = selectors.engine_inputs(rules, trust_ids=[trust.pk])
    outlook = quarter_outlook(rules, inputs, trust.pk, quarter, forecast=latest_forecast(trust.pk, scheme, quarter))
    if outlook is None:
        return None
    record = outlook.record()
    if with_due:
        record["due"] = [due_record(item) for item in chase.trust_due_dates(trust, scheme, quarter, as_of=as_of)]
    return outlook, record
