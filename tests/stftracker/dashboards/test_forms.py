"""The trust page's what-if form: overrides parsed as the page always has, errors in field order."""
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.http import QueryDict

from stftracker.dashboards.forms import WhatIfForm

D = Decimal


def form_for(query, metrics=("ae", "rtt")):
    form = WhatIfForm(QueryDict(query), metrics=metrics)
    form.is_valid()
    return form


def test_percentages_and_pounds_as_people_write_them():
    form = form_for("perf_ae=+93.5%25&perf_rtt=%2092%20&actual_ytd=%C2%A3-1,250,000.50")
    assert form.error_list() == []
    assert form.performance == {"ae": D("93.5"), "rtt": D("92")}
    assert form.actual_ytd == D("-1250000.50")


def test_blank_fields_are_no_override():
    form = form_for("what_if=1&perf_ae=&perf_rtt=%25&actual_ytd=%20")
    assert form.error_list() == [] and form.performance == {} and form.actual_ytd is None
    assert form_for("").performance == {}


def test_errors_name_the_metric_in_field_order():
    form = form_for("actual_ytd=lots&perf_rtt=101&perf_ae=abc")
    assert form.error_list() == [
        ("perf_ae", "A&E 4 hours must be a percentage, like 93.5."),
        ("perf_rtt", "RTT 18 weeks must be between 0 and 100."),
        ("actual_ytd", "The YTD actual must be an amount in pounds, like -1250000."),
    ]
    assert form_for("perf_ae=NaN&actual_ytd=Infinity").error_list() == [
        ("perf_ae", "A&E 4 hours must be between 0 and 100."),
        ("actual_ytd", "The YTD actual must be an amount in pounds, like -1250000."),
    ]
    assert form_for("perf_ae=-0.01").error_list() == [("perf_ae", "A&E 4 hours must be between 0 and 100.")]
    assert form_for("perf_ae=0&perf_rtt=100").performance == {"ae": D("0"), "rtt": D("100")}


def test_only_the_trusts_metrics_are_read():
    form = form_for("perf_cancer62=abc&perf_ae=90", metrics=("ae",))
    assert form.error_list() == [] and form.performance == {"ae": D("90")}


def test_amounts_are_pounds_and_pence_no_larger_than_a_return_holds():
    assert form_for("actual_ytd=1.50000").actual_ytd == D("1.50")
    assert form_for("actual_ytd=-99,999,999,999,999.99").actual_ytd == D("-99999999999999.99")
    assert form_for("actual_ytd=1.005").error_list() == [
        ("actual_ytd", "The YTD actual must be in pounds and pence, at most 2 decimal places.")]
    for amount in ("1e10000", "-1e10000", "100000000000000", "1E%2B14"):
        assert form_for(f"actual_ytd={amount}").error_list() == [
            ("actual_ytd", "The YTD actual is too large: at most £99,999,999,999,999.99 either way.")], amount


@pytest.mark.parametrize("typed, pounds", [
    ("−£2,328,000.00", D("-2328000.00")),  # as a page prints it, with a true minus sign
    ("-£2,328,000.00", D("-2328000.00")),  # as a reason writes it
    ("£-2,328,000", D("-2328000.00")),
    ("(2,700,000)", D("-2700000.00")),  # brackets for a negative, as in accounts
    ("(£2,700,000.00)", D("-2700000.00")),
    ("2328000.5", D("2328000.50")),
])
def test_the_ytd_actual_and_plan_accept_amounts_as_the_site_prints_them(typed, pounds):
    form = form_for("actual_ytd=" + quote(typed) + "&ytd_plan=" + quote(typed))
    assert form.error_list() == []
    assert form.actual_ytd == pounds and form.ytd_plan == pounds


@pytest.mark.parametrize("typed", ["--5", "(-5)", "1,2,3", "1 234", "£", "5-", "(5"])
def test_an_amount_that_is_not_one_is_an_error_naming_the_field(typed):
    assert form_for("ytd_plan=" + quote(typed)).error_list() == [
        ("ytd_plan", "The YTD plan must be an amount in pounds, like -1250000.")]
