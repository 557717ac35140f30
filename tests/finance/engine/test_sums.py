"""A quarter's performance is summed from its months, exactly."""
import datetime

from tests.finance.engine.country import Country, metric, rules_2016_17


def test_quarter_performance_is_the_sum_of_numerators_over_the_sum_of_denominators():
    # (90 + 950 + 1) / (100 + 1000 + 10) = 1041/1110 = 93.78378...%; the mean of the monthly rates would be 66.33%.
    c = Country(rules_2016_17()).trust(1).finance_at(1, 2)
    c.performance += [[1, datetime.date(2016, 7, 1), "ae", 90, 100], [1, datetime.date(2016, 8, 1), "ae", 950, 1000],
                      [1, datetime.date(2016, 9, 1), "ae", 1, 10]]
    r = c.results()[(1, 2)]
    assert metric(r, "ae")["performance"] == "93.78"
    assert r.performance["ae"] == (1041, 1110)
