"""The dashboard queries: the league table filtered and sorted by the database, in the order
that sorting the page's tidy rows in Python gives (ties by trust name, missing values last)."""
import pytest

from finance.models import Entitlement
from stftracker.dashboards import selectors
from stftracker.dashboards.charts import STATUS_ORDER
from stftracker.dashboards.tidy import Period
from tests.builders import MISSES_AE, allocate, recompute, returns
from tests.factories import FootprintFactory, RegionFactory, TrustFactory
from trusts.models import TrustType

pytestmark = pytest.mark.django_db

ROW_KEYS = {"trust": "trust_name", "org_code": "org_code", "region": "region_name", "footprint": "footprint_name",
            "type": "trust_type", "status": "status", "allocation": "allocation", "earned": "earned",
            "withheld": "withheld", "pending": "pending", "variance": "variance", "ae": "ae_performance"}


def python_order(rows, sort, descending):
    """The league order as Python sorts tidy rows: by the value then the trust name (both in the
    chosen direction), rows without a value last in their original (name) order."""
    key = ROW_KEYS[sort]
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    if key == "status":
        present.sort(key=lambda r: (STATUS_ORDER.index(r["status"]), r["trust_name"]), reverse=descending)
    else:
        present.sort(key=lambda r: (r[key], r["trust_name"]), reverse=descending)
    return [r["org_code"] for r in present + missing]


@pytest.fixture
def league_country():
    """Ties in every money column, equal variances from different figures, trusts without a finance
    return (so without a variance), A&E not applicable or without a figure, a trust without a
    footprint, names differing in case; stored by the engine. Q1 2016-17 of each allocation:
    £1,000,000.00 a year is 250,000.00, £400,000.00 is 100,000.00, £399,999.96 is 99,999.99."""
    north = RegionFactory(code="Y60", name="North")
    south = RegionFactory(code="Y61", name="south")
    north_fp = FootprintFactory(code="E54100001", name="Tyne", region=north)
    south_fp = FootprintFactory(code="E54100002", name="avon", region=south)
    # A&E is judged for acute trusts only; RTT at 90% misses its 92% standard; no finance return:
    # no variance, and the quarter is pending (or withheld without an accepted control total).
    specs = [  # org code, name, region, footprint, type, status, allocation, ytd plan, ytd actual, performance
        ("RA1", "Alpha NHS Trust", north, north_fp, "acute", "full", "1000000.00", "-500000.10", "-400000.05", {}),
        ("RA2", "alpha NHS Trust", north, north_fp, "acute", "partial", "1000000.00", "-300000.20", "-200000.15",
         MISSES_AE),
        ("RB1", "Beta NHS Trust", south, south_fp, "mental_health", "finance_failed", "400000.00", "-1.00", "-2.01",
         {}),
        ("RC1", "Gamma NHS Trust", south, None, "acute", "pending", "400000.00", None, None, {}),
        ("RD1", "Delta NHS Trust", north, north_fp, "acute", "no_control_total", "1000000.00", None, None,
         MISSES_AE),
        ("RE1", "Epsilon NHS Trust", south, south_fp, "ambulance", "full", "399999.96", "0.10", "0.20", {}),
        ("RF1", "Zeta NHS Trust", north, north_fp, "acute", "partial", "1000000.00", "-10.00", "-9.90",
         {"ae": (100, 100), "rtt": (90, 100)}),
        ("RG1", "Eta NHS Trust", north, north_fp, "acute", "pending", "1000000.00", None, None, {"ae": None}),
    ]
    for code, name, region, footprint, kind, status, allocation, plan, actual, performance in specs:
        trust = TrustFactory(org_code=code, name=name, region=region, footprint=footprint, trust_type=kind)
        allocate(trust, allocation=allocation, accepted=status != "no_control_total")
        if plan is None:
            returns(trust, 1, finance=False, performance=performance)
        else:
            returns(trust, 1, plan=plan, actual=actual, performance=performance)
    # Another year's first quarter.
    other_year = TrustFactory(org_code="RQ2", name="Other Year NHS Trust", region=north, footprint=north_fp)
    allocate(other_year, year="2017-18")
    returns(other_year, 1, year="2017-18")
    recompute()
    statuses = dict(Entitlement.objects.filter(scheme__code="2016-17", quarter=1)
                    .values_list("trust__org_code", "status"))
    assert statuses == {code: status for code, *_, status, _, _, _, _ in specs}
    return Period("2016-17", None, 1)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", selectors.LEAGUE_SORTS)
def test_the_database_sorts_the_league_as_python_sorts_its_rows(league_country, sort, descending):
    rows = selectors.entitlement_rows(scheme="2016-17", quarter=1)
    league = selectors.league(league_country, sort=sort, descending=descending)
    assert [r["org_code"] for r in league] == python_order(rows, sort, descending)
    by_code = {r["org_code"]: r for r in rows}
    labels = dict(TrustType.choices)
    assert league == [{**by_code[r["org_code"]], "trust_type_label": labels[r["trust_type"]]} for r in league]


def test_ties_and_missing_values_by_hand(league_country):
    codes = lambda **kwargs: [r["org_code"] for r in selectors.league(league_country, **kwargs)]  # noqa: E731
    # Variances: RA1 and RA2 both 100,000.05 (a tie, by name: "Alpha" before "alpha"), RB1 -1.01,
    # RE1 and RF1 both 0.10; RC1, RD1 and RG1 (no finance return) have none: last, by name,
    # whichever the direction.
    assert codes(sort="variance") == ["RB1", "RE1", "RF1", "RA1", "RA2", "RD1", "RG1", "RC1"]
    assert codes(sort="variance", descending=True) == ["RA2", "RA1", "RF1", "RE1", "RB1", "RD1", "RG1", "RC1"]
    # A&E: 91.20 for RA2 and RD1 ("Delta" before "alpha"), 96.00 for RA1 and RC1, 100.00 for RF1;
    # RB1 and RE1 (not applicable: mental health, ambulance) and RG1 (no A&E returns) last.
    assert codes(sort="ae") == ["RD1", "RA2", "RA1", "RC1", "RF1", "RB1", "RE1", "RG1"]
    assert codes(sort="ae", descending=True) == ["RF1", "RC1", "RA1", "RA2", "RD1", "RB1", "RE1", "RG1"]
    # No footprint sorts as blank: first.
    assert codes(sort="footprint")[0] == "RC1"
    # Full, partial, finance failed, no control total, pending; ties by name.
    assert codes(sort="status") == ["RA1", "RE1", "RF1", "RA2", "RB1", "RD1", "RG1", "RC1"]


def test_the_league_filters_by_area_region_footprint_type_and_status(league_country):
    codes = lambda **kwargs: [r["org_code"] for r in selectors.league(league_country, **kwargs)]  # noqa: E731
    assert codes(filters={"region": "Y61"}) == ["RB1", "RE1", "RC1"]
    assert codes(region="Y61") == ["RB1", "RE1", "RC1"]
    assert codes(footprint="E54100001", filters={"status": "partial"}) == ["RF1", "RA2"]  # "Zeta" before "alpha"
    assert codes(filters={"trust_type": "acute", "footprint": "E54100001", "region": "", "status": ""}) == [
        "RA1", "RD1", "RG1", "RF1", "RA2"]
    assert codes(filters={"status": "full", "trust_type": "ambulance"}) == ["RE1"]
    assert codes(filters={"region": "Y99"}) == []
