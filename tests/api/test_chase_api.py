"""GET /api/v1/returns/outstanding/: the chase list's records, pagination, CSV, filters, errors,
who sees what, the schema and the queries."""
import csv
import datetime
import io
from decimal import Decimal as D

import pytest

from finance import chase
from tests.api.conftest import api_client, token_client
from tests.builders import allocate, finance_return, recompute
from tests.factories import TrustFactory, UploadFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/returns/outstanding/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    # 12 September 2016: July's finance return (due 10 August) is late; August's is due today.
    monkeypatch.setattr(chase, "today", lambda: datetime.date(2016, 9, 12))


@pytest.fixture
def two(home_trust, other_trust):
    """Both allocated £1,000,000.00 for 2016-17. The home trust (acute) sent nothing for Q2; the other
    (mental health, finance only) sent July's finance return. Q2's last month (September) has not ended."""
    allocate(home_trust)
    allocate(other_trust)
    from tests.factories import FinanceReturnFactory

    FinanceReturnFactory(trust=other_trust, month=datetime.date(2016, 7, 1), upload=UploadFactory())
    recompute("2016-17")


HOME_Q2 = [
    {"org_code": "RHOME", "trust_name": "Home Hospitals NHS Trust", "kind": kind, "month": month, "due": due,
     "state": state, "pending_money": "0.00"}
    for kind, month, due, state in [
        ("finance", "2016-07", "2016-08-10", "late"), ("finance", "2016-08", "2016-09-12", "outstanding"),
        ("ae", "2016-07", "2016-08-12", "late"), ("ae", "2016-08", "2016-09-14", "outstanding"),
        ("rtt", "2016-07", "2016-09-12", "outstanding"), ("rtt", "2016-08", "2016-10-12", "outstanding"),
        ("cancer62", "2016-07", "2016-09-12", "outstanding"), ("cancer62", "2016-08", "2016-10-12", "outstanding"),
    ]
]
OTHER_Q2 = [{"org_code": "ROTHR", "trust_name": "Other Mental Health NHS Trust", "kind": "finance",
             "month": "2016-08", "due": "2016-09-12", "state": "outstanding", "pending_money": "0.00"}]


def test_records_of_the_quarter_asked_for(analyst, two):
    body = token_client(analyst).get(URL, {"year": "2016-17", "quarter": 2}).json()
    assert body["count"] == 9 and body["next"] is None and body["previous"] is None
    assert body["results"] == HOME_Q2 + OTHER_Q2  # September has not ended: nothing of it is due


def test_the_quarters_last_finance_return_holds_the_whole_quarter(analyst, home_trust, monkeypatch):
    monkeypatch.setattr(chase, "today", lambda: datetime.date(2016, 10, 13))
    allocate(home_trust, allocation="123456.78")  # Q2 £30,864.20 (25%, rounded half-up)
    finance_return(home_trust, 1)
    recompute("2016-17")
    results = token_client(analyst).get(URL, {"year": "2016-17", "quarter": 2, "kind": "finance"}).json()["results"]
    assert [(r["month"], r["state"], r["pending_money"]) for r in results] == [
        ("2016-07", "late", "0.00"), ("2016-08", "late", "0.00"), ("2016-09", "late", "30864.20")]


