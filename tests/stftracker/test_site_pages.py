"""Site-wide small pages: the icon browsers ask for, the admin's link to it, the API docs' way back."""
import pytest
from django.contrib.staticfiles import finders

from tests.factories import UserFactory
from tests.otp import verified_login

DOCS = "/api/v1/docs/"


def test_favicon_ico_is_our_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    found = finders.find("favicon.ico")
    assert found, "static/favicon.ico is missing"
    with open(found, "rb") as icon:
        # An ICO file starts with reserved 0, type 1 (icon), and a count of images (1).
        assert icon.read(6) == b"\x00\x00\x01\x00\x01\x00"


@pytest.mark.django_db
def test_the_admin_pages_link_the_icon(client):
    verified_login(client, UserFactory(username="site_admin", is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="icon" href="/static/favicon.ico">' in html
    assert "Django administration" in html  # the admin's own branding is kept


@pytest.mark.django_db
def test_the_api_docs_lead_back_to_the_site(client):
    client.force_login(UserFactory(username="docs_reader", role="analyst"))
    html = client.get(DOCS).content.decode()
    assert '<a href="/">Back to STF Tracker</a>' in html
    assert '<html lang="en-GB">' in html
    assert '<link rel="icon" href="/static/favicon.ico">' in html
    assert "swagger-ui-bundle.js" in html and 'id="swagger-ui"' in html
