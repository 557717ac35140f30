"""The league table of the area pages: pages of LEAGUE_PAGE_SIZE trusts read with LIMIT/OFFSET,
links that keep the filters and the sort, the CSV of the whole filtered table, and a footprint
filter narrowed to the chosen region's footprints."""
import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import builders

pytestmark = pytest.mark.django_db
COMPUTED_AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)


def country(*args, **kwargs):
    trusts = builders.areas_country(*args, **kwargs)
    builders.recompute("2016-17", at=COMPUTED_AT)
    return trusts


@pytest.fixture
def analyst_client(analyst):
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def three_a_page(settings):
    settings.LEAGUE_PAGE_SIZE = 3


def codes(response):
    return [row["org_code"] for row in response.context["league"]]


def test_league_is_paginated_and_its_links_keep_the_filters_and_sort(analyst_client, three_a_page):
    country(2)  # T0001..T0008: T0001-T0004 in Region A (Y50), T0005-T0008 in Region B (Y51)
    page = analyst_client.get("/?year=2016-17&quarter=1&sort=org_code&page=2")
    # 8 trusts, 3 a page: page 2 holds the 4th to the 6th.
    assert codes(page) == ["T0004", "T0005", "T0006"]
    html = page.content.decode()
    assert "Showing 4–6 of 8 trusts, sorted by Code, ascending." in html
    nav = re.search(r'<nav class="pagination" aria-label="League table pages">(.*?)</nav>', html, re.S).group(1)
    current = re.findall(r'<a href="([^"]*)" aria-current="page">', nav)
    assert len(current) == 1 and "page=2" in current[0]
    assert nav.count("<a ") == 5  # Previous, 1, 2, 3, Next
    for href in re.findall(r'href="([^"]*)"', nav):
        assert "sort=org_code" in href and "year=2016-17" in href and "quarter=1" in href
    # Filtered to Region A and sorted by code descending: 4 trusts, page 2 holds the 4th (T0001).
    page = analyst_client.get("/?year=2016-17&quarter=1&region=Y50&sort=org_code&dir=desc&page=2")
    assert codes(page) == ["T0001"]
    html = page.content.decode()
    assert "Showing 4–4 of 4 trusts matching the filters (8 in all), sorted by Code, descending." in html
    links = re.findall(r'href="([^"]*)"', re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0))
    assert links and all("region=Y50" in h and "dir=desc" in h for h in links)
    # A new sort starts again at page 1; the last page is the one past the end; nonsense is page 1.
    sort_links = re.findall(r'class="sort-link" href="([^"]*)"', html)
    assert sort_links and not any("page=" in h for h in sort_links)
    assert codes(analyst_client.get("/?year=2016-17&quarter=1&sort=org_code&page=99")) == ["T0007", "T0008"]
    assert codes(analyst_client.get("/?year=2016-17&quarter=1&sort=org_code&page=x")) == ["T0001", "T0002", "T0003"]


def test_one_page_has_no_page_links_and_keeps_the_sortable_table(analyst_client):
    country(1)  # 4 trusts, fewer than the 50 of a page
    html = analyst_client.get("/?year=2016-17&quarter=1").content.decode()
    assert "Showing 1–4 of 4 trusts, sorted by Trust, ascending." in html
    assert "League table pages" not in html and "data-sortable" in html


def test_league_csv_is_the_whole_filtered_table_not_one_page(analyst_client, three_a_page):
    country(2)
    response = analyst_client.get("/?year=2016-17&quarter=1&region=Y51&sort=org_code&page=2&format=csv&chart=league")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Code"] for r in rows] == ["T0005", "T0006", "T0007", "T0008"]
    html = analyst_client.get("/?year=2016-17&quarter=1&region=Y51&page=2").content.decode()
    download = re.search(r'<p class="download"><a href="([^"]*)">Download CSV<span class="visually-hidden"> of the whole league', html)
    assert download and "page=" not in download.group(1) and "region=Y51" in download.group(1)


def queries_for(client, url):
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured


def test_a_page_is_read_with_limit_and_offset_in_as_many_queries_whatever_the_page_or_trusts(analyst, settings):
    settings.LEAGUE_PAGE_SIZE = 4
    client = Client()
    client.force_login(analyst)
    country(5, regions=1)  # 10 trusts in one region's two footprints
    url = "/?year=2016-17&quarter=1&sort=withheld&dir=desc&page={}"
    first, third = queries_for(client, url.format(1)), queries_for(client, url.format(3))
    assert len(first) == len(third)
    league_sql = [q["sql"] for q in third if "LIMIT" in q["sql"].upper() and "OFFSET" in q["sql"].upper()]
    assert len(league_sql) == 1 and re.search(r"LIMIT 2 OFFSET 8", league_sql[0], re.I)
    # Page 3 of 10 trusts at 4 a page: past the first 8, the 2 left (9 and 10).
    country(15, regions=1, prefix="U", offset=100)  # 30 more trusts, 40 in all
    assert len(queries_for(client, url.format(3))) == len(first)
    assert len(queries_for(client, url.format(10))) == len(first)


# --- The footprint filter narrowed by the region ---------------------------------------------------

def footprint_options(html):
    select = re.search(r'<select id="filter-footprint"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]+)"', select)


def test_footprint_select_offers_the_chosen_regions_footprints_only(analyst_client):
    country(1)  # Region A (Y50): E54000000, E54000001; Region B (Y51): E54100000, E54100001
    html = analyst_client.get("/?year=2016-17&quarter=1").content.decode()
    assert footprint_options(html) == ["E54000000", "E54000001", "E54100000", "E54100001"]
    html = analyst_client.get("/?year=2016-17&quarter=1&region=Y51").content.decode()
    assert footprint_options(html) == ["E54100000", "E54100001"]
    # Every footprint, with its region, for the script that narrows the select as the region changes.
    assert 'data-footprints="league-footprints"' in html and 'id="league-footprints"' in html
    assert '"region__code": "Y50"' in html
    assert "js/league.js" in html


def test_a_footprint_outside_the_chosen_region_is_dropped_with_a_note(analyst_client):
    country(1)  # T0001, T0002 in Region A; T0003 in Footprint B1 (E54100000), T0004 in B2
    response = analyst_client.get("/?year=2016-17&quarter=1&region=Y50&footprint=E54100000")
    assert codes(response) == ["T0001", "T0002"]  # Region A's trusts, not none
    assert response.context["filters"]["footprint"] == ""
    html = response.content.decode()
    assert ("Footprint B1 is not a footprint of Region A, so the footprint filter was not applied: "
            "the table shows every footprint of Region A.") in html
    assert "Showing 1–2 of 2 trusts matching the filters (4 in all), sorted by Trust, ascending." in html
    # The same on a region's own page; a footprint of the region still filters.
    response = analyst_client.get("/regions/Y50/?year=2016-17&quarter=1&footprint=E54100000")
    assert codes(response) == ["T0001", "T0002"] and "Footprint B1 is not a footprint of Region A" in response.content.decode()
    response = analyst_client.get("/regions/Y50/?year=2016-17&quarter=1&footprint=E54000001")
    assert codes(response) == ["T0002"] and "not a footprint of" not in response.content.decode()
    response = analyst_client.get("/?year=2016-17&quarter=1&footprint=NOPE")
    assert len(codes(response)) == 4 and "There is no footprint NOPE" in response.content.decode()