def test_pages_and_csv(analyst, two):
    client = token_client(analyst)
    first = client.get(URL, {"year": "2016-17", "quarter": 2, "page_size": 4}).json()
    assert first["count"] == 9 and len(first["results"]) == 4 and "page=2" in first["next"]
    rest = client.get(first["next"]).json()["results"] + client.get(URL, {
        "year": "2016-17", "quarter": 2, "page_size": 4, "page": 3}).json()["results"]
    assert first["results"] + rest == HOME_Q2 + OTHER_Q2
    response = client.get(URL, {"year": "2016-17", "quarter": 2, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="stf-returns-outstanding-2016-17-q2.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == HOME_Q2 + OTHER_Q2
    assert sum(D(r["pending_money"]) for r in rows) == D("0.00")


@pytest.mark.parametrize(("filters", "expected"), [
    ({"kind": "rtt"}, [("RHOME", "rtt", "2016-07"), ("RHOME", "rtt", "2016-08")]),
    ({"state": "late"}, [("RHOME", "finance", "2016-07"), ("RHOME", "ae", "2016-07")]),
    ({"region": "Y54"}, [("ROTHR", "finance", "2016-08")]),
])
def test_filters(analyst, two, filters, expected):
    results = token_client(analyst).get(URL, {"year": "2016-17", "quarter": 2, **filters}).json()["results"]
    assert [(r["org_code"], r["kind"], r["month"]) for r in results] == expected


def test_the_default_is_the_latest_quarter_with_anything_due(analyst, two):
    # On 12 September 2016 the latest quarter with an ended month is Q2 2016-17.
    assert token_client(analyst).get(URL).json()["results"] == HOME_Q2 + OTHER_Q2


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"year": "2030-31"}, "year", "No STF scheme for 2030-31: the schemes are 2016-17, 2017-18, 2018-19."),
    ({"year": "2016"}, "year", "Enter a scheme year such as 2016-17."),
    ({"quarter": "5"}, "quarter", "Select a valid choice. 5 is not one of the available choices."),
    ({"kind": "beds"}, "kind", "Select a valid choice. beds is not one of the available choices."),
    ({"state": "received"}, "state", "Select a valid choice. received is not one of the available choices."),
])
def test_bad_parameters_are_a_clear_400(analyst, query, field, message):
    response = token_client(analyst).get(URL, query)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_a_finance_director_sees_only_their_own_trust(director, other_director, two):
    mine = token_client(director).get(URL, {"year": "2016-17", "quarter": 2}).json()
    assert mine["count"] == 8 and mine["results"] == HOME_Q2
    theirs = token_client(other_director).get(URL, {"year": "2016-17", "quarter": 2}).json()
    assert theirs["results"] == OTHER_Q2
    csv_text = token_client(director).get(URL, {"year": "2016-17", "quarter": 2, "format": "csv"}).content.decode()
    assert "ROTHR" not in csv_text


def test_a_token_or_a_session_is_needed(client, analyst, two):
    assert api_client().get(URL).status_code == 401
    client.force_login(analyst)
    assert client.get(URL, {"year": "2016-17", "quarter": 2}).json()["count"] == 9
    assert token_client(analyst).post(URL).status_code in (403, 405)


def test_listed_at_the_api_root_and_documented_in_the_schema(analyst):
    client = token_client(analyst)
    assert client.get("/api/v1/").json()["returns_outstanding"].endswith(URL)
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"year", "quarter", "kind", "state", "region", "page",
                                                             "page_size", "format"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    record = schema["components"]["schemas"][
        schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[-1]]["properties"]["results"]["items"]["$ref"]
        .rsplit("/", 1)[-1]]
    assert set(record["properties"]) == {"org_code", "trust_name", "kind", "month", "due", "state", "pending_money"}
    assert "text/csv" in operation["responses"]["200"]["content"]


@pytest.mark.parametrize("role", ["analyst", "director"])
def test_queries_do_not_grow_with_the_number_of_trusts(role, django_assert_max_num_queries):
    def add(count, start):
        made = [TrustFactory(org_code=f"RA{n:03d}") for n in range(start, start + count)]
        for trust in made:
            allocate(trust)
        recompute("2016-17")
        return made

    trusts = add(3, 0)
    user = UserFactory(username=role, role="analyst" if role == "analyst" else "finance_director",
                       trusts=trusts if role == "director" else ())
    client = token_client(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"year": "2016-17", "quarter": 2}).json()["count"] == 3 * 8
    more = add(27, 3)
    if role == "director":
        for trust in more:
            trust.finance_directors.add(user)
    with django_assert_max_num_queries(len(small)):
        assert client.get(URL, {"year": "2016-17", "quarter": 2, "page_size": 1000}).json()["count"] == 30 * 8
