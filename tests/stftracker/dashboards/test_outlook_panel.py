"""The trust page's outlook panel for a quarter in progress, and the what-if of a pending quarter:
plain words worked by hand, who sees it, and amounts typed as the site prints them."""
import datetime
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.test import Client

from finance import chase
from tests import builders
from tests.builders import allocate, returns
from tests.factories import FinanceReturnFactory, PerformanceReturnFactory, TrajectoryFactory, UploadFactory

pytestmark = pytest.mark.django_db
PAGE = "/trusts/RHOME/?year=2016-17&quarter=2"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(chase, "today", lambda: datetime.date(2016, 9, 12))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def in_progress(home_trust):
    """£1,000,000.00 for 2016-17 (Q2 £250,000.00; A&E and RTT £31,250.00, cancer £12,500.00, finance
    £175,000.00). Q2: July's A&E 900 of 1,000 against a 93% trajectory; July and August RTT 93 of
    100; no cancer; August's finance return (plan −£300,000.00, actual −£250,000.00); September's
    finance return not in, so the stored quarter is pending. Q1 has every return."""
    allocate(home_trust)
    returns(home_trust, 1)
    upload = UploadFactory()
    PerformanceReturnFactory(trust=home_trust, month=datetime.date(2016, 7, 1), metric="ae", numerator=900,
                             denominator=1000, upload=upload)
    for month in (7, 8):
        PerformanceReturnFactory(trust=home_trust, month=datetime.date(2016, month, 1), metric="rtt", numerator=93,
                                 denominator=100, upload=upload)
    for month in (7, 8, 9):
        TrajectoryFactory(trust=home_trust, month=datetime.date(2016, month, 1), metric="ae", percent=D("93.00"),
                          upload=upload)
    FinanceReturnFactory(trust=home_trust, month=datetime.date(2016, 8, 1), plan_ytd=D("-300000.00"),
                         actual_ytd=D("-250000.00"), forecast_outturn=D("-450000.00"), upload=upload)
    builders.recompute("2016-17")
    return home_trust


def test_the_panel_says_what_the_rest_of_the_quarter_must_reach(director, in_progress):
    response = client_for(director).get(PAGE)
    assert response.context["stored"]["status"] == "pending"
    panel = response.context["outlook"]
    assert panel["decided"] is False
    sentences = {row["metric"]: row["sentence"] for row in panel["rows"]}
    # (3·93·1000 − 100·1·900) / (2·1000) = 189000 / 2000 = 94.5
    assert sentences["ae"] == ("To earn the A&E element (£31,250.00) the rest of the quarter must reach 94.50% "
                               "(achievable; the 93.00% trajectory, 90.00% so far).")
    # (3·92·200 − 100·2·186) / 200 = 18000 / 200 = 90
    assert sentences["rtt"] == ("To earn the RTT element (£31,250.00) the rest of the quarter must reach 90.00% "
                                "(achievable; the 92.00% standard, 93.00% so far).")
    assert sentences["cancer62"] == ("To earn the Cancer 62-day element (£12,500.00) the quarter must reach 85.00% "
                                     "(the 85.00% standard); no month is in yet (achievable).")
    assert panel["finance_sentence"] == (
        "To keep the finance element (£175,000.00) and the quarter's £250,000.00, the YTD actual at September 2016 "
        "must be at least its plan: the latest YTD actual is −£250,000.00 against a plan of −£300,000.00 "
        "(August 2016), on track.")
    # −450,000 − (−500,000) = £50,000.00
    assert "an incentive of £50,000.00 before any scaling" in panel["year_end"]
    html = response.content.decode()
    assert '<caption id="outlook-caption">What each test of 2016-17 Q2 needs from the months not yet in</caption>' in html
    assert 'id="outlook-heading"' in html and "94.50%" in html


def test_a_decided_quarter_says_so(director, in_progress):
    response = client_for(director).get("/trusts/RHOME/?year=2016-17&quarter=1")
    assert response.context["outlook"]["decided"] is True
    assert "2016-17 Q1 is decided" in response.content.decode()


def test_the_panel_is_private(other_director, nobody, analyst, in_progress):
    for user in (other_director, nobody):
        response = client_for(user).get(PAGE)
        assert response.status_code == 200 and response.context["outlook"] is None
        assert 'id="outlook-heading"' not in response.content.decode()
    assert client_for(analyst).get(PAGE).context["outlook"] is not None


def test_the_what_if_labels_the_metrics_awaiting_months(director, in_progress):
    fields = {f["code"]: f for f in client_for(director).get(PAGE).context["what_if_fields"]}
    assert fields["ae"]["months_not_in"] and fields["rtt"]["months_not_in"]
    assert not fields["cancer62"]["months_not_in"]  # no month in: the override is the whole quarter's
    assert "A&amp;E 4 hours, months not yet in (%)" in client_for(director).get(PAGE).content.decode()


