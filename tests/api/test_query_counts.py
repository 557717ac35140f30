"""The number of SQL queries per request does not grow with the number of trusts."""
import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import token_client
from tests.builders import allocate, recompute, returns
from tests.factories import (
    FinanceReturnFactory, FootprintFactory, RegionFactory, TrustFactory, UploadFactory, UserFactory,
)

MAX_QUERIES = 9  # token, role, count, page (+ validators, a prefetch, or a trust and the schemes it is not in; the staleness: one, two when stale)
ENDPOINTS = [
    "/api/v1/eligibility/?page_size=1000",
    "/api/v1/eligibility/?format=csv",
    "/api/v1/eligibility/?year=2016-17&quarter=2",
    "/api/v1/trusts/",
    "/api/v1/trusts/RQ001/eligibility/",
    "/api/v1/schemes/",
    "/api/v1/returns/finance/?page_size=1000",
    "/api/v1/returns/performance/",
    "/api/v1/uploads/",
]


def build_country(count):
    """``count`` trusts, each allocated for 2016-17 with an upload of April to June's returns; the
    engine stores their four quarters."""
    region = RegionFactory(code="Y56", name="London")
    footprint = FootprintFactory(code="E54000005", name="North Central London", region=region)
    trusts = []
    for number in range(1, count + 1):
        trust = TrustFactory(org_code=f"RQ{number:03d}", name=f"Trust {number}", region=region, footprint=footprint)
        upload = UploadFactory()
        upload.trusts.add(trust)
        allocate(trust)
        for month in (4, 5):
            FinanceReturnFactory(trust=trust, month=datetime.date(2016, month, 1), upload=upload)
        returns(trust, 1, upload=upload)  # June's finance return, three months of performance
        trusts.append(trust)
    recompute("2016-17")
    return trusts


def queries_for(client, url):
    cache.clear()  # the cold path: nothing cached from an earlier request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("trust_count", [5, 50])
@pytest.mark.parametrize("role", ["analyst", "director"])
def test_queries_per_request_are_bounded(django_assert_max_num_queries, trust_count, role):
    trusts = build_country(trust_count)
    user = UserFactory(username=role, role="analyst" if role == "analyst" else "finance_director",
                       trusts=trusts if role == "director" else ())
    client = token_client(user)
    for url in ENDPOINTS:
        cache.clear()
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["analyst", "director"])
def test_queries_are_the_same_for_50_trusts_as_for_5(role):
    trusts = build_country(50)
    user = UserFactory(username=role, role="analyst" if role == "analyst" else "finance_director",
                       trusts=trusts if role == "director" else ())
    client = token_client(user)
    with_50 = {url: queries_for(client, url) for url in ENDPOINTS}
    for trust in trusts[5:]:
        trust.entitlements.all().delete()
        trust.finance_returns.all().delete()
        trust.performance_returns.all().delete()
        trust.uploads.clear()
    with_5 = {url: queries_for(client, url) for url in ENDPOINTS}
    assert with_50 == with_5


@pytest.mark.django_db
def test_a_repeated_eligibility_request_is_answered_from_the_cache(analyst):
    build_country(5)
    client = token_client(analyst)
    url = "/api/v1/eligibility/?year=2016-17&quarter=2"
    cold = queries_for(client, url)
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert again.content == first.content
    assert len(captured) == 4 < cold  # token, freshness of the rows, latest recompute, staleness of the inputs
