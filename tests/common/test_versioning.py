"""Import plans: each parsed row is new, changed (with what it replaces) or unchanged."""
from types import SimpleNamespace

from common.versioning import Plan


def test_a_row_is_filed_against_what_is_stored():
    plan = Plan(kind="finance")
    stored = SimpleNamespace(plan_ytd=100, actual_ytd=90)
    new, changed, same = {"plan_ytd": 1, "actual_ytd": 1}, {"plan_ytd": 100, "actual_ytd": 95}, {"plan_ytd": 100, "actual_ytd": 90}
    plan.sort(new, None, ["plan_ytd", "actual_ytd"])
    plan.sort(changed, stored, ["plan_ytd", "actual_ytd"])
    plan.sort(same, stored, ["plan_ytd", "actual_ytd"])
    assert (plan.new, plan.changed, plan.unchanged) == ([new], [changed], [same])
    assert changed["before"] == {"plan_ytd": 100, "actual_ytd": 90} and changed["existing"] is stored
    assert "before" not in same and same["existing"] is stored and "existing" not in new
    assert plan.counts == {"new": 1, "changed": 1, "unchanged": 1, "skipped": 0}