def what_if(client, **params):
    query = "&".join(f"{name}={quote(value)}" for name, value in params.items())
    response = client.get(f"{PAGE}&what_if=1&{query}")
    assert response.context["what_if_errors"] == [], response.context["what_if_errors"]
    return response


def test_a_what_if_on_a_pending_quarter_uses_the_latest_plan_known(director, in_progress):
    client = client_for(director)
    # −£310,000.00 (with a true minus sign, as printed) against August's plan −£300,000.00: behind
    record = what_if(client, actual_ytd="−£310,000.00").context["what_if"]
    assert (record["status"], record["withheld"], record["finance"]["ytd_plan"]) == (
        "finance_failed", "250000.00", "-300000.00")
    # (£290,000.00) is −£290,000.00: ahead of the plan; the metrics still wait for their months
    record = what_if(client, actual_ytd="(£290,000.00)").context["what_if"]
    assert (record["status"], record["earned"], record["pending"]) == ("pending", "175000.00", "75000.00")
    # an explicit plan of −£200,000.00 is not met by −£250,000.00
    record = what_if(client, actual_ytd="£-250,000", ytd_plan="-£200,000.00").context["what_if"]
    assert (record["status"], record["finance"]["ytd_plan"]) == ("finance_failed", "-200000.00")
    # nothing was written
    assert client.get(PAGE).context["stored"]["status"] == "pending"


def test_the_needed_figures_earn_the_elements_and_a_hair_less_does_not(director, in_progress):
    client = client_for(director)
    # A&E (900 + 2 × 945) / 3000 = 2790 / 3000 = 93.00%: the trajectory; RTT (186 + 90) / 300 = 92.00%;
    # cancer 85% for the whole quarter: every element earned, £250,000.00
    record = what_if(client, actual_ytd="(290,000)", perf_ae="94.5", perf_rtt="90", perf_cancer62="85"
                     ).context["what_if"]
    assert (record["status"], record["earned"]) == ("full", "250000.00")
    # A&E (900 + 2 × 944.9) / 3000 = 92.993…% < 93%: £31,250.00 withheld, £218,750.00 earned
    record = what_if(client, actual_ytd="(290,000)", perf_ae="94.49", perf_rtt="90", perf_cancer62="85"
                     ).context["what_if"]
    assert (record["status"], record["earned"], record["withheld"]) == ("partial", "218750.00", "31250.00")


def test_a_pending_what_if_without_any_plan_known_says_what_to_enter(analyst, home_trust):
    allocate(home_trust)
    builders.recompute("2016-17")
    response = client_for(analyst).get(PAGE + "&what_if=1&actual_ytd=-1000")
    assert response.context["what_if"] is None
    assert "enter the YTD plan for September 2016" in response.context["what_if_message"]
    record = client_for(analyst).get(PAGE + "&what_if=1&actual_ytd=-1000&ytd_plan=-2000").context["what_if"]
    assert record["finance"]["met"] is True  # −£1,000.00 is ahead of a −£2,000.00 plan


def test_the_words_of_a_secured_a_strict_and_an_unreachable_element():
    from finance.engine.outlook import quarter_outlook
    from stftracker.dashboards.outlook import metric_sentence
    from tests.finance.engine.country import Country, rules_2016_17, rules_2018_19

    def sentence(country, quarter=2):
        result = quarter_outlook(country.rules, country.inputs(), 1, quarter)
        return metric_sentence(result.metrics[0], result.record()["metrics"][0])

    secured = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 1000, 1000, months=(0, 1)).trajectory(1, 2, "ae", "60")
    # (3·60·2000 − 100·2·2000) / 2000 = −20: met whatever September brings
    assert sentence(secured) == ("The A&E element (£31,250.00) is secured: 100.00% so far meets the 60.00% trajectory "
                                 "whatever the rest of the quarter brings.")
    unreachable = Country(rules_2016_17()).trust(1).perf(1, 2, "ae", 500, 1000, months=(0, 1))
    # (3·95·2000 − 100·2·1000) / 2000 = 185
    assert sentence(unreachable) == ("To earn the A&E element (£31,250.00) the rest of the quarter must reach 185.00% "
                                     "(no longer achievable; the 95.00% standard, 50.00% so far).")
    strict = Country(rules_2018_19()).trust(1).perf(1, 2, "ae", 800, 1000, months=(0,))
    for k in range(3):
        strict.performance.append([1, datetime.date(2017, 7 + k, 1), "ae", 850, 1000])
    # (3·85·1000 − 100·800) / 2000 = 87.5, to be beaten; Q2 2018-19 A&E: 30% of £200,000.00
    assert sentence(strict) == ("To earn the A&E element (£60,000.00) the rest of the quarter must beat 87.50% "
                                "(achievable; the 85.00% same quarter last year, 80.00% so far).")
    agreed = Country(rules_2016_17()).trust(1).trajectory(1, 1, "ae", "80")
    assert sentence(agreed, quarter=1) == ("The A&E element (£31,250.00) is secured by the agreed trajectory "
                                           "(paid on agreement in Q1).")
