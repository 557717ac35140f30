"""GET /api/v1/adjustments/ and the adjustments of the eligibility record.

The home trust (RADJ) is acute, allocated £1,000,000.00 for 2016-17: Q2 is £250,000.00, its A&E
element £31,250.00. Its A&E is 91.20% (below 95%, no trajectory) and finance is ahead of plan.
"""
import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance import adjustments, dependencies, services
from tests.api.conftest import api_client, token_client
from tests.builders import MISSES_AE, allocate, returns
from tests.factories import TrustFactory, UserFactory, scheme

FIELDS = ["id", "org_code", "trust_name", "year", "quarter", "element", "decision", "reason", "state", "document",
          "proposed_by", "proposed_at", "approved_by", "approved_at", "withdrawn_by", "withdrawn_at",
          "withdrawal_reason"]


@pytest.fixture
def people(db):
    return {"ann": UserFactory(username="ann", first_name="Ann", last_name="Proposer", role="analyst"),
            "bob": UserFactory(username="bob", first_name="Bob", last_name="Approver", role="analyst")}


@pytest.fixture
def trusts(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), dependencies.deferred():
        home = TrustFactory(org_code="RADJ", name="Adjusted Hospitals NHS Trust", trust_type="acute")
        other = TrustFactory(org_code="ROTH", name="Other Hospitals NHS Trust", trust_type="acute")
        for trust in (home, other):
            allocate(trust)
            returns(trust, 2, performance=MISSES_AE)
    services.recompute()
    return home, other


def propose(trust, user, **changes):
    fields = dict(trust=trust, scheme=scheme("2016-17"), quarter=2, element="ae", decision="pay",
                  reason="Misreported August figures")
    return adjustments.propose(user=user, **{**fields, **changes})


@pytest.fixture
def three(trusts, people):
    """RADJ Q2 A&E paid (approved by Bob), RADJ Q3 finance withheld (withdrawn), ROTH Q2 RTT proposed."""
    home, other = trusts
    approved = adjustments.approve(user=people["bob"], adjustment=propose(home, people["ann"]))
    withdrawn = adjustments.withdraw(user=people["bob"], reason="Not needed",
                                     adjustment=propose(home, people["ann"], quarter=3, element="finance",
                                                        decision="withhold"))
    proposed = propose(other, people["ann"], element="rtt", decision="withhold")
    return approved, withdrawn, proposed


@pytest.mark.django_db
def test_analysts_read_every_adjustment_with_its_steps(three, people):
    approved, withdrawn, proposed = three
    response = token_client(people["ann"]).get("/api/v1/adjustments/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and [r["id"] for r in body["results"]] == [proposed.pk, withdrawn.pk, approved.pk]
    record = body["results"][2]
    assert list(record) == FIELDS
    assert {key: record[key] for key in FIELDS if not key.endswith("_at")} == {
        "id": approved.pk, "org_code": "RADJ", "trust_name": "Adjusted Hospitals NHS Trust", "year": "2016-17",
        "quarter": 2, "element": "ae", "decision": "pay", "reason": "Misreported August figures",
        "state": "approved", "document": None, "proposed_by": "Ann Proposer", "approved_by": "Bob Approver",
        "withdrawn_by": None, "withdrawal_reason": None,
    }
    assert record["proposed_at"].endswith("Z") and record["approved_at"].endswith("Z") and record["withdrawn_at"] is None
    gone = body["results"][1]
    assert (gone["state"], gone["withdrawn_by"], gone["withdrawal_reason"]) == ("withdrawn", "Bob Approver", "Not needed")


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), [
    ("year=2016-17&quarter=2", ["ROTH", "RADJ"]),
    ("quarter=3", ["RADJ"]),
    ("org_code=roth", ["ROTH"]),
    ("state=approved", ["RADJ"]),
    ("year=2017-18", []),
])
def test_filters(three, people, query, expected):
    response = token_client(people["ann"]).get(f"/api/v1/adjustments/?{query}")
    assert [r["org_code"] for r in response.json()["results"]] == expected


