"""Finance-style figures on the area and trust pages, a trust's trends and its ranks among its
peers, from built data (amounts worked by hand), and their query counts."""
import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from tests import builders
from tests.builders import BEHIND, MISSES_AE, allocate, quarter_with_status, returns
from tests.factories import RegionFactory, TrustFactory, UploadFactory
from trusts.models import Trust

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def client(analyst):
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def two_years():
    """Two acute trusts in one region, 2016-17 and 2017-18 (2017-18 phasing 15%, 20%, 30%, 35%).

    A (RTA1), £1,000,000.00 a year both years: 2016-17 Q1 full £250,000.00; Q2 A&E missed, 12.5% of
    250,000 = £31,250.00 withheld, £218,750.00 earned. 2017-18 Q1 full 15% = £150,000.00, Q2 full
    20% = £200,000.00; Q3 and Q4 awaited (£300,000.00 and £350,000.00 pending).
    B (RTB1), £1,000,000.00 in 2016-17 (Q1 and Q2 full, £250,000.00 each) and £500,000.00 in
    2017-18: Q1 finance failed, the whole £75,000.00 withheld; Q2 full £100,000.00; Q3 and Q4
    awaited (£150,000.00 and £175,000.00 pending).
    """
    a = TrustFactory(org_code="RTA1", name="Alpha Hospitals NHS Trust", trust_type="acute")
    b = TrustFactory(org_code="RTB1", name="Beta Hospitals NHS Trust", trust_type="acute", region=a.region,
                     footprint=a.footprint)
    upload = UploadFactory()
    for trust, allocation in ((a, "1000000.00"), (b, "500000.00")):
        allocate(trust)
        allocate(trust, year="2017-18", allocation=allocation)
    quarter_with_status(a, 1, "full", upload=upload)
    returns(a, 2, performance=MISSES_AE, upload=upload)
    quarter_with_status(b, 1, "full", upload=upload)
    quarter_with_status(b, 2, "full", upload=upload)
    returns(a, 1, year="2017-18", upload=upload)
    returns(a, 2, year="2017-18", upload=upload)
    returns(b, 1, year="2017-18", actual=BEHIND, upload=upload)
    returns(b, 2, year="2017-18", upload=upload)
    builders.recompute("2016-17", "2017-18")
    return a, b


def test_the_overview_gives_the_quarter_the_year_to_date_the_full_year_and_the_changes(client, two_years):
    response = client.get("/?year=2017-18&quarter=2")
    figures = response.context["figures"]
    # Q2: A 200,000 + B 100,000 = 300,000 of 300,000: 100.00%
    assert figures["quarter"]["earned"] == D("300000.00") and figures["quarter"]["percent_earned"] == D("100.00")
    # Year to date: 150,000 + 0 + 300,000 = 450,000 of 150,000 + 75,000 + 300,000 = 525,000: 85.71%
    assert (figures["ytd"]["earned"], figures["ytd"]["allocation"], figures["ytd"]["withheld"]) == (
        D("450000.00"), D("525000.00"), D("75000.00"))
    assert figures["ytd"]["percent_earned"] == D("85.71")
    # Full year: 1,500,000 allocated; pending Q3 + Q4 = 300,000 + 350,000 + 150,000 + 175,000 = 975,000
    assert (figures["year"]["allocation"], figures["year"]["pending"], figures["year"]["percent_earned"]) == (
        D("1500000.00"), D("975000.00"), D("30.00"))
    # On Q1 (150,000 of 225,000, 66.67%): +150,000, +33.33 points
    on_previous = figures["on_previous"]
    assert (on_previous["label"], on_previous["earned"], on_previous["points"]) == (
        "2017-18 Q1", D("150000.00"), D("33.33"))
    # On 2016-17 Q2 (218,750 + 250,000 = 468,750 of 500,000, 93.75%): −168,750, +6.25 points
    last_year = figures["on_last_year"]
    assert (last_year["label"], last_year["earned"], last_year["points"], last_year["direction"]) == (
        "2016-17 Q2", D("-168750.00"), D("6.25"), "down")
    html = response.content.decode()
    # The headline in £m, the exact pounds on hover and for screen readers
    assert '<data class="money-m" value="300000.00" title="£300,000.00"><span aria-hidden="true">£0.3m</span>' in html
    assert "Earned down " in html and " on 2016-17 Q2" in html and "Earned up " in html
    assert "<td class=\"num\">£525,000.00</td>" in html and "<td class=\"num\">85.71%</td>" in html


