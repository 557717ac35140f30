"""Tidy entitlement rows and their pure sums: reasons money was withheld, headline totals."""
import datetime
from decimal import Decimal

from stftracker.dashboards.tidy import Period, flatten, headline, reason_rows, withheld_reasons

D = Decimal
START = datetime.date(2016, 4, 1)


def values_row(status, *, allocation, earned, withheld, pending="0.00", metrics=(), quarter=1):
    return {
        "trust__org_code": "RAA", "trust__name": "A NHS Trust", "trust__trust_type": "acute",
        "trust__region__code": "Y56", "trust__region__name": "London", "trust__footprint__code": None,
        "trust__footprint__name": None, "scheme__code": "2016-17", "scheme__start_date": START, "quarter": quarter,
        "status": status, "allocation": D(allocation), "earned": D(earned), "withheld": D(withheld),
        "pending": D(pending), "finance_met": status != "finance_failed",
        "detail": {"finance": {"met": True, "element": "0", "ytd_plan": "-10.00", "ytd_actual": "-4.50"},
                   "metrics": list(metrics), "reasons": ["why"]},
        "computed_at": None,
    }


def metric(code, element, met, performance="90.00"):
    return {"metric": code, "applicable": True, "element": element, "met": met, "performance": performance}


def test_withheld_money_is_put_down_to_its_reasons():
    partial = flatten(values_row("partial", allocation="1000.00", earned="825.00", withheld="175.00",
                                 metrics=[metric("ae", "125.00", False), metric("rtt", "125.00", True),
                                          metric("cancer62", "50.00", False)]))
    assert partial["withheld_by_reason"] == {"ae": D("125.00"), "cancer62": D("50.00")}
    assert partial["variance"] == D("5.50")  # −4.50 − (−10.00)
    assert partial["ae_performance"] == D("90.00") and partial["ae_met"] is False
    assert partial["footprint_code"] == "" and partial["period"] == Period("2016-17", START, 1)
    failed = flatten(values_row("finance_failed", allocation="1000.00", earned="0.00", withheld="1000.00",
                                metrics=[metric("ae", "125.00", False)]))
    assert failed["withheld_by_reason"] == {"finance": D("1000.00")}  # the whole quarter, not the metric too
    no_ct = flatten(values_row("no_control_total", allocation="1000.00", earned="0.00", withheld="1000.00"))
    assert no_ct["withheld_by_reason"] == {"no_control_total": D("1000.00")}
    # Money withheld that no missed metric explains is shown as "other", never lost.
    odd = flatten(values_row("partial", allocation="1000.00", earned="900.00", withheld="100.00",
                             metrics=[metric("ae", "60.00", False)]))
    assert odd["withheld_by_reason"] == {"ae": D("60.00"), "other": D("40.00")}
    assert withheld_reasons({**odd, "withheld": D("0.00")}) == {}


def test_headline_and_reason_rows_add_up_to_the_penny():
    rows = [
        flatten(values_row("partial", allocation="1000.01", earned="874.99", withheld="125.02",
                           metrics=[metric("ae", "125.02", False)])),
        flatten(values_row("pending", allocation="500.00", earned="0.00", withheld="0.00", pending="500.00")),
        flatten(values_row("full", allocation="250.00", earned="250.00", withheld="0.00", quarter=2)),
    ]
    totals = headline(rows)
    assert (totals["allocation"], totals["earned"], totals["withheld"], totals["pending"]) == (
        D("1750.01"), D("1124.99"), D("125.02"), D("500.00"))
    assert totals["withheld_by_reason"] == [("ae", "A&E 4 hours missed", D("125.02"))]
    assert dict(totals["by_status"])["pending"] == 1
    bars = {(r["period"], r["measure"]): r["amount"] for r in reason_rows(rows)}
    assert bars == {("2016-17 Q1", "earned"): D("874.99"), ("2016-17 Q1", "withheld_ae"): D("125.02"),
                    ("2016-17 Q1", "pending"): D("500.00"), ("2016-17 Q2", "earned"): D("250.00"),
                    ("2016-17 Q2", "pending"): D("0.00")}
