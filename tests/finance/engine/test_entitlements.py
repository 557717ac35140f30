"""compute_entitlements over a whole country: its shape and its fingerprints."""
from decimal import Decimal as D

from tests.finance.engine.country import ALL_TYPES, Country, rules_2016_17


def test_one_result_per_allocated_trust_and_quarter_and_stable_fingerprints():
    c = Country(rules_2016_17())
    for trust_id in range(1, 51):
        c.trust(trust_id, trust_type=ALL_TYPES[trust_id % 5]).finance_all(trust_id)
    first = c.results()
    assert len(first) == 200
    again = c.results()
    assert all(first[key].fingerprint == again[key].fingerprint for key in first)
    c.finance[0][3] = D("-999999.00")  # trust 1, Q1 actual changes
    changed = c.results()
    assert [key for key in first if first[key].fingerprint != changed[key].fingerprint] == [(1, 1)]