def test_the_region_and_footprint_pages_sum_their_own_trusts(client, two_years):
    a, _ = two_years
    elsewhere = TrustFactory(org_code="RTC1", trust_type="acute", region=RegionFactory())
    allocate(elsewhere, year="2017-18")
    returns(elsewhere, 2, year="2017-18")
    builders.recompute("2017-18")
    for url in (f"/regions/{a.region.code}/?year=2017-18&quarter=2", f"/footprints/{a.footprint.code}/?year=2017-18&quarter=2"):
        figures = client.get(url).context["figures"]
        # A and B only (RTC1 is elsewhere): as on the overview before RTC1 came
        assert figures["quarter"]["earned"] == D("300000.00"), url
        assert figures["on_last_year"]["earned"] == D("-168750.00"), url


def test_the_first_quarter_of_the_first_scheme_has_no_earlier_quarter(client, two_years):
    html = client.get("/?year=2016-17&quarter=1").content.decode()
    assert html.count("Earned: no earlier quarter</span>") == 2


def test_the_trust_page_gives_its_own_figures_and_changes(client, two_years):
    response = client.get("/trusts/RTA1/?year=2017-18&quarter=2")
    figures = response.context["figures"]
    # On Q1: 200,000 − 150,000 = +50,000, both 100.00%: ±0 points
    assert (figures["on_previous"]["earned"], figures["on_previous"]["points"]) == (D("50000.00"), D("0.00"))
    # On 2016-17 Q2: 200,000 − 218,750 = −18,750; 100.00 − 87.50 = +12.50 points
    assert (figures["on_last_year"]["earned"], figures["on_last_year"]["points"]) == (D("-18750.00"), D("12.50"))
    # Year to date 350,000 of 350,000; full year 350,000 of 1,000,000: 35.00%, 650,000 pending
    assert figures["ytd"]["percent_earned"] == D("100.00")
    assert (figures["year"]["earned"], figures["year"]["pending"], figures["year"]["percent_earned"]) == (
        D("350000.00"), D("650000.00"), D("35.00"))
    html = response.content.decode()
    assert '<data class="money-m" value="200000.00" title="£200,000.00"><span aria-hidden="true">£0.2m</span>' in html
    assert "(+12.50 percentage points of allocation) on 2016-17 Q2" in html


def test_the_trust_trends_cover_every_quarter_of_every_scheme_with_a_csv(client, two_years):
    response = client.get("/trusts/RTA1/?year=2017-18&quarter=2")
    chart = response.context["trend_chart"]
    quarters = [r["Quarter"] for r in chart.rows]
    assert quarters == [f"{year} Q{q}" for year in ("2016-17", "2017-18", "2018-19") for q in (1, 2, 3, 4)]
    by_quarter = {r["Quarter"]: r for r in chart.rows}
    q2 = by_quarter["2016-17 Q2"]
    assert (q2["Status"], q2["Earned"], q2["Withheld: A&E 4 hours missed"], q2["% of allocation earned"]) == (
        "Partial", D("218750.00"), D("31250.00"), D("87.50"))
    assert by_quarter["2017-18 Q3"]["Status"] == "Pending" and by_quarter["2017-18 Q3"]["Pending"] == D("300000.00")
    assert by_quarter["2018-19 Q1"] == {"Quarter": "2018-19 Q1", "Status": "No result"}  # no 2018-19 allocation
    bars = {trace["name"]: trace for trace in chart.figure["data"]}
    assert bars["Withheld: A&E 4 hours missed"]["y"][1] == 31250.0
    assert bars["Earned"]["x"][:2] == ["2016-17 Q1", "2016-17 Q2"]

    download = client.get("/trusts/RTA1/?year=2017-18&quarter=2&format=csv&chart=trends")
    assert download.status_code == 200
    reader = csv.reader(io.StringIO(download.content.decode()))
    header = next(reader)
    assert header == ["Quarter", "Status", "Allocation", "Earned", "Withheld: A&E 4 hours missed", "Pending",
                      "% of allocation earned"]
    lines = list(reader)
    assert lines[1] == ["2016-17 Q2", "Partial", "250000.00", "218750.00", "31250.00", "0.00", "87.50"]


