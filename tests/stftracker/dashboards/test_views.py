"""The dashboard pages: each page and role, CSV downloads, filters, what-if, and query counts
that do not grow with the number of trusts."""
import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from finance.models import RecomputeRun
from tests import builders
from tests.builders import allocate, quarter_with_status, returns
from tests.factories import FinanceReturnFactory, PerformanceReturnFactory, TrustFactory, UploadFactory, UserFactory
from trusts.models import Trust

pytestmark = pytest.mark.django_db
D = Decimal
COMPUTED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)


def recompute(*years):
    """The engine's entitlements, stored as computed at COMPUTED_AT."""
    builders.recompute(*years, at=COMPUTED_AT)


def country(*args, **kwargs):
    """builders.areas_country (quarter statuses by builders.STATUS_PATTERN), recomputed."""
    trusts = builders.areas_country(*args, **kwargs)
    recompute("2016-17")
    return trusts


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def analyst_client(analyst):
    return client_for(analyst)


@pytest.fixture
def three_trusts():
    """Q1 2016-17: one full, one missing A&E, one failing finance (amounts worked out by hand).

    Full and partial: £1,000,000.00 a year, £250,000.00 in Q1; YTD plan -500,000.00, actual
    -400,000.00; A&E 96.00% (full) or 91.20% (partial: 12.5% of 250,000 = 31,250.00 withheld), RTT
    93% and cancer 90% met. Failing: £400,000.00 a year, £100,000.00 in Q1, actual -650,000.00
    against the plan -500,000.00: the whole 100,000.00 withheld.
    """
    full = TrustFactory(org_code="RF1", name="Full Hospitals NHS Trust")
    partial = TrustFactory(org_code="RP1", name="Partial Hospitals NHS Trust", region=full.region, footprint=full.footprint)
    failed = TrustFactory(org_code="RX1", name="Failing Hospitals NHS Trust", region=full.region, footprint=full.footprint)
    allocate(full)
    allocate(partial)
    allocate(failed, allocation="400000.00")
    quarter_with_status(full, 1, "full")
    quarter_with_status(partial, 1, "partial")
    quarter_with_status(failed, 1, "finance_failed", plan="-500000.00", actual="-650000.00")
    recompute("2016-17")
    return full, partial, failed


# --- Access -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/regions/", "/footprints/", "/regions/Y50/", "/footprints/E54000000/",
                                 "/trusts/T0001/", "/?format=csv&chart=league"])
def test_anonymous_users_are_sent_to_log_in(client, url):
    country(1)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unknown_region_footprint_and_trust_are_404(analyst_client):
    country(1)
    for url in ("/regions/NOPE/", "/footprints/NOPE/", "/trusts/NOPE1/"):
        assert analyst_client.get(url).status_code == 404
    assert analyst_client.get("/?format=csv&chart=nonsense").status_code == 404


# --- National overview ------------------------------------------------------------------------

def test_overview_headline_figures_reconcile_to_the_penny(analyst_client, three_trusts):
    response = analyst_client.get("/?year=2016-17&quarter=1")
    assert response.status_code == 200
    headline = response.context["headline"]
    assert headline["allocation"] == D("600000.00")
    assert headline["earned"] == D("468750.00")  # 250,000 + (250,000 − 12.5% of 250,000)
    assert headline["withheld"] == D("131250.00")
    assert headline["pending"] == D("0.00")
    assert headline["withheld_by_reason"] == [("finance", "Finance test failed", D("100000.00")),
                                              ("ae", "A&E 4 hours missed", D("31250.00"))]
    assert dict(headline["by_status"]) == {"full": 1, "partial": 1, "finance_failed": 1, "no_control_total": 0,
                                           "pending": 0}
    html = response.content.decode()
    assert "£468,750.00" in html and "£131,250.00" in html
    # Status in words as well as colour.
    assert 'class="status status-finance_failed"' in html and "Finance failed</span>" in html


