"""The national Making Data Count table, ``/making-data-count/?year=&region=``: one row per trust,
a column per metric with the variation and assurance icons of its monthly SPC chart (``spc.analyse``)
against the scheme's national standard (trajectories are the trusts' own, so not used here), a
count per icon at the top and a CSV download (``?format=csv``).

Every trust's months are read in one query (``selectors.performance_by_trust``) and read by the
rules in Python: the page's queries do not grow with the number of trusts.
"""
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from common.exports import table_csv_response
from performance.metrics import PAGE_NAMES

from . import selectors, spc

VARIATIONS = [spc.IMPROVEMENT, spc.CONCERN, spc.COMMON_CAUSE, None]
ASSURANCES = [spc.CONSISTENT_PASS, spc.CONSISTENT_FAIL, spc.HIT_AND_MISS, None]
NO_VARIATION = "Too few points for SPC"
NO_ASSURANCE = "No assurance (too few points or no standard)"


def scheme_metrics(scheme):
    """The metrics any trust type is judged on under the scheme, in the order the pages list them."""
    judged = {m for metrics in scheme["applicability"].values() for m in metrics}
    return [m for m in PAGE_NAMES if m in judged]


def metric_cell(metric, series, scheme, trust_type):
    """One trust's reading of one metric: the icons (None where not given) in words, or that the
    scheme does not judge its trust type on the metric."""
    if metric not in scheme["applicability"].get(trust_type, []):
        return {"metric": metric, "applicable": False}
    standard = scheme["standards"].get(metric)
    standard = Decimal(str(standard)) if standard is not None else None
    reading = spc.analyse([p["performance"] for p in series], target=standard)
    latest = next((p for p in reversed(series) if p["performance"] is not None), None)
    return {
        "metric": metric, "applicable": True, "points": reading.points, "standard": standard,
        "variation": reading.variation, "assurance": reading.assurance,
        "variation_label": spc.VARIATION_LABELS[reading.variation] if reading.variation else
        f"{NO_VARIATION} ({reading.points} of {spc.SPC_MIN_POINTS})",
        "assurance_label": spc.ASSURANCE_LABELS[reading.assurance] if reading.assurance else NO_ASSURANCE,
        "latest_month": latest["month"] if latest else None,
        "latest": latest["performance"] if latest else None,
    }


def mdc_rows(trusts, series, scheme, metrics):
    """A row per trust with a cell per metric (pure): ``series`` {trust_id: {metric: points}}."""
    return [{**trust, "cells": [metric_cell(m, series.get(trust["id"], {}).get(m, []), scheme, trust["trust_type"])
                                for m in metrics]} for trust in trusts]


def icon_counts(rows, metrics):
    """Per metric, how many trusts show each variation and each assurance icon (None: no icon),
    among the trusts the metric applies to."""
    counts = []
    for index, metric in enumerate(metrics):
        cells = [row["cells"][index] for row in rows if row["cells"][index]["applicable"]]
        counts.append({
            "metric": metric, "label": PAGE_NAMES[metric], "trusts": len(cells),
            "variation": [(kind, spc.VARIATION_LABELS.get(kind, NO_VARIATION), sum(c["variation"] == kind for c in cells))
                          for kind in VARIATIONS],
            "assurance": [(kind, spc.ASSURANCE_LABELS.get(kind, NO_ASSURANCE), sum(c["assurance"] == kind for c in cells))
                          for kind in ASSURANCES],
        })
    return counts


def csv_table(rows, metrics):
    """The table as the CSV carries it (``common.exports.table_csv_response``): readable headings, a
    column per metric and reading, months and percentages written as every page download writes them."""
    columns = [("name", "Trust", "text"), ("org_code", "Code", "text"), ("region__name", "Region", "text"),
               ("type_label", "Trust type", "text")]
    for metric in metrics:
        label = PAGE_NAMES[metric]
        columns += [(f"{metric}:variation", f"{label}: variation", "text"),
                    (f"{metric}:assurance", f"{label}: assurance", "text"),
                    (f"{metric}:points", f"{label}: months", "count"),
                    (f"{metric}:latest_month", f"{label}: latest month", "month"),
                    (f"{metric}:latest", f"{label}: latest %", "percent"),
                    (f"{metric}:standard", f"{label}: standard %", "percent")]
    out = []
    for row in rows:
        line = {"name": row["name"], "org_code": row["org_code"], "region__name": row["region__name"],
                "type_label": selectors.TRUST_TYPE_LABELS.get(row["trust_type"], row["trust_type"])}
        for metric, cell in zip(metrics, row["cells"]):
            if not cell["applicable"]:
                line[f"{metric}:variation"] = line[f"{metric}:assurance"] = "Not judged on this metric"
                continue
            line.update({f"{metric}:variation": cell["variation_label"], f"{metric}:assurance": cell["assurance_label"],
                         f"{metric}:points": cell["points"], f"{metric}:latest_month": cell["latest_month"],
                         f"{metric}:latest": cell["latest"], f"{metric}:standard": cell["standard"]})
        out.append(line)
    return out, columns


@login_required
@require_safe
def making_data_count(request):
    """Every trust's SPC icons for the chosen scheme year (``?year=``, by default the latest
    decided period's), a region's with ``?region=``."""
    schemes = selectors.scheme_options()
    by_code = {s["code"]: s for s in schemes}
    scheme = by_code.get(request.GET.get("year"))
    if scheme is None and schemes:
        default = selectors.latest_decided_period()
        scheme = by_code.get(default.scheme) if default else schemes[-1]
    regions = selectors.regions()
    region = request.GET.get("region", "")
    if region not in {r["code"] for r in regions}:
        region = ""
    context = {"title": "Making Data Count", "schemes": schemes, "scheme": scheme, "regions": regions,
               "region": region, "region_name": next((r["name"] for r in regions if r["code"] == region), "")}
    if scheme is None:
        return render(request, "dashboard/making_data_count.html", context)
    metrics = scheme_metrics(scheme)
    trusts = selectors.mdc_trusts(scheme["code"], region or None)
    series = selectors.performance_by_trust(scheme["start_date"], [t["id"] for t in trusts])
    rows = mdc_rows(trusts, series, scheme, metrics)
    if request.GET.get("format") == "csv":
        lines, columns = csv_table(rows, metrics)
        return table_csv_response(f"stf-making-data-count-{scheme['code']}{'-' + region if region else ''}.csv",
                                  lines, columns)
    trust_url = reverse("trust-detail", args=["__CODE__"]) + f"?year={scheme['code']}"
    for row in rows:
        row["url"] = trust_url.replace("__CODE__", row["org_code"])
        row["type_label"] = selectors.TRUST_TYPE_LABELS.get(row["trust_type"], row["trust_type"])
    context.update(metrics=[(m, PAGE_NAMES[m], scheme["standards"].get(m)) for m in metrics], rows=rows,
                   counts=icon_counts(rows, metrics))
    return render(request, "dashboard/making_data_count.html", context)