def test_a_trust_is_ranked_nationally_in_its_region_and_type_on_decided_quarters_only(client, two_years):
    # 2016-17 Q2 year to date: A 250,000 + 218,750 = 468,750 of 500,000 (93.75%); B 500,000 of
    # 500,000 (100%). C (specialist, another region) Q1 and Q2 full: 100%. D (acute, A's region)
    # Q1 full and Q2 awaited: decided Q1 only, 250,000 of 250,000, 100% (were the pending Q2
    # counted it would be 50% and last).
    c = TrustFactory(org_code="RTC1", trust_type="specialist", region=RegionFactory())
    d = TrustFactory(org_code="RTD1", trust_type="acute", region=two_years[0].region)
    for trust in (c, d):
        allocate(trust)
        quarter_with_status(trust, 1, "full")
    quarter_with_status(c, 2, "full")
    quarter_with_status(d, 2, "pending")
    builders.recompute("2016-17")
    response = client.get("/trusts/RTA1/?year=2016-17&quarter=2")
    ranks = response.context["ranks"]
    assert ranks["percent_earned"] == D("93.75")
    assert ranks["national"]["text"] == "4th of 4"  # B, C and D share 1st
    assert ranks["region"]["text"] == "3rd of 3"  # A, B, D
    assert ranks["type"]["text"] == "3rd of 3"  # acute: A, B, D
    html = response.content.decode()
    assert '<li id="rank-national"><strong>4th of 4</strong> trusts in England</li>' in html
    d_ranks = client.get("/trusts/RTD1/?year=2016-17&quarter=2").context["ranks"]
    assert (d_ranks["national"]["text"], d_ranks["region"]["text"], d_ranks["type"]["text"]) == (
        "joint 1st of 4", "joint 1st of 3", "joint 1st of 3")
    assert client.get("/trusts/RTC1/?year=2016-17&quarter=2").context["ranks"]["type"]["text"] == "1st of 1"


def test_a_trust_with_no_decided_quarter_is_not_ranked(client, two_years):
    lonely = TrustFactory(org_code="RTP1", trust_type="acute")
    allocate(lonely)
    quarter_with_status(lonely, 1, "pending")
    builders.recompute("2016-17")
    response = client.get("/trusts/RTP1/?year=2016-17&quarter=1")
    assert response.context["ranks"] is None
    assert 'id="rank-none">Not ranked' in response.content.decode()


@pytest.mark.parametrize("url", ["/?year=2017-18&quarter=2", "/regions/Y50/?year=2017-18&quarter=1",
                                 "/trusts/T0001/?year=2017-18&quarter=2",
                                 "/trusts/T0001/?year=2017-18&quarter=2&format=csv&chart=trends"])
def test_figures_trends_and_ranks_make_the_same_queries_for_4_or_12_trusts(analyst, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def country(per_footprint, **kwargs):
        trusts = builders.areas_country(per_footprint, **kwargs)
        for trust in trusts:
            allocate(trust, year="2017-18")
            returns(trust, 1, year="2017-18")
            returns(trust, 2, year="2017-18")
        builders.recompute("2016-17", "2017-18")

    client = Client()
    client.force_login(analyst)
    country(1, prefix="T")  # 4 trusts
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    country(2, prefix="U", offset=100)  # 8 more in the same regions and footprints
    assert Trust.objects.count() == 12
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200
