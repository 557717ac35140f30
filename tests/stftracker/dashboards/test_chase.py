"""The chase list page /returns/outstanding/ and the due dates on a trust's page: who sees what,
the summary and table to the penny, filters, sorting, CSV, the empty state and the queries."""
import csv
import datetime
import io
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from finance import chase
from tests.builders import allocate, finance_return, quarter_months, recompute
from tests.factories import PerformanceReturnFactory, TrustFactory, UploadFactory, UserFactory

pytestmark = pytest.mark.django_db
date = datetime.date
URL = "/returns/outstanding/"
TODAY = date(2016, 10, 12)  # Q2 2016-17 has ended; September's finance return is due today


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(chase, "today", lambda: TODAY)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def quarter(home_trust, other_trust):
    """Q2 2016-17, both trusts allocated £1,000,000.00 a year (£250,000.00 a quarter).

    The home trust (acute) sent September's finance return (on plan: finance met), every RTT and
    cancer month and July's A&E: its August and September A&E are missing, and August holds the A&E
    element, 12.5% of £250,000.00 = £31,250.00. Its July and August finance returns are missing
    too (they decide nothing: £0.00). The other trust (mental health: finance only) sent nothing:
    September's return holds its whole quarter, £250,000.00.

    On 12 October 2016: July's finance return (due 10 August) is 63 days late, August's (due 12
    September) 30 days; August's A&E (due 14 September) 28 days; September's A&E (due 14 October)
    and the other trust's September finance return (due today) are outstanding."""
    allocate(home_trust)
    allocate(other_trust)
    upload = UploadFactory()
    july, august, september = quarter_months(2)
    finance_return(home_trust, 2, upload=upload)
    for month in (july, august, september):
        for metric in ("rtt", "cancer62"):
            PerformanceReturnFactory(trust=home_trust, month=month, metric=metric, numerator=95, denominator=100,
                                     upload=upload)
    PerformanceReturnFactory(trust=home_trust, month=july, metric="ae", upload=upload)
    recompute("2016-17")
    return {"home": home_trust, "other": other_trust}


EXPECTED = {
    ("RHOME", "finance", "2016-07"): ("2016-08-10", "Late", "63", "0.00"),
    ("RHOME", "finance", "2016-08"): ("2016-09-12", "Late", "30", "0.00"),
    ("RHOME", "ae", "2016-08"): ("2016-09-14", "Late", "28", "31250.00"),
    ("RHOME", "ae", "2016-09"): ("2016-10-14", "Outstanding", "0", "0.00"),
    ("ROTHR", "finance", "2016-07"): ("2016-08-10", "Late", "63", "0.00"),
    ("ROTHR", "finance", "2016-08"): ("2016-09-12", "Late", "30", "0.00"),
    ("ROTHR", "finance", "2016-09"): ("2016-10-12", "Outstanding", "0", "250000.00"),
}
# The CSV names each return in words (as the page does).
RETURN_WORDS = {"Finance return": "finance", "A&E 4 hours": "ae", "RTT 18 weeks": "rtt", "Cancer 62 days": "cancer62"}


def by_key(rows):
    return {(r["Code"], RETURN_WORDS[r["Return"]], r["Month"]): (r["Due"], r["State"], r["Days late"], r["Pending money"])
            for r in rows}


def test_an_analyst_sees_every_trust_with_the_summary_to_the_penny(analyst, quarter):
    response = client_for(analyst).get(URL, {"year": "2016-17", "quarter": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Returns outstanding, Q2 2016-17</h1>" in html
    assert re.search(r'id="chase-outstanding">2<', html)
    assert re.search(r'id="chase-late">5<', html)
    assert re.search(r'id="chase-pending">£281,250.00<', html)  # 31,250.00 + 250,000.00
    assert html.count('<tr>\n          <th scope="row"') == 7
    assert "<caption>Returns outstanding and late, Q2 2016-17</caption>" in html
    assert html.count('<th scope="col"') == 8
    for label in ("Trust", "Region", "Return", "Month", "Due", "State", "Days late", "Pending money"):
        assert f">{label}<span class=\"sort-icon\"" in html
    assert 'href="/trusts/RHOME/?year=2016-17&amp;quarter=2"' in html
    assert '<label for="filter-kind">Return</label>' in html and '<label for="filter-region">Region</label>' in html


def test_the_csv_holds_the_rows_shown(analyst, quarter):
    response = client_for(analyst).get(URL, {"year": "2016-17", "quarter": 2, "format": "csv"})
    rows = csv_rows(response)
    assert list(rows[0]) == ["Code", "Trust", "Region", "Return", "Month", "Due", "State", "Days late",
                             "Pending money"]
    assert by_key(rows) == EXPECTED
    assert sum(D(r["Pending money"]) for r in rows) == D("281250.00")
    assert 'filename="stf-returns-outstanding-2016-17-q2.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"kind": "ae"}, {("RHOME", "ae", "2016-08"), ("RHOME", "ae", "2016-09")}),
    ({"state": "outstanding"}, {("RHOME", "ae", "2016-09"), ("ROTHR", "finance", "2016-09")}),
    ({"region": "Y54"}, {("ROTHR", "finance", m) for m in ("2016-07", "2016-08", "2016-09")}),
    ({"kind": "finance", "state": "late", "region": "Y56"},
     {("RHOME", "finance", "2016-07"), ("RHOME", "finance", "2016-08")}),
])
def test_filters(analyst, quarter, filters, expected):
    client = client_for(analyst)
    rows = csv_rows(client.get(URL, {"year": "2016-17", "quarter": 2, "format": "csv", **filters}))
    assert set(by_key(rows)) == expected
    html = client.get(URL, {"year": "2016-17", "quarter": 2, **filters}).content.decode()
    assert f"Showing {len(expected)} of 7 returns not received" in html
    assert "(filtered)" in html


