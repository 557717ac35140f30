"""The national Making Data Count table: every trust's SPC icons against the national standard,
the counts per icon, the region filter, the CSV, the bulk read of every trust's months (as the
trust page reads one trust's), and query counts that do not grow with the number of trusts."""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client

from common.months import add_months
from stftracker.dashboards import selectors
from tests.builders import allocate
from tests.factories import PerformanceReturnFactory, RegionFactory, TrustFactory, UploadFactory
from trusts.models import Succession, Trust

pytestmark = pytest.mark.django_db
D = Decimal
APRIL_2016 = datetime.date(2016, 4, 1)

# Twelve months of A&E (per thousand attendances within four hours): 90, 92, 91, 93, 90, 92, then
# 94 .. 99. By hand (as tests/stftracker/dashboards/test_spc.py): mean 1127 / 12 = 93.917, mean
# moving range 17 / 11 = 1.545, limits 89.806 .. 98.028; the last month, 99%, is beyond the upper
# limit: special cause of improvement (higher is better). The standard 95% lies between the limits:
# hit and miss.
RISING = [900, 920, 910, 930, 900, 920, 940, 950, 960, 970, 980, 990]
# Twelve months at 96%: every moving range 0, limits 96 .. 96, no special cause (common cause);
# the standard 95% is below the lower limit: consistently passing.
STEADY = [960] * 12


def ae_months(trust, within, *, start=APRIL_2016, upload=None):
    upload = upload or UploadFactory(kind="performance")
    for offset, numerator in enumerate(within):
        PerformanceReturnFactory(trust=trust, month=add_months(start, offset), metric="ae", numerator=numerator,
                                 denominator=1000, upload=upload)


@pytest.fixture
def client(analyst):
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def mdc_country():
    north, south = RegionFactory(code="Y60", name="North"), RegionFactory(code="Y61", name="South")
    rising = TrustFactory(org_code="RMD1", name="Rising Hospitals NHS Trust", trust_type="acute", region=north)
    steady = TrustFactory(org_code="RMD2", name="Steady Hospitals NHS Trust", trust_type="acute", region=south)
    minds = TrustFactory(org_code="RMD3", name="Minds NHS Trust", trust_type="mental_health", region=south)
    short = TrustFactory(org_code="RMD4", name="Short Hospitals NHS Trust", trust_type="acute", region=south)
    unallocated = TrustFactory(org_code="RMD5", name="Unallocated NHS Trust", trust_type="acute", region=south)
    for trust in (rising, steady, minds, short):
        allocate(trust)
    ae_months(rising, RISING)
    ae_months(steady, STEADY)
    ae_months(short, [950] * 6)  # six months: too few for limits
    ae_months(unallocated, STEADY)
    return rising, steady, minds, short


def test_each_trust_gets_the_icons_of_its_series_against_the_standard(client, mdc_country):
    response = client.get("/making-data-count/?year=2016-17")
    assert response.status_code == 200
    rows = {row["org_code"]: row for row in response.context["rows"]}
    assert list(rows) == ["RMD3", "RMD1", "RMD4", "RMD2"]  # by name; RMD5 has no 2016-17 allocation
    assert [m for m, _, _ in response.context["metrics"]] == ["ae", "rtt", "cancer62"]
    rising = rows["RMD1"]["cells"][0]
    assert (rising["variation"], rising["assurance"], rising["points"]) == (
        "special_cause_improvement", "inconsistent", 12)
    assert rising["latest"] == D("99") and rising["latest_month"] == datetime.date(2017, 3, 1)
    steady = rows["RMD2"]["cells"][0]
    assert (steady["variation"], steady["assurance"]) == ("common_cause", "consistent_pass")
    short = rows["RMD4"]["cells"][0]
    assert (short["variation"], short["assurance"], short["variation_label"]) == (
        None, None, "Too few points for SPC (6 of 12)")
    assert rows["RMD3"]["cells"][0] == {"metric": "ae", "applicable": False}  # mental health: not judged
    html = response.content.decode()
    assert '<span class="spc-icon spc-special_cause_improvement">Special cause variation: improvement</span>' in html
    assert '<span class="spc-icon spc-inconsistent">Hit and miss: the target may or may not be met</span>' in html
    assert '<span class="spc-icon spc-consistent_pass">Consistently passing the target</span>' in html
    assert '<span class="visually-hidden">Not judged on A&amp;E 4 hours</span>' in html
    assert '<a href="/trusts/RMD1/?year=2016-17">Rising Hospitals NHS Trust</a>' in html


def test_the_counts_per_icon_sum_the_trusts_judged_on_each_metric(client, mdc_country):
    counts = {c["metric"]: c for c in client.get("/making-data-count/?year=2016-17").context["counts"]}
    ae = counts["ae"]
    assert ae["trusts"] == 3  # RMD1, RMD2, RMD4 (acute); RMD3 is not judged on A&E
    assert [(kind, n) for kind, _, n in ae["variation"]] == [
        ("special_cause_improvement", 1), ("special_cause_concern", 0), ("common_cause", 1), (None, 1)]
    assert [(kind, n) for kind, _, n in ae["assurance"]] == [
        ("consistent_pass", 1), ("consistent_fail", 0), ("inconsistent", 1), (None, 1)]
    # No RTT figures at all: every acute trust has too few points
    assert [(kind, n) for kind, _, n in counts["rtt"]["variation"]] == [
        ("special_cause_improvement", 0), ("special_cause_concern", 0), ("common_cause", 0), (None, 3)]