def test_overview_charts_are_json_script_blocks_and_plotly_is_one_static_file(analyst_client, three_trusts):
    html = analyst_client.get("/?year=2016-17&quarter=1").content.decode()
    assert html.count('src="/static/vendor/plotly.min.js"') == 1
    for script in re.findall(r"<script[^>]*>", html):
        assert 'src="' in script or 'type="application/json"' in script, script  # no inline code
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers
    assert 'id="figure-reasons-data" type="application/json"' in html
    assert 'data-figure="figure-scatter-data"' in html
    assert finders.find("vendor/plotly.min.js").endswith("plotly/package_data/plotly.min.js")


def test_scatter_plots_finance_variance_against_ae(analyst_client, three_trusts):
    response = analyst_client.get("/?year=2016-17&quarter=1")
    scatter = next(c for c in response.context["charts"] if c.name == "scatter")
    by_name = {t["name"]: t for t in scatter.figure["data"]}
    # variance = YTD actual − YTD plan: −400,000 − (−500,000) = 100,000; −650,000 − (−500,000) = −150,000
    assert by_name["✓ Full"]["x"] == [100000.0] and by_name["✓ Full"]["y"] == [96.0]
    assert by_name["✗ Finance failed"]["x"] == [-150000.0]
    assert by_name["◐ Partial"]["y"] == [91.2]


def test_league_table_filters_and_sorts_without_javascript(analyst_client, three_trusts):
    response = analyst_client.get("/?year=2016-17&quarter=1&status=partial")
    assert [r["org_code"] for r in response.context["league"]] == ["RP1"]
    response = analyst_client.get("/?year=2016-17&quarter=1&sort=withheld&dir=desc")
    assert [r["org_code"] for r in response.context["league"]] == ["RX1", "RP1", "RF1"]
    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count('aria-sort="none"') == len(response.context["league_headers"]) - 1
    response = analyst_client.get("/?year=2016-17&quarter=1&trust_type=mental_health")
    assert response.context["league"] == [] and "No trusts match these filters." in response.content.decode()


def test_league_csv_download_has_every_trust_to_the_penny(analyst_client, three_trusts):
    rows = csv_rows(analyst_client.get("/?year=2016-17&quarter=1&format=csv&chart=league&sort=org_code"))
    assert [(r["Code"], r["Status"], r["Earned"], r["Withheld"]) for r in rows] == [
        ("RF1", "Full", "250000.00", "0.00"),
        ("RP1", "Partial", "218750.00", "31250.00"),
        ("RX1", "Finance failed", "0.00", "100000.00"),
    ]


def test_reason_chart_csv_matches_the_figure(analyst_client, three_trusts):
    response = analyst_client.get("/?year=2016-17&quarter=1&format=csv&chart=reasons")
    rows = {(r["Quarter"], r["Measure"]): r["Amount"] for r in csv_rows(response)}
    assert rows == {("2016-17 Q1", "Earned"): "468750.00",
                    ("2016-17 Q1", "Withheld: Finance test failed"): "100000.00",
                    ("2016-17 Q1", "Withheld: A&E 4 hours missed"): "31250.00",
                    ("2016-17 Q1", "Pending"): "0.00",
                    # No returns yet for Q2 to Q4: 250,000 + 250,000 + 100,000 = 600,000 pending each.
                    ("2016-17 Q2", "Earned"): "0.00", ("2016-17 Q2", "Pending"): "600000.00",
                    ("2016-17 Q3", "Earned"): "0.00", ("2016-17 Q3", "Pending"): "600000.00",
                    ("2016-17 Q4", "Earned"): "0.00", ("2016-17 Q4", "Pending"): "600000.00"}


def test_default_period_is_the_latest_quarter_mostly_decided(analyst_client):
    trusts = country(1)  # four quarters of 2016-17; three of the four trusts decided in Q4
    for trust in trusts:  # 2017-18 is allocated but has no returns: all pending, not the default
        allocate(trust, year="2017-18")
    recompute("2017-18")
    response = analyst_client.get("/")
    assert response.context["period"].label == "2016-17 Q4"


