"""GET /api/v1/trusts/ and /api/v1/schemes/: reference data every logged-in user reads."""
import pytest

from tests.api.conftest import token_client
from tests.factories import TrustFactory


@pytest.mark.django_db
def test_trust_list_and_detail(director, home_trust, other_trust):
    client = token_client(director)
    body = client.get("/api/v1/trusts/").json()
    assert body["count"] == 2
    assert body["results"][0] == {
        "org_code": "RHOME", "name": "Home Hospitals NHS Trust", "trust_type": "acute",
        "region": {"code": "Y56", "name": "London"},
        "footprint": {"code": "E54000005", "name": "North Central London"}, "active": True,
    }
    assert body["results"][1]["footprint"] is None
    # Reference data: a finance director reads other trusts too.
    assert client.get("/api/v1/trusts/ROTHR/").json()["name"] == "Other Mental Health NHS Trust"
    assert client.get("/api/v1/trusts/rothr/").status_code == 200
    assert client.get("/api/v1/trusts/RNONE/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected",
    [
        ({"region": "Y56"}, ["RHOME", "RSHUT"]),
        ({"region": "Y54"}, ["ROTHR"]),
        ({"footprint": "E54000005"}, ["RHOME"]),
        ({"trust_type": "mental_health"}, ["ROTHR"]),
        ({"active": "false"}, ["RSHUT"]),
        ({"active": "true", "region": "Y56"}, ["RHOME"]),
    ],
)
def test_trust_filters(analyst, home_trust, other_trust, params, expected):
    TrustFactory(org_code="RSHUT", name="Closed NHS Trust", region=home_trust.region, footprint=None, active=False)
    response = token_client(analyst).get("/api/v1/trusts/", params)
    assert [row["org_code"] for row in response.json()["results"]] == expected


@pytest.mark.django_db
def test_a_bad_trust_type_is_a_400(analyst):
    assert token_client(analyst).get("/api/v1/trusts/", {"trust_type": "hospice"}).status_code == 400


@pytest.mark.django_db
def test_schemes(nobody):
    client = token_client(nobody)
    body = client.get("/api/v1/schemes/").json()
    assert [s["code"] for s in body["results"]] == ["2016-17", "2017-18", "2018-19"]
    psf = client.get("/api/v1/schemes/2018-19/").json()
    assert psf["comparison_scheme"] == "2017-18"
    assert psf["rule_variant"] == "threshold_or_prior_year"
    first = body["results"][0]
    assert first["weights"] == {"ae": "12.5", "rtt": "12.5", "cancer62": "5"}
    assert first["phasing"] == ["25", "25", "25", "25"]
    assert first["pot"].endswith(".00") and "." in first["pot"]  # money as a string with 2 decimals
    assert first["source_document"]
    assert client.get("/api/v1/schemes/2030-31/").status_code == 404


@pytest.mark.django_db
def test_schemes_are_read_only(admin_user_):
    client = token_client(admin_user_, read_only=False)
    assert client.post("/api/v1/schemes/", {"code": "2019-20"}).status_code == 405
    assert client.delete("/api/v1/schemes/2016-17/").status_code == 405


@pytest.mark.django_db
def test_the_api_root_lists_every_list(nobody):
    body = token_client(nobody).get("/api/v1/").json()
    assert body == {
        "eligibility": "http://testserver/api/v1/eligibility/",
        "year_end": "http://testserver/api/v1/year-end/",
        "trusts": "http://testserver/api/v1/trusts/",
        "schemes": "http://testserver/api/v1/schemes/",
        "finance_returns": "http://testserver/api/v1/returns/finance/",
        "performance_returns": "http://testserver/api/v1/returns/performance/",
        "returns_outstanding": "http://testserver/api/v1/returns/outstanding/",
        "uploads": "http://testserver/api/v1/uploads/",
        "adjustments": "http://testserver/api/v1/adjustments/",
        "reopenings": "http://testserver/api/v1/reopenings/",
        "schema": "http://testserver/api/v1/schema/",
        "docs": "http://testserver/api/v1/docs/",
    }
