"""The OpenAPI schema, the self-hosted Swagger UI under our CSP, and a property-based run of the API."""
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from stftracker.accounts.tokens import create_token
from tests.api.conftest import token_client
from tests.builders import allocate, quarter_with_status, recompute
from tests.factories import UploadFactory

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


@pytest.mark.django_db
def test_the_schema_is_openapi_3_and_lists_every_endpoint(analyst):
    response = token_client(analyst).get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/eligibility/", "/api/v1/trusts/", "/api/v1/trusts/{org_code}/",
        "/api/v1/trusts/{org_code}/eligibility/", "/api/v1/trusts/{org_code}/outlook/",
        "/api/v1/schemes/", "/api/v1/schemes/{code}/",
        "/api/v1/returns/finance/", "/api/v1/returns/performance/", "/api/v1/uploads/", "/api/v1/uploads/{id}/",
        "/api/v1/returns/outstanding/",
        "/api/v1/packs/{year}/Q{quarter}.xlsx", "/api/v1/packs/builds/{id}/", "/api/v1/packs/builds/{id}/download/",
        "/api/v1/year-end/",
        "/api/v1/adjustments/", "/api/v1/reopenings/", "/api/v1/reopenings/{id}/close/",
    }
    eligibility = schema["paths"]["/api/v1/eligibility/"]["get"]
    assert {p["name"] for p in eligibility["parameters"]} >= {
        "year", "quarter", "org_code", "region", "footprint", "trust_type", "status", "page", "page_size", "format",
    }
    returns = schema["paths"]["/api/v1/returns/finance/"]["get"]
    assert {p["name"] for p in returns["parameters"]} >= {"org_code", "month_from", "month_to"}
    assert "post" in schema["paths"]["/api/v1/uploads/"]
    assert schema["components"]["securitySchemes"]["apiToken"]["name"] == "Authorization"


def test_the_schema_needs_a_log_in(client, db):
    assert client.get(SCHEMA).status_code == 401


@pytest.mark.django_db
def test_the_docs_page_has_no_inline_script_and_no_cdn(client, analyst):
    client.force_login(analyst)
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert 'src="' in attributes and body.strip() == "", "an inline script would be blocked by the CSP"
    sources = [re.search(r'src="([^"]+)"', attributes).group(1) for attributes, _ in scripts]
    assert all(src.startswith(("/static/", "/api/v1/docs/")) for src in sources), sources
    assert "//" not in "".join(sources)  # nothing from another host
    links = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert links and all(href.startswith("/static/") for href in links)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_the_docs_start_up_script_and_swagger_ui_are_served_by_us(client, analyst):
    client.force_login(analyst)
    html = client.get(DOCS).content.decode()
    script_url = re.search(r'src="(/api/v1/docs/\?[^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content and b"/api/v1/schema/" in script.content
    bundle = re.search(r'src="/static/([^"]*swagger-ui-bundle\.js)"', html).group(1)
    local = finders.find(bundle)  # collected with our static files, served by us
    assert local and "SwaggerUIBundle" in open(local, encoding="utf-8").read(200000)


def test_the_docs_send_a_visitor_who_is_not_logged_in_to_log_in(client, db):
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs/")


def in_test_transaction(application):
    """The WSGI app, answering inside the test's transaction (as Django's test client does):
    it must not close the database connection at the start or end of each request."""

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = application(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]

    return app


@pytest.mark.django_db
def test_no_get_operation_gives_a_server_error(analyst, home_trust, other_trust):
    """Schemathesis generates requests from our own schema; none may answer 5xx, and every
    documented answer (records, pages, errors) matches the schema."""
    upload = UploadFactory()
    upload.trusts.add(home_trust)
    allocate(home_trust)
    quarter_with_status(home_trust, 1, "full", upload=upload)
    allocate(other_trust)
    quarter_with_status(other_trust, 1, "finance_failed")
    recompute("2016-17")
    _, secret = create_token(user=analyst, name="schemathesis", days=1)
    auth = {"Authorization": f"Token {secret}"}
    schema = schemathesis.openapi.from_wsgi(
        f"{SCHEMA}?format=json", in_test_transaction(get_wsgi_application()), headers=auth
    )

    operations = [result.ok() for result in schema.get_all_operations()]
    gets = [operation for operation in operations if operation.method.upper() == "GET"]
    assert len(gets) == 18

    for operation in gets:
        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15, deadline=None, database=None, derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=auth)
            not_a_server_error_found = response.status_code < 500
            assert not_a_server_error_found, f"{case.method} {case.formatted_path} {case.query}: {response.status_code}"
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        check()


