"""Parsers of finance files (pure: no database)."""
import io

import pytest

from common.errors import HeaderError
from finance.parsers import parse_finance
from tests.conftest import FIXTURES


def test_finance_parser_reads_a_stream_and_touches_no_database():
    parsed = parse_finance(io.BytesIO((FIXTURES / "finance.csv").read_bytes()))
    assert [(r["row"], r["org_code"], str(r["plan_ytd"])) for r in parsed.rows] == [
        (2, "RAA", "-100000.00"), (3, "RAA", "-200000.00"), (4, "RAA", "-300000.00")]
    with pytest.raises(HeaderError, match="Missing column 'forecast_outturn'"):
        parse_finance(b"org_code,period,plan_ytd,actual_ytd\r\nRAA,2016-04,1,2\r\n")