def test_unknown_year_or_quarter_falls_back_to_the_default(analyst_client):
    country(1)
    for query in ("?year=1999-00&quarter=9", "?quarter=abc", "?year=2016-17&quarter=0"):
        response = analyst_client.get("/" + query)
        assert response.status_code == 200
        assert response.context["period"].label == "2016-17 Q4", query
    assert analyst_client.get("/?year=2017-18").context["period"].label == "2017-18 Q1"
    html = analyst_client.get("/?year=2017-18&quarter=2").content.decode()
    assert "No entitlements have been computed for 2017-18 Q2 yet." in html


def test_persistently_failing_lists_trusts_failing_three_of_the_last_four_quarters(analyst_client):
    bad = TrustFactory(org_code="RBAD", name="Always Failing NHS Trust")
    twice = TrustFactory(org_code="RTWO", name="Twice Failing NHS Trust", region=bad.region, footprint=bad.footprint)
    # 2016-17 Q2..Q4 and 2017-18 Q1 are the last four quarters before 2017-18 Q1 inclusive.
    for trust, statuses_2016_17, status_2017_18 in (
            (bad, ("full", "finance_failed", "partial", "full"), "finance_failed"),
            (twice, ("finance_failed", "finance_failed", "partial", "full"), "full")):
        allocate(trust)
        allocate(trust, year="2017-18")
        for quarter, status in enumerate(statuses_2016_17, start=1):
            quarter_with_status(trust, quarter, status)  # partial: A&E missed
        quarter_with_status(trust, 1, status_2017_18, year="2017-18")
    recompute("2016-17", "2017-18")
    response = analyst_client.get("/?year=2017-18&quarter=1")
    failing = response.context["failing"]
    assert [f["org_code"] for f in failing] == ["RBAD"]
    assert failing[0]["quarters_failed"] == 3
    assert [p.label for p in response.context["failing_periods"]] == ["2016-17 Q2", "2016-17 Q3", "2016-17 Q4", "2017-18 Q1"]
    assert "Failed finance" in response.content.decode() and "Failed A&amp;E" in response.content.decode()
    # Looking back from 2016-17 Q3 (only Q1 to Q3 exist), the twice-failing trust failed all three.
    response = analyst_client.get("/?year=2016-17&quarter=3")
    assert {f["org_code"] for f in response.context["failing"]} == {"RTWO"}


# --- Regions and footprints -------------------------------------------------------------------

def test_region_page_aggregates_its_trusts_and_draws_footprint_small_multiples(analyst_client):
    country(2)  # two regions of two footprints of two trusts
    response = analyst_client.get("/regions/Y50/?year=2016-17&quarter=1")
    assert response.status_code == 200
    rows = response.context["league"]
    assert len(rows) == 4 and {r["region_code"] for r in rows} == {"Y50"}
    multiples = next(c for c in response.context["charts"] if c.name == "footprints")
    annotations = [a["text"] for a in multiples.figure["layout"]["annotations"]]
    assert annotations == ["<b>Footprint A1</b>", "<b>Footprint A2</b>"]
    # Footprint A1 in Q4: trusts T0001 and T0002 (builders.STATUS_PATTERN): partial (A&E missed,
    # 12.5% of 250,000 = 31,250 withheld) and no control total (all 250,000 withheld):
    # earned 250,000 - 31,250 = 218,750; withheld 31,250 + 250,000 = 281,250.
    a1_q4 = next(r for r in multiples.rows if r["group"] == "Footprint A1" and r["period"] == "2016-17 Q4")
    assert a1_q4["earned"] == D("218750.00") and a1_q4["withheld"] == D("281250.00")
    # In Q1 they failed finance and had no control total: all 500,000 withheld.
    a1_q1 = next(r for r in multiples.rows if r["group"] == "Footprint A1" and r["period"] == "2016-17 Q1")
    assert a1_q1["earned"] == D("0.00") and a1_q1["withheld"] == D("500000.00")


