"""The API never ignores a query parameter it does not understand: an unknown parameter, a region
that is neither a code nor a name, or a year that is no scheme is a 400 naming the parameter;
regions and footprints may be given by name where a person would write one."""
import pytest

from tests.api.conftest import token_client
from tests.factories import FootprintFactory, RegionFactory, TrustFactory

LISTS = [
    "/api/v1/trusts/", "/api/v1/eligibility/", "/api/v1/returns/finance/", "/api/v1/returns/performance/",
    "/api/v1/uploads/", "/api/v1/returns/outstanding/", "/api/v1/adjustments/", "/api/v1/year-end/?year=2016-17",
    "/api/v1/schemes/", "/api/v1/reopenings/",
]


@pytest.fixture
def london(db):
    region = RegionFactory(code="Y56", name="London")
    footprint = FootprintFactory(code="E54000027", name="North West London", region=region)
    TrustFactory(org_code="RYJ", name="Imperial College Healthcare NHS Trust", region=region, footprint=footprint)
    TrustFactory(org_code="RR8", name="Leeds Teaching Hospitals NHS Trust")
    return region


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_parameter_is_a_400_naming_it(analyst, url):
    joiner = "&" if "?" in url else "?"
    response = token_client(analyst).get(f"{url}{joiner}colour=blue")
    assert response.status_code == 400, response.content
    message = response.json()["colour"][0]
    assert message.startswith("Unknown parameter “colour”: this endpoint takes")


def test_pagination_and_format_are_always_understood(analyst, london):
    response = token_client(analyst).get("/api/v1/trusts/", {"page": 1, "page_size": 1, "format": "json"})
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_regions_and_footprints_by_code_or_name(analyst, london):
    client = token_client(analyst)
    for region in ("Y56", "y56", "London", "LONDON"):
        assert [t["org_code"] for t in client.get("/api/v1/trusts/", {"region": region}).json()["results"]] == ["RYJ"]
    for footprint in ("E54000027", "north west london"):
        found = client.get("/api/v1/trusts/", {"footprint": footprint}).json()["results"]
        assert [t["org_code"] for t in found] == ["RYJ"]
    assert client.get("/api/v1/eligibility/", {"region": "London"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/trusts/", "/api/v1/eligibility/", "/api/v1/returns/outstanding/"])
def test_a_region_that_is_neither_code_nor_name_is_a_400(analyst, london, url):
    response = token_client(analyst).get(url, {"region": "Atlantis"})
    assert response.status_code == 400
    assert response.json()["region"] == ["No region has the code or name “Atlantis”."]


@pytest.mark.parametrize("url", ["/api/v1/eligibility/", "/api/v1/year-end/", "/api/v1/returns/outstanding/",
                                 "/api/v1/adjustments/"])
def test_a_year_that_is_no_scheme_is_a_400_listing_the_schemes(analyst, url):
    response = token_client(analyst).get(url, {"year": "2019-20"})
    assert response.status_code == 400
    assert response.json()["year"] == ["No STF scheme for 2019-20: the schemes are 2016-17, 2017-18, 2018-19."]


def test_a_known_year_with_nothing_in_it_is_an_empty_answer_not_an_error(analyst):
    response = token_client(analyst).get("/api/v1/eligibility/", {"year": "2017-18"})
    assert response.status_code == 200 and response.json()["count"] == 0
