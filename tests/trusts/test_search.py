"""Finding a trust: the matching rules, the page behind the header's search box, the API's
``?search=`` the typeahead asks, and a finance director's "My trust" link."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import token_client
from tests.factories import RegionFactory, TrustFactory, UserFactory
from trusts.search import chosen_code, search_trusts


@pytest.fixture
def trusts(db):
    north = RegionFactory(code="Y63", name="North of England")
    return {
        "RR8": TrustFactory(org_code="RR8", name="Leeds Teaching Hospitals NHS Trust", region=north),
        "RGD": TrustFactory(org_code="RGD", name="Leeds and York Partnership NHS Foundation Trust", region=north),
        "RX4": TrustFactory(org_code="RX4", name="Northumberland Tyne and Wear NHS Foundation Trust",
                            trust_type="mental_health", region=north),
        "RR7": TrustFactory(org_code="RR7", name="Gateshead Health NHS Foundation Trust", region=north),
    }


def codes(queryset):
    return [trust.org_code for trust in queryset]


def test_every_word_of_a_name_must_match_in_any_case(trusts):
    assert codes(search_trusts("leeds")) == ["RGD", "RR8"]  # by name, ignoring case: "Leeds and" before "Leeds Teaching"
    assert codes(search_trusts("LEEDS teaching")) == ["RR8"]
    assert codes(search_trusts("york leeds")) == ["RGD"]
    assert codes(search_trusts("leeds wakefield")) == []


def test_an_exact_code_comes_before_codes_that_start_with_it_and_names(trusts):
    TrustFactory(org_code="RR8X1", name="Aardvark Hospital")  # a longer code starting RR8
    TrustFactory(org_code="RAB", name="Rr8 Memorial Hospital")  # a name holding the code
    assert codes(search_trusts("rr8")) == ["RR8", "RR8X1", "RAB"]
    # codes starting RR by name (Aardvark, Gateshead, Leeds), then the name holding "rr"
    assert codes(search_trusts("RR")) == ["RR8X1", "RR7", "RR8", "RAB"]


def test_name_and_code_in_brackets_is_that_trust(trusts):
    assert chosen_code("Leeds Teaching Hospitals NHS Trust (rr8)") == "RR8"
    assert chosen_code("Leeds") is None
    assert codes(search_trusts("Leeds Teaching Hospitals NHS Trust (RR8)")) == ["RR8"]


def test_an_empty_query_finds_nothing_and_the_limit_holds(trusts):
    assert codes(search_trusts("   ")) == []
    assert len(search_trusts("NHS", limit=2)) == 2


def test_the_search_page_lists_matches_and_goes_straight_to_a_single_one(trusts, analyst):
    client = Client()
    client.force_login(analyst)
    page = client.get("/trusts/", {"q": "leeds"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 trusts match" in html
    assert 'href="/trusts/RR8/"' in html and 'href="/trusts/RGD/"' in html and "RX4" not in html
    assert client.get("/trusts/", {"q": "rr7"})["Location"] == "/trusts/RR7/"
    assert client.get("/trusts/", {"q": "Leeds and York Partnership NHS Foundation Trust (RGD)"})["Location"] == "/trusts/RGD/"
    assert client.get("/trusts/", {"q": "gateshead"})["Location"] == "/trusts/RR7/"  # the only match
    none = client.get("/trusts/", {"q": "wakefield"}).content.decode()
    assert "No trust's name or ODS code matches “wakefield”" in none


def test_the_search_page_needs_a_login(trusts):
    response = Client().get("/trusts/", {"q": "leeds"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_every_page_has_the_search_form_and_a_director_a_my_trust_link(trusts):
    director = UserFactory(username="fd_leeds", role="finance_director", trusts=[trusts["RR8"]])
    client = Client()
    client.force_login(director)
    html = client.get("/trusts/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html and 'for="trust-search-q"' in html
    assert '<a href="/trusts/RR8/">My trust</a>' in html


def test_the_api_searches_by_name_or_code_in_a_constant_number_of_queries(trusts, analyst):
    client = token_client(analyst)
    body = client.get("/api/v1/trusts/", {"search": "leeds"}).json()
    assert [t["org_code"] for t in body["results"]] == ["RGD", "RR8"]
    assert [t["org_code"] for t in client.get("/api/v1/trusts/", {"search": "rx4"}).json()["results"]] == ["RX4"]
    # the search narrows with the other filters
    both = client.get("/api/v1/trusts/", {"search": "NHS", "trust_type": "mental_health"}).json()["results"]
    assert [t["org_code"] for t in both] == ["RX4"]
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/trusts/", {"search": "NHS"})
    for n in range(20):
        TrustFactory(org_code=f"RZ{n:02d}", name=f"Another NHS Trust {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/trusts/", {"search": "NHS"}).json()["count"] == 24
    assert len(many) == len(few)
