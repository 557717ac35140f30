"""Months: the first day of each, counted across year ends."""
import datetime

from common.months import add_months, month_label, month_name, month_range, month_text, months_between

D = datetime.date


def test_adding_months_crosses_year_ends_both_ways():
    assert add_months(D(2016, 11, 1), 3) == D(2017, 2, 1)
    assert add_months(D(2017, 2, 1), -11) == D(2016, 3, 1)
    assert add_months(D(2016, 4, 30), 1) == D(2016, 5, 1)  # a month is its first day


def test_a_range_and_the_distance_between_months():
    assert month_range(D(2016, 12, 1), 3) == [D(2016, 12, 1), D(2017, 1, 1), D(2017, 2, 1)]
    assert months_between(D(2016, 4, 1), D(2017, 3, 1)) == 11
    assert months_between(D(2017, 3, 1), D(2016, 4, 1)) == -11


def test_months_as_files_charts_and_sentences_write_them():
    assert (month_text(D(2016, 6, 1)), month_text(None)) == ("2016-06", None)
    assert month_label(D(2016, 6, 1)) == "Jun 2016"
    assert month_name(D(2016, 6, 1)) == "June 2016"