def test_footprint_page_and_index_pages(analyst_client):
    country(2)
    response = analyst_client.get("/footprints/E54000001/?year=2016-17&quarter=2")
    assert response.status_code == 200
    assert {r["footprint_code"] for r in response.context["league"]} == {"E54000001"}
    assert response.context["headline"]["trusts"] == 2
    index = analyst_client.get("/regions/?year=2016-17&quarter=1")
    areas = {a["code"]: a for a in index.context["table"].rows}
    assert areas["Y50"]["trusts"] == 4 and areas["Y51"]["trusts"] == 4
    assert areas["Y50"]["allocation"] == D("1000000.00")
    # Q1 statuses of T0001..T0004 (builders.STATUS_PATTERN): finance failed, no control total,
    # pending, full: one trust's 250,000 pending, three quarters of a million withheld or earned.
    assert areas["Y50"]["pending"] == D("250000.00") and areas["Y50"]["n_pending"] == 1
    assert (areas["Y50"]["n_full"], areas["Y50"]["n_finance_failed"], areas["Y50"]["n_no_control_total"]) == (1, 1, 1)
    assert areas["Y50"]["withheld"] == D("500000.00") and areas["Y50"]["earned"] == D("250000.00")
    html = index.content.decode()
    assert 'href="/regions/Y50/?year=2016-17&amp;quarter=1"' in html
    footprints = analyst_client.get("/footprints/?year=2016-17&quarter=1")
    assert len(footprints.context["table"].rows) == 4
    rows = csv_rows(analyst_client.get("/footprints/?year=2016-17&quarter=1&format=csv&chart=areas"))
    assert sum(D(r["Allocation"]) for r in rows) == D("2000000.00")


# --- Trust page and roles ---------------------------------------------------------------------

@pytest.fixture
def trust_with_returns():
    """£1,000,000.00 for 2016-17 (250,000.00 a quarter). Q1, the June upload: a June return sent
    twice (-450,000.00, then -400,000.00 against the plan -500,000.00), A&E 96%, 94%, 95% (95.00%
    for the quarter: the standard), RTT 93% and cancer 90%: full. Q2, the September upload:
    September -350,000.00 against -500,000.00, A&E 90% and cancer 80% each month (both missed:
    31,250.00 and 12,500.00 withheld), RTT 93%: partial. No returns for Q3 and Q4: pending."""
    trust = TrustFactory(org_code="RTR1", name="Returns Hospitals NHS Trust")
    allocate(trust)
    june = UploadFactory(kind="finance", file_name="june-returns.csv")
    june.trusts.add(trust)
    FinanceReturnFactory(trust=trust, month=datetime.date(2016, 6, 1), plan_ytd=D("-500000.00"),
                         actual_ytd=D("-450000.00"), upload=june, is_current=False)
    FinanceReturnFactory(trust=trust, month=datetime.date(2016, 6, 1), plan_ytd=D("-500000.00"),
                         actual_ytd=D("-400000.00"), upload=june)
    for month, numerator in ((4, 9600), (5, 9400), (6, 9500)):
        PerformanceReturnFactory(trust=trust, month=datetime.date(2016, month, 1), metric="ae",
                                 numerator=numerator, denominator=10000, upload=june)
    returns(trust, 1, finance=False, performance={"ae": None}, upload=june)  # RTT and cancer
    september = UploadFactory(kind="finance", file_name="september-returns.csv")
    september.trusts.add(trust)
    returns(trust, 2, actual="-350000.00", performance={"ae": (9000, 10000), "cancer62": (80, 100)}, upload=september)
    recompute("2016-17")
    return trust


