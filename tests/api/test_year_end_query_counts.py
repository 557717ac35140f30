"""The year-end page, the trust page's year-end line and the year-end API make as many queries for
30 trusts as for 5, decided or waiting."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import token_client
from tests.builders import country, recompute
from tests.factories import UserFactory

# The page: session, user, the schemes, five for the year end (allocations, month-12 actuals, the
# quarters' sums, the waits, the awards), its staleness and the shared context (role, data as at,
# latest run, demo). The trust page: its own queries and six for its year-end line.
# The trust page also shows its due dates and its adjustments: a few fixed queries each; its trends
# and ranks two more, and the outlook of the quarter (for an analyst) the scheme, the one trust's
# engine inputs and its forecast: eight.
MAX_QUERIES = {"/year-end/": 13, "/trusts/": 44, "/api/v1/year-end/": 8}
URLS = [
    "/year-end/?year=2016-17",
    "/year-end/?year=2016-17&format=csv",
    "/year-end/?year=2016-17&format=csv&table=footprints",
    "/trusts/{code}/?year=2016-17",
]
API_URLS = ["/api/v1/year-end/?year=2016-17", "/api/v1/year-end/?year=2016-17&format=csv"]


def counts(code):
    user = UserFactory(role="analyst")
    page = Client()
    page.force_login(user)
    found = {}
    for client, urls in ((page, URLS), (token_client(user), API_URLS)):
        for url in urls:
            url = url.format(code=code)
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, url
            found[url] = len(captured)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("quarters", [(1, 2, 3, 4), (1, 2, 3)], ids=["decided", "waiting"])
def test_year_end_queries_do_not_grow_with_the_trusts(quarters):
    first = country(5, quarters=quarters)[0]
    recompute("2016-17")
    few = counts(first.org_code)
    country(25, quarters=quarters)
    recompute("2016-17")
    many = counts(first.org_code)
    assert many == few
    for url, queries in many.items():
        assert queries <= next(n for prefix, n in MAX_QUERIES.items() if url.startswith(prefix)), (url, queries)