@pytest.mark.django_db
def test_bad_filters_are_named(three, people):
    response = token_client(people["ann"]).get("/api/v1/adjustments/?quarter=5&state=maybe")
    assert response.status_code == 400
    assert set(response.json()) == {"quarter", "state"}


@pytest.mark.django_db
def test_finance_directors_see_their_own_trusts_only_and_others_none(three, trusts):
    home, _ = trusts
    director = UserFactory(username="fd", role="finance_director", trusts=[home])
    response = token_client(director).get("/api/v1/adjustments/")
    assert [r["org_code"] for r in response.json()["results"]] == ["RADJ", "RADJ"]
    assert token_client(director).get("/api/v1/adjustments/?org_code=ROTH").json()["count"] == 0
    nobody = UserFactory(username="none")
    assert token_client(nobody).get("/api/v1/adjustments/").json()["count"] == 0
    assert api_client().get("/api/v1/adjustments/").status_code == 401
    # Read-only: nothing can be written through the API.
    assert token_client(director, read_only=False).post("/api/v1/adjustments/", {}).status_code == 405


@pytest.mark.django_db
def test_csv_gives_every_matching_adjustment(three, people):
    approved, withdrawn, proposed = three
    response = token_client(people["ann"]).get("/api/v1/adjustments/?format=csv&org_code=RADJ")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == FIELDS
    assert [(r["id"], r["state"], r["approved_by"]) for r in rows] == [
        (str(withdrawn.pk), "withdrawn", ""), (str(approved.pk), "approved", "Bob Approver")]


@pytest.mark.django_db
def test_the_eligibility_record_lists_the_approved_adjustments(trusts, people, django_capture_on_commit_callbacks):
    home, _ = trusts
    client = token_client(people["ann"])
    before = client.get("/api/v1/eligibility/?year=2016-17&quarter=2&org_code=RADJ").json()["results"][0]
    assert before["adjustments"] == [] and (before["earned"], before["withheld"]) == ("218750.00", "31250.00")
    with django_capture_on_commit_callbacks(execute=True):
        approved = adjustments.approve(user=people["bob"], adjustment=propose(home, people["ann"]))
    after = client.get("/api/v1/eligibility/?year=2016-17&quarter=2&org_code=RADJ").json()["results"][0]
    # The A&E element's £31,250.00 moves to earned: 218,750.00 + 31,250.00 = 250,000.00.
    assert (after["status"], after["earned"], after["withheld"], after["pending"]) == ("full", "250000.00", "0.00", "0.00")
    [listed] = after["adjustments"]
    assert {key: listed[key] for key in ("id", "element", "decision", "reason", "approved_by")} == {
        "id": approved.pk, "element": "ae", "decision": "pay", "reason": "Misreported August figures",
        "approved_by": "Bob Approver"}
    assert listed["approved_at"] == approved.approved_at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (f"A&E element paid on review (adjustment {approved.pk}, approved by Bob Approver): £31,250.00 earned"
            in after["reasons"])
    other = client.get("/api/v1/eligibility/?year=2016-17&quarter=2&org_code=ROTH").json()["results"][0]
    assert other["adjustments"] == [] and other["earned"] == "218750.00"
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/v1/eligibility/?year=2016-17&quarter=2&org_code=RADJ&format=csv").content.decode())))
    assert rows[0]["adjustments"].startswith(f"{approved.pk}: ae pay, approved by Bob Approver ")


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_adjustments(people, django_assert_max_num_queries):
    client = token_client(people["ann"])

    def country(prefix, count):
        with dependencies.deferred():
            for number in range(count):
                trust = TrustFactory(org_code=f"{prefix}{number:03d}", trust_type="acute")
                allocate(trust)
                adjustments.approve(user=people["bob"], adjustment=propose(trust, people["ann"]))
                propose(trust, people["ann"], element="rtt")

    country("RA", 2)
    counts = {}
    for url in ("/api/v1/adjustments/?page_size=1000", "/api/v1/adjustments/?format=csv"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    country("RB", 20)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    assert client.get("/api/v1/adjustments/?page_size=1000").json()["count"] == 44