def test_the_region_filter_keeps_its_trusts_only(client, mdc_country):
    response = client.get("/making-data-count/?year=2016-17&region=Y60")
    assert [row["org_code"] for row in response.context["rows"]] == ["RMD1"]
    assert response.context["counts"][0]["trusts"] == 1
    assert "Every trust in North" in response.content.decode()
    unknown = client.get("/making-data-count/?year=2016-17&region=NOPE")
    assert len(unknown.context["rows"]) == 4 and unknown.context["region"] == ""


def test_the_csv_has_readable_headings_and_the_icons_in_words(client, mdc_country):
    response = client.get("/making-data-count/?year=2016-17&region=Y60&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "stf-making-data-count-2016-17-Y60.csv" in response["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames[:10] == [
        "Trust", "Code", "Region", "Trust type", "A&E 4 hours: variation", "A&E 4 hours: assurance",
        "A&E 4 hours: months", "A&E 4 hours: latest month", "A&E 4 hours: latest %", "A&E 4 hours: standard %"]
    (line,) = list(reader)
    assert line["Trust"] == "Rising Hospitals NHS Trust" and line["Trust type"] == "Acute"
    assert line["A&E 4 hours: variation"] == "Special cause variation: improvement"
    assert line["A&E 4 hours: assurance"] == "Hit and miss: the target may or may not be met"
    assert (line["A&E 4 hours: months"], line["A&E 4 hours: latest month"], line["A&E 4 hours: latest %"],
            line["A&E 4 hours: standard %"]) == ("12", "2017-03", "99.00", "95.00")


def test_the_page_is_linked_from_the_national_page_and_the_menu(client, mdc_country):
    html = client.get("/?year=2016-17&quarter=1").content.decode()
    assert html.count('href="/making-data-count/"') >= 1
    page = client.get("/making-data-count/").content.decode()
    assert '<a href="/making-data-count/" aria-current="page">Making Data Count</a>' in page


def test_the_bulk_read_gives_each_trust_the_series_the_trust_page_reads(mdc_country):
    # A successor takes over a predecessor from October 2016: its months before then are the
    # predecessor's summed with its own (here the successor has none before October).
    rising, steady, _, _ = mdc_country
    predecessor = TrustFactory(org_code="RMP1", trust_type="acute", region=rising.region)
    successor = TrustFactory(org_code="RMS1", trust_type="acute", region=rising.region)
    ae_months(predecessor, [900] * 6)  # April to September 2016: 90%
    ae_months(successor, [800] * 6, start=datetime.date(2016, 10, 1))  # October to March: 80%
    ae_months(predecessor, [500], start=datetime.date(2016, 10, 1))  # after the merger: its own only
    Succession.objects.create(predecessor=predecessor, successor=successor, effective_from=datetime.date(2016, 10, 1))
    trusts = list(Trust.objects.all())
    bulk = selectors.performance_by_trust(APRIL_2016, [t.pk for t in trusts])
    for trust in trusts:
        one = selectors.performance_series(trust, APRIL_2016, trajectories=False)
        expected = {metric: [{k: p[k] for k in ("month", "numerator", "denominator", "performance")} for p in points]
                    for metric, points in one.items()}
        assert dict(bulk.get(trust.pk, {})) == expected, trust.org_code
    successor_months = [(p["month"].month, p["performance"]) for p in bulk[successor.pk]["ae"]]
    assert successor_months == [(m, D("90")) for m in (4, 5, 6, 7, 8, 9)] + [(m, D("80")) for m in (10, 11, 12, 1, 2, 3)]
    assert [p["performance"] for p in bulk[predecessor.pk]["ae"]][-1] == D("50")


def test_the_page_makes_the_same_queries_for_4_or_12_trusts(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def trusts(count, prefix):
        region = RegionFactory()
        for n in range(count):
            trust = TrustFactory(org_code=f"{prefix}{n:03d}", trust_type="acute", region=region)
            allocate(trust)
            ae_months(trust, RISING)

    trusts(4, "RQA")
    client.get("/making-data-count/?year=2016-17")  # warm up
    with CaptureQueriesContext(connection) as small:
        assert client.get("/making-data-count/?year=2016-17").status_code == 200
    trusts(8, "RQB")
    with django_assert_max_num_queries(len(small)):
        response = client.get("/making-data-count/?year=2016-17")
    assert len(response.context["rows"]) == 12
    with django_assert_max_num_queries(len(small)):
        assert client.get("/making-data-count/?year=2016-17&format=csv").status_code == 200


def test_anonymous_users_are_sent_to_log_in():
    response = Client().get("/making-data-count/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