def test_sorted_by_pending_money_or_days_late(analyst, quarter):
    client = client_for(analyst)
    rows = csv_rows(client.get(URL, {"year": "2016-17", "quarter": 2, "format": "csv", "sort": "pending_money",
                                     "dir": "desc"}))
    assert [r["Pending money"] for r in rows[:3]] == ["250000.00", "31250.00", "0.00"]
    rows = csv_rows(client.get(URL, {"year": "2016-17", "quarter": 2, "format": "csv", "sort": "days_late"}))
    assert [r["Days late"] for r in rows] == ["0", "0", "28", "30", "30", "63", "63"]
    html = client.get(URL, {"year": "2016-17", "quarter": 2, "sort": "days_late"}).content.decode()
    assert re.search(r'aria-sort="ascending" data-kind="number" class="num"><a class="sort-link" '
                     r'href="[^"]*dir=desc[^"]*">Days late', html)


def test_a_finance_director_sees_only_their_own_trust(director, quarter):
    client = client_for(director)
    rows = csv_rows(client.get(URL, {"year": "2016-17", "quarter": 2, "format": "csv"}))
    assert {r["Code"] for r in rows} == {"RHOME"} and len(rows) == 4
    html = client.get(URL, {"year": "2016-17", "quarter": 2}).content.decode()
    assert "ROTHR" not in html and "Other Mental Health" not in html
    assert re.search(r'id="chase-pending">£31,250.00<', html)


def test_a_user_without_a_role_sees_nothing_and_a_visitor_is_asked_to_log_in(nobody, quarter):
    html = client_for(nobody).get(URL, {"year": "2016-17", "quarter": 2}).content.decode()
    assert "Nothing outstanding for Q2 2016-17" in html
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_empty_state_names_the_quarter(analyst):
    html = client_for(analyst).get(URL, {"year": "2018-19", "quarter": 3}).content.decode()
    assert '<p class="empty-state" id="chase-empty"><strong>Nothing outstanding for Q3 2018-19</strong>.</p>' in html
    assert "<table" not in html.split('id="chase-heading"')[1]


def test_the_default_is_the_latest_quarter_with_anything_due(analyst, monkeypatch):
    monkeypatch.setattr(chase, "today", lambda: date(2017, 8, 1))  # July 2017 has ended: Q2 2017-18
    html = client_for(analyst).get(URL).content.decode()
    assert "<h1>Returns outstanding, Q2 2017-18</h1>" in html
    # A year asked for without a quarter opens its first quarter unless the default is in it.
    assert "<h1>Returns outstanding, Q1 2016-17</h1>" in client_for(analyst).get(URL, {"year": "2016-17"}).content.decode()
    assert "<h1>Returns outstanding, Q1 2016-17</h1>" in client_for(analyst).get(
        URL, {"year": "2016-17", "quarter": "nine"}).content.decode()


def test_the_nav_links_the_page_for_analysts_only(analyst, director):
    assert 'href="/returns/outstanding/"' in client_for(analyst).get("/accounts/").content.decode()
    assert 'href="/returns/outstanding/"' not in client_for(director).get("/accounts/").content.decode()


def test_the_trust_page_shows_its_due_dates_to_its_own_people(analyst, director, other_director, quarter):
    path = "/trusts/RHOME/?year=2016-17&quarter=2"
    html = client_for(director).get(path).content.decode()
    section = html.split('id="due-heading"')[1].split("</section>")[0]
    assert "When this trust's returns of 2016-17 Q2 are due" in section
    rows = re.findall(r"<tr class=\"due-(\w+)\">\s*<th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>\s*"
                      r"<td><time datetime=\"([\d-]+)\">", section)
    assert len(rows) == 12  # four returns by three months
    assert ("late", "Finance return", "Jul 2016", "2016-08-10") in rows
    assert ("received", "Finance return", "Sep 2016", "2016-10-12") in rows
    assert ("outstanding", "A&amp;E 4 hours", "Sep 2016", "2016-10-14") in rows
    assert "Late</span>, 63 days" in section and "Received on" in section
    assert 'id="due-heading"' in client_for(analyst).get(path).content.decode()
    assert 'id="due-heading"' not in client_for(other_director).get(path).content.decode()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_page_s_queries_do_not_grow_with_the_number_of_trusts(django_assert_max_num_queries):
    user = UserFactory(username="counting", role="analyst")
    client = client_for(user)

    def add(count, start):
        for n in range(start, start + count):
            allocate(TrustFactory(org_code=f"RC{n:03d}"))
        recompute("2016-17")

    add(3, 0)
    url = URL + "?year=2016-17&quarter=2"
    small, small_csv = count_queries(client, url), count_queries(client, url + "&format=csv")
    add(27, 3)
    with django_assert_max_num_queries(small):
        html = client.get(url).content.decode()
    assert "Showing 360 of 360 returns" in html  # 30 trusts x 4 returns x 3 months
    assert count_queries(client, url + "&format=csv") == small_csv