def test_trust_page_shows_waterfall_finance_spc_and_reasons(analyst_client, trust_with_returns):
    response = analyst_client.get("/trusts/RTR1/?year=2016-17&quarter=2")
    assert response.status_code == 200
    charts_by_name = {c.name: c for c in response.context["charts"]}
    assert set(charts_by_name) == {"waterfall", "finance", "spc-ae", "spc-rtt", "spc-cancer62"}
    steps = [(r["period"], r["step"], r["amount"]) for r in charts_by_name["waterfall"].rows]
    # Q2: 250,000 less A&E 31,250 (12.5%) and cancer 12,500 (5%) = 206,250 earned. Q3 and Q4:
    # no returns yet, the whole 250,000 pending.
    assert steps[2:] == [("2016-17 Q2", "allocation", D("250000.00")), ("2016-17 Q2", "withheld_ae", D("31250.00")),
                         ("2016-17 Q2", "withheld_cancer62", D("12500.00")), ("2016-17 Q2", "earned", D("206250.00")),
                         ("2016-17 Q3", "allocation", D("250000.00")), ("2016-17 Q3", "pending", D("250000.00")),
                         ("2016-17 Q3", "earned", D("0.00")),
                         ("2016-17 Q4", "allocation", D("250000.00")), ("2016-17 Q4", "pending", D("250000.00")),
                         ("2016-17 Q4", "earned", D("0.00"))]
    finance = charts_by_name["finance"].rows
    # variance = actual − plan: −400,000 − (−500,000) = 100,000; −350,000 − (−500,000) = 150,000
    assert [(r["month"], r["actual_ytd"], r["variance"]) for r in finance] == [
        ("Jun 2016", D("-400000.00"), D("100000.00")), ("Sep 2016", D("-350000.00"), D("150000.00"))]
    spc = charts_by_name["spc-ae"]
    assert [r["performance"] for r in spc.rows] == [D("96"), D("94"), D("95"), D("90"), D("90"), D("90")]
    # six months are too few for process limits (Making Data Count asks for at least 12)
    assert spc.extra["limits"] is None
    assert spc.extra["reading"].variation_label == "Too few points for SPC (6 of 12)"
    assert [r["special_cause"] for r in spc.rows] == [""] * 6
    html = response.content.decode()
    assert "A&amp;E 90.00% is below the standard 95.00% (no agreed trajectory): £31,250.00 withheld" in html


def test_analyst_sees_upload_history_with_superseded_values(analyst_client, trust_with_returns):
    response = analyst_client.get("/trusts/RTR1/?year=2016-17&quarter=1")
    assert response.context["private"] is True
    assert [u["file_name"] for u in response.context["uploads"]] == ["september-returns.csv", "june-returns.csv"]
    # By month, newest version first within a month: June's current and superseded values, then September's.
    versions = [(v["version"], v["actual_ytd"]) for v in response.context["finance_versions"]]
    assert versions == [("Current", D("-400000.00")), ("Superseded", D("-450000.00")), ("Current", D("-350000.00"))]
    assert "What if…?" in response.content.decode()
    rows = csv_rows(analyst_client.get("/trusts/RTR1/?year=2016-17&quarter=1&format=csv&chart=finance-versions"))
    assert [(r["Version"], r["YTD actual"]) for r in rows] == [
        ("Current", "-400000.00"), ("Superseded", "-450000.00"), ("Current", "-350000.00")]


def test_finance_director_sees_published_figures_of_any_trust_but_private_panels_of_their_own_only(trust_with_returns):
    other = TrustFactory(org_code="ROTH", name="Other Hospitals NHS Trust")
    allocate(other)  # 250,000.00 in Q1, earned in full
    quarter_with_status(other, 1, "full")
    recompute("2016-17")
    director = UserFactory(username="fd1", role="finance_director", trusts=[trust_with_returns])
    client = client_for(director)
    own = client.get("/trusts/RTR1/?year=2016-17&quarter=1")
    assert own.status_code == 200 and own.context["private"] is True
    assert "Upload history" in own.content.decode()
    foreign = client.get("/trusts/ROTH/?year=2016-17&quarter=1")
    assert foreign.status_code == 200 and foreign.context["private"] is False
    html = foreign.content.decode()
    assert "£250,000.00" in html  # the published entitlement
    assert "Upload history</h2>" not in html and "What if…?" not in html
    assert client.get("/trusts/ROTH/?year=2016-17&quarter=1&what_if=1&actual_ytd=0").status_code == 403
    assert client.get("/trusts/ROTH/?year=2016-17&quarter=1&format=csv&chart=uploads").status_code == 403
    assert client.get("/trusts/RTR1/?year=2016-17&quarter=1&format=csv&chart=uploads").status_code == 200
    # The national view is open to every signed-in user.
    assert client.get("/?year=2016-17&quarter=1").status_code == 200


