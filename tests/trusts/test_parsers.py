"""Parsers of trust lists (pure: no database)."""
from tests.conftest import FIXTURES
from trusts.parsers import parse_ods_etr


def test_ods_etr_parser_reads_bytes_without_a_header_and_touches_no_database():
    etr = parse_ods_etr((FIXTURES / "etr.csv").read_bytes())
    assert [r["org_code"] for r in etr.rows] == ["RAA", "RNW", "RMH", "RCL"]
    assert etr.rows[0]["row"] == 1 and etr.skipped[0]["row"] == 5