@pytest.mark.django_db
def test_the_schema_documents_met_null_and_not_in_scheme(analyst):
    schema = token_client(analyst).get(SCHEMA, {"format": "json"}).json()
    components = schema["components"]["schemas"]
    met = components["FinanceElement"]["properties"]["met"]
    assert met["type"] == "boolean" and met["nullable"] is True
    assert "no control total" in met["description"] and "missing" in met["description"]
    for path in ("/api/v1/eligibility/", "/api/v1/trusts/{org_code}/eligibility/"):
        answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        page = components[answer["$ref"].rsplit("/", 1)[-1]]
        assert "not_in_scheme" in page["required"]
        entry = page["properties"]["not_in_scheme"]["items"]
        assert set(entry["properties"]) == {"org_code", "year", "allocation", "message"}
        assert entry["properties"]["allocation"]["nullable"] is True


@pytest.mark.django_db
def test_the_schema_documents_the_review_pack_as_a_workbook_or_a_build_to_poll(analyst):
    schema = token_client(analyst).get(SCHEMA, {"format": "json"}).json()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    pack = schema["paths"]["/api/v1/packs/{year}/Q{quarter}.xlsx"]["get"]
    assert {p["name"] for p in pack["parameters"]} == {"year", "quarter"}
    assert list(pack["responses"]["200"]["content"]) == [xlsx]
    assert pack["responses"]["200"]["content"][xlsx]["schema"] == {"type": "string", "format": "binary"}
    build = pack["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][build]["properties"]
    assert {"id", "state", "progress", "url", "download"} <= set(fields)
    assert set(pack["responses"]) == {"200", "202", "403", "404"}
    download = schema["paths"]["/api/v1/packs/builds/{id}/download/"]["get"]
    assert list(download["responses"]["200"]["content"]) == [xlsx]
    assert "409" in download["responses"]


@pytest.mark.django_db
def test_the_schema_documents_the_year_end_answer(analyst):
    schema = token_client(analyst).get(SCHEMA, {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/year-end/"]["get"]
    assert {p["name"]: p.get("required", False) for p in operation["parameters"] if p["in"] == "query"} == {
        "year": True, "format": False}
    components = schema["components"]["schemas"]
    answer = components[operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert set(answer["properties"]) == {"year", "method", "state", "decided", "message", "national", "waits", "count",
                                         "results"}
    record = components[answer["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(record["properties"]) == {"org_code", "trust_name", "year", "method", "eligible", "incentive", "bonus",
                                         "general_distribution", "total", "reasons"}
    assert "text/csv" in operation["responses"]["200"]["content"]


@pytest.mark.django_db
def test_the_schema_documents_the_adjustments_of_the_eligibility_record(analyst):
    components = token_client(analyst).get(SCHEMA, {"format": "json"}).json()["components"]["schemas"]
    listed = components["EligibilityRecord"]["properties"]["adjustments"]
    assert listed["type"] == "array" and "empty list" in listed["description"]
    entry = components[listed["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(entry["properties"]) == {"id", "element", "decision", "reason", "approved_by", "approved_at"}
    assert "adjustments" in components["EligibilityRecord"]["required"]