def test_a_trust_csv_download_names_a_chart_on_the_page(analyst_client, trust_with_returns):
    base = "/trusts/RTR1/?year=2016-17&quarter=1&format=csv"
    assert analyst_client.get(base).status_code == 404
    assert analyst_client.get(base + "&chart=nonsense").status_code == 404
    rows = csv_rows(analyst_client.get(base + "&chart=waterfall"))
    assert [(r["Quarter"], r["Step"], r["Amount"]) for r in rows] == [
        ("2016-17 Q1", "Allocation", "250000.00"), ("2016-17 Q1", "Earned", "250000.00"),
        ("2016-17 Q2", "Allocation", "250000.00"), ("2016-17 Q2", "Withheld: A&E 4 hours missed", "31250.00"),
        ("2016-17 Q2", "Withheld: Cancer 62 days missed", "12500.00"), ("2016-17 Q2", "Earned", "206250.00"),
        ("2016-17 Q3", "Allocation", "250000.00"), ("2016-17 Q3", "Pending", "250000.00"),
        ("2016-17 Q3", "Earned", "0.00"),
        ("2016-17 Q4", "Allocation", "250000.00"), ("2016-17 Q4", "Pending", "250000.00"),
        ("2016-17 Q4", "Earned", "0.00")]


@pytest.fixture
def computed_trust():
    """A trust with everything the engine needs for 2016-17 Q1, recomputed by the engine: YTD
    plan -500,000.00, actual -400,000.00; A&E 95%, RTT 93%, cancer 90% each month."""
    trust = TrustFactory(org_code="RWI1", name="What If Hospitals NHS Trust")
    allocate(trust, control_total="-2000000.00")
    returns(trust, 1, performance={"ae": (9500, 10000), "rtt": (9300, 10000), "cancer62": (9000, 10000)})
    builders.recompute("2016-17", trust_ids=[trust.pk])
    return trust


def test_what_if_panel_recomputes_with_the_engine_beside_the_stored_result(analyst_client, computed_trust):
    base = "/trusts/RWI1/?year=2016-17&quarter=1"
    stored = analyst_client.get(base).context["stored"]
    assert stored["status"] == "full" and stored["earned"] == D("250000.00")  # 1,000,000 / 4
    # A&E at 90% misses the 95% standard (no trajectory): 12.5% of 250,000 = 31,250 withheld.
    response = analyst_client.get(base + "&what_if=1&perf_ae=90")
    record = response.context["what_if"]
    assert record["status"] == "partial"
    assert (record["earned"], record["withheld"]) == ("218750.00", "31250.00")
    chart = next(c for c in response.context["charts"] if c.name == "what-if")
    assert [t["y"] for t in chart.figure["data"] if t["name"] == "Earned"] == [[250000.0, 218750.0]]
    assert 'id="what-if-earned">£218,750.00' in response.content.decode()
    # A YTD actual below the plan fails the finance test: the whole quarter is withheld.
    record = analyst_client.get(base + "&what_if=1&actual_ytd=-600000").context["what_if"]
    assert record["status"] == "finance_failed" and record["withheld"] == "250000.00"
    # Nothing was written.
    assert analyst_client.get(base).context["stored"]["earned"] == D("250000.00")


def test_what_if_rejects_bad_input_with_a_message(analyst_client, computed_trust):
    response = analyst_client.get("/trusts/RWI1/?year=2016-17&quarter=1&what_if=1&perf_ae=abc&actual_ytd=lots")
    assert response.status_code == 200
    assert response.context["what_if"] is None
    assert [field for field, _ in response.context["what_if_errors"]] == ["perf_ae", "actual_ytd"]
    assert "There is a problem" in response.content.decode()
    response = analyst_client.get("/trusts/RWI1/?year=2016-17&quarter=1&what_if=1&perf_ae=101")
    assert "must be between 0 and 100" in response.content.decode()


# --- Header: data as at and the latest recompute ----------------------------------------------

def test_header_shows_data_as_at_and_a_running_recompute_with_progress(analyst_client, three_trusts):
    RecomputeRun.objects.create(state="running", progress_done=3, progress_total=10)
    html = analyst_client.get("/?year=2016-17&quarter=1").content.decode()
    assert "Data as at" in html and 'datetime="2026-11-20T09:30:00+00:00"' in html
    assert "<strong>running</strong>, 3 of 10 trusts" in html
    RecomputeRun.objects.create(state="failed", message="Database went away")
    html = analyst_client.get("/?year=2016-17&quarter=1").content.decode()
    assert "<strong>failed</strong>" in html and "Database went away" in html


