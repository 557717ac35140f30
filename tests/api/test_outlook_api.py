"""GET /api/v1/trusts/{org_code}/outlook/: the record for a quarter in progress, who may read it,
the errors naming their parameter, the default quarter and the queries."""
import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance import chase
from tests.api.conftest import api_client, token_client
from tests.builders import allocate
from tests.factories import (
    FinanceReturnFactory, PerformanceReturnFactory, TrajectoryFactory, TrustFactory, UploadFactory, UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/trusts/RHOME/outlook/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    # 12 September 2016: Q2 2016-17 is in progress; July's returns are in, August's finance return too
    monkeypatch.setattr(chase, "today", lambda: datetime.date(2016, 9, 12))


@pytest.fixture
def in_progress(home_trust):
    """The home trust (acute), £1,000,000.00 for 2016-17 (Q2 £250,000.00): July's A&E 900 of 1,000
    against a trajectory of 93%, July and August RTT 93 of 100, no cancer yet; August's finance
    return: plan −£300,000.00, actual −£250,000.00, forecast outturn −£450,000.00."""
    allocate(home_trust)
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
    return home_trust


def test_the_record_of_a_quarter_in_progress(analyst, in_progress):
    body = token_client(analyst).get(URL, {"year": "2016-17", "quarter": 2}).json()
    assert (body["org_code"], body["year"], body["quarter"], body["complete"]) == ("RHOME", "2016-17", 2, False)
    assert body["months_in"] == []  # cancer has no month in
    assert body["finance"] == {
        "ytd_plan_to_meet": "-300000.00", "plan_month": "2016-08", "plan_final": False,
        "latest_ytd_actual": "-250000.00", "actual_month": "2016-08", "on_track": True, "met": None,
        "at_stake": "175000.00",  # £250,000.00 − 2 × £31,250.00 − £12,500.00
        "withheld_if_missed": "250000.00",
    }
    ae, rtt, cancer = body["metrics"]
    # A&E: trajectory 93% < 95%; (3·93·1000 − 100·1·900) / (2·1000) = (279000 − 90000) / 2000 = 94.5
    assert ae == {"metric": "ae", "threshold": "93.00", "basis": "trajectory", "strict": False,
                  "months_in": ["2016-07"], "so_far": {"numerator": 900, "denominator": 1000, "percent": "90.00"},
                  "needed_percent": "94.50", "achievable": True, "secured": False, "met": None,
                  "at_stake": "31250.00"}
    # RTT: (3·92·200 − 100·2·186) / (1·200) = (55200 − 37200) / 200 = 90
    assert (rtt["needed_percent"], rtt["basis"], rtt["months_in"]) == ("90.00", "standard", ["2016-07", "2016-08"])
    assert (cancer["needed_percent"], cancer["at_stake"]) == ("85.00", "12500.00")
    # −£450,000.00 forecast against −£500,000.00: £50,000.00 incentive before any scaling
    estimate = body["year_end_estimate"]
    assert (estimate["incentive"], estimate["eligible"], estimate["bonus_depends_on_other_trusts"]) == (
        "50000.00", True, True)
    due = {(d["kind"], d["month"]): d for d in body["due"]}
    assert due[("finance", "2016-07")]["state"] == "late"  # due 10 August, nothing arrived
    assert due[("finance", "2016-08")]["state"] == "received"
    assert due[("finance", "2016-09")] == {"kind": "finance", "month": "2016-09", "due": "2016-10-12",
                                           "state": "not_ended", "received_on": None}
    assert due[("ae", "2016-08")]["due"] == "2016-09-14"


def test_the_default_is_the_quarter_in_progress(analyst, in_progress):
    body = token_client(analyst).get(URL).json()
    assert (body["year"], body["quarter"]) == ("2016-17", 2)  # July has ended by 12 September; September has not


def test_the_trusts_own_director_reads_it(director, in_progress):
    assert token_client(director).get(URL, {"year": "2016-17", "quarter": 2}).status_code == 200


def test_a_director_of_another_trust_is_refused(other_director, in_progress):
    response = token_client(other_director).get(URL, {"year": "2016-17", "quarter": 2})
    assert response.status_code == 403
    assert "finance directors and analysts" in response.json()["detail"]


def test_someone_without_a_role_is_refused(nobody, in_progress):
    assert token_client(nobody).get(URL).status_code == 403


def test_no_token_is_refused(in_progress):
    assert api_client().get(URL).status_code in (401, 403)


@pytest.mark.parametrize("query, field", [
    ({"year": "2016"}, "year"), ({"year": "2030-31"}, "year"), ({"quarter": "5"}, "quarter"),
    ({"quarter": "two"}, "quarter"), ({"month": "2016-07"}, "month"),
])
def test_a_bad_parameter_is_a_400_naming_it(analyst, in_progress, query, field):
    response = token_client(analyst).get(URL, query)
    assert response.status_code == 400 and field in response.json()


def test_unknown_trust_is_404(analyst, db):
    assert token_client(analyst).get("/api/v1/trusts/RNONE/outlook/").status_code == 404


def test_a_trust_not_in_the_scheme_is_404_saying_so(analyst, home_trust):
    allocate(home_trust, allocation="0.00")
    response = token_client(analyst).get(URL, {"year": "2016-17", "quarter": 2})
    assert response.status_code == 404 and "Not in the scheme for 2016-17" in response.json()["detail"]


def test_the_schema_documents_it(analyst, db):
    schema = token_client(analyst).get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/trusts/{org_code}/outlook/" in schema["paths"]


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"year": "2016-17", "quarter": 2}).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_the_number_of_trusts(analyst, in_progress):
    client = token_client(analyst)
    few = _queries(client)
    upload = UploadFactory()
    for n in range(6):
        trust = TrustFactory(org_code=f"RQ{n:03d}")
        allocate(trust)
        FinanceReturnFactory(trust=trust, month=datetime.date(2016, 8, 1), upload=upload)
        PerformanceReturnFactory(trust=trust, month=datetime.date(2016, 7, 1), upload=upload)
    assert _queries(client) == few
    assert few <= 20


def test_another_analyst_token_reads_any_trust(in_progress):
    other = UserFactory(username="analyst2", role="analyst")
    assert token_client(other).get(URL, {"year": "2016-17", "quarter": 2}).status_code == 200
