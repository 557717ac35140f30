"""The reasons of a quarter name its figures, in the words of RULES.md."""
import datetime
from decimal import Decimal as D
from fractions import Fraction

from finance.engine.reasons import MetricFigures, finance_reason, metric_reason, percent_text
from tests.finance.engine.country import Country, prior_year_country, rules_2016_17


def test_the_design_example_reason():
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2).perf(1, 2, "rtt", 99, 100).perf(1, 2, "cancer62", 99, 100)
    c.perf(1, 2, "ae", 912, 1000).trajectory(1, 2, "ae", "92")
    r = Country.results(c)[(1, 2)]
    assert "A&E 91.20% is below both its trajectory 92.00% and the standard 95.00%: £31,250.00 withheld" in r.reasons


def test_2018_19_reasons_name_the_prior_year_figure():
    assert "A&E 89.90% beats 88.00% in Q2 2017-18: £60,000.00 earned" in prior_year_country(899, 880).reasons
    assert ("A&E 88.00% is below the threshold 90.00% and does not beat 88.00% in Q2 2017-18: £60,000.00 withheld"
            in prior_year_country(880, 880).reasons)


def figures(**changes):
    values = dict(metric="ae", element=3125000, performance=None, trajectory=None, standard="95.00",
                  on_agreement=False, pending=False, missing=[], at_standard=False, at_trajectory=False,
                  beats_prior=False, prior=None)
    values.update(changes)
    return MetricFigures(**values)


def test_a_reason_writes_the_figures_it_is_given_and_computes_none():
    assert metric_reason(figures(pending=True, missing=[datetime.date(2016, 7, 1), datetime.date(2016, 9, 1)]),
                         prior_year_rule=False, quarter=2, comparison=None) == (
        "A&E: data for July 2016, September 2016 has not arrived: £31,250.00 pending")
    assert metric_reason(figures(metric="cancer62", pending=True), prior_year_rule=False, quarter=2,
                         comparison=None) == "Cancer 62-day: the quarter has no cases to judge: £31,250.00 pending"
    assert metric_reason(figures(performance=Fraction(8995, 100)), prior_year_rule=True, quarter=3,
                         comparison="2017-18") == (
        "A&E 89.95% is below the threshold 95.00% (no complete figure for Q3 2017-18): £31,250.00 withheld")


def test_the_finance_reason_follows_the_status():
    words = dict(has_finance=True, scheme="2016-17", month=datetime.date(2016, 6, 1), allocation=25000000,
                 plan=-50000000, actual=-50000001, element=17500000)
    assert finance_reason("no_control_total", **words) == (
        "The control total for 2016-17 has not been accepted: the quarter's £250,000.00 is withheld")
    assert finance_reason("finance_failed", **words) == (
        "Finance: YTD actual -£500,000.01 is behind the YTD plan -£500,000.00 at June 2016: "
        "the quarter's £250,000.00 is withheld")
    assert finance_reason("pending", **words) == (
        "Finance: YTD actual -£500,000.01 is on or ahead of the YTD plan -£500,000.00 at June 2016: "
        "£175,000.00 earned")
    assert finance_reason("pending", **{**words, "has_finance": False}) == (
        "The finance return for June 2016 has not arrived: the quarter's £250,000.00 is pending")


def test_percentages_are_rounded_half_up_for_display_only():
    assert percent_text(Fraction(91995, 1000)) == "92.00"
    assert percent_text(Fraction(91994999, 1000000)) == "91.99"
    assert percent_text(D("95")) == "95.00"
    assert percent_text(None) is None
