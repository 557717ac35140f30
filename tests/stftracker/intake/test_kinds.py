"""The kinds of upload: each file's kind told from its header."""
import pytest

from common.tabular import read_table
from stftracker.intake.kinds import detect_kind
from tests.conftest import FIXTURES


@pytest.mark.parametrize("name, kind", [
    ("trusts.csv", "trusts"), ("plans.csv", "plans"), ("finance.csv", "finance"), ("finance.xlsx", "finance"),
    ("performance.csv", "performance"), ("trajectories.csv", "trajectories"), ("ae_tidy.csv", "ae_tidy"),
    ("ae_nhse.csv", "ae_nhse"), ("ae_nhse_booked.csv", "ae_nhse"), ("etr.csv", "ods_etr"),
])
def test_kind_is_told_from_the_header(name, kind):
    assert detect_kind(read_table((FIXTURES / name).read_bytes())) == kind