# --- Query counts do not grow with the number of trusts ---------------------------------------

def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = ["/?year=2016-17&quarter=2", "/?year=2016-17&quarter=2&sort=withheld&dir=desc&status=partial",
         "/regions/", "/footprints/", "/regions/Y50/?year=2016-17&quarter=2", "/footprints/E54000000/",
         "/trusts/T0001/?year=2016-17&quarter=2", "/?format=csv&chart=league"]


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_the_number_of_trusts(analyst, url):
    client = client_for(analyst)
    country(1, prefix="T")  # 4 trusts
    upload = UploadFactory()
    upload.trusts.add(*Trust.objects.all())
    client.get(url)  # warm up (session, content types)
    small = count_queries(client, url)
    country(2, prefix="U", offset=100)  # 8 more trusts in the same regions and footprints: 12 in all
    upload.trusts.add(*Trust.objects.all())
    large = count_queries(client, url)
    assert small == large, f"{url}: {small} queries for 4 trusts, {large} for 12"


# --- plotly.min.js: found by the static files machinery, never committed ----------------------

def test_collectstatic_copies_plotly_from_the_installed_package(tmp_path, settings):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    copied = tmp_path / "vendor" / "plotly.min.js"
    source = finders.find("vendor/plotly.min.js")
    assert copied.read_bytes() == open(source, "rb").read()
    assert (tmp_path / "js" / "charts.js").is_file()
    assert not (Path(settings.BASE_DIR) / "static" / "vendor" / "plotly.min.js").exists()  # not committed


@pytest.mark.parametrize("role, private", [("admin", True), ("analyst", True), ("finance_director", False), (None, False)])
def test_each_role_sees_the_published_view_and_private_panels_as_allowed(trust_with_returns, role, private):
    if role == "admin":
        user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    else:
        user = UserFactory(username=f"user-{role}", role=role)
    client = client_for(user)
    for url in ("/?year=2016-17&quarter=1", "/regions/", "/footprints/", f"/regions/{trust_with_returns.region.code}/",
                f"/footprints/{trust_with_returns.footprint.code}/"):
        assert client.get(url).status_code == 200, url
    response = client.get("/trusts/RTR1/?year=2016-17&quarter=1")
    assert response.status_code == 200
    assert response.context["private"] is private
    assert ("Upload history</h2>" in response.content.decode()) is private
    status = client.get("/trusts/RTR1/?year=2016-17&quarter=1&format=csv&chart=uploads").status_code
    assert status == (200 if private else 403)


def test_a_missing_static_file_is_not_found_rather_than_an_error():
    """Under the development server whitenoise asks the finders for every static path."""
    from django.contrib.staticfiles import finders

    assert finders.find("css/no-such-file.css") is None
    assert finders.find("css/no-such-file.css", find_all=True) == []
    assert finders.find("vendor/plotly.min.js").endswith("plotly.min.js")


@pytest.mark.django_db
def test_a_year_of_months_gives_the_spc_icons_in_words(analyst_client):
    # Twelve months of A&E at 96.00% each: the moving ranges are all 0, so the limits close on the
    # mean (96%); no point is special (none differs from the mean), and the standard 95% lies below
    # the lower limit: consistently passing.
    trust = builders.trust_with_returns(org_code="RSPC", performance={"ae": (9600, 10000)})
    builders.recompute("2016-17")
    response = analyst_client.get(f"/trusts/{trust.org_code}/?year=2016-17&quarter=4")
    spc = {c.name: c for c in response.context["charts"]}["spc-ae"]
    assert spc.extra["limits"]["upper"] == spc.extra["limits"]["lower"] == D("96")
    html = response.content.decode()
    assert '<span class="spc-icon spc-common_cause">Common cause variation</span>' in html
    assert '<span class="spc-icon spc-consistent_pass">Consistently passing the target</span>' in html
