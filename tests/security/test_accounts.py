"""Log in, log out, password change, the account page and the lockout after failed log-ins."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import UploadFactory

LOGIN = "/accounts/login/"


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_page_renders_with_labelled_fields(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_login_with_right_password_goes_to_the_overview(client, director, password):
    response = _login(client, "fd_home", password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_login_never_redirects_off_site(client, director, password):
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "fd_home", "password": password, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, director):
    response = _login(client, "fd_home", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "After 5 failed attempts, logging in as this user from this address is locked for 15 minutes" in (
        response.content.decode()
    )
    assert client.get("/accounts/").status_code == 302


@pytest.mark.django_db
def test_logout_needs_a_post(client, director):
    client.force_login(director)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/accounts/").status_code == 200  # still logged in
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


@pytest.mark.django_db
def test_logout_without_csrf_token_is_refused(director):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_login_form_without_csrf_token_is_refused(director, password):
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "fd_home", password)
    assert response.status_code == 403
    assert "The form could not be checked" in response.content.decode()


@pytest.mark.django_db
def test_password_change(client, director, password):
    client.force_login(director)
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert '<label for="id_old_password">' in page.content.decode()
    refused = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "Plum-orchard-42-river", "new_password2": "Plum-orchard-42-river"},
    )
    assert refused.status_code == 200
    assert "Your old password was entered incorrectly" in refused.content.decode()
    assert '<a href="#id_old_password">Old password: ' in refused.content.decode()  # the error summary links the field
    done = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Plum-orchard-42-river", "new_password2": "Plum-orchard-42-river"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/done/"
    assert client.get("/accounts/password/done/").status_code == 200
    user = get_user_model().objects.get(username="fd_home")
    assert user.check_password("Plum-orchard-42-river")
    assert not user.check_password(password)


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_account_page_of_a_finance_director(client, director, home_trust, other_trust):
    upload = UploadFactory(uploaded_by=director, file_name="home-june.csv")
    upload.trusts.add(home_trust)
    client.force_login(director)
    response = client.get("/accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="role">Finance director</dd>' in html
    assert "RHOME" in html and "Home Hospitals NHS Trust" in html
    assert "ROTHR" not in html and "Other Hospitals" not in html
    assert 'href="/accounts/tokens/"' in html
    assert 'href="/accounts/password/"' in html
    assert "home-june.csv" in html
    assert 'href="/audit/"' not in html


@pytest.mark.django_db
def test_account_page_of_an_analyst_and_an_admin(client, analyst, admin_user_):
    client.force_login(analyst)
    html = client.get("/accounts/").content.decode()
    assert '<dd id="role">Analyst</dd>' in html
    assert "every trust" in html
    assert 'href="/audit/"' in html
    client.force_login(admin_user_)
    html = client.get("/accounts/").content.decode()
    assert '<dd id="role">Administrator</dd>' in html
    assert 'href="/admin/"' in html


@pytest.mark.django_db
def test_director_without_a_trust_is_told_so(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="fd_new", role="finance_director"))
    assert "You are not linked to any trust yet" in client.get("/accounts/").content.decode()


@pytest.mark.django_db
def test_sixth_attempt_is_locked_out_even_with_the_right_password(client, director, password):
    for attempt in range(1, 5):
        response = _login(client, "fd_home", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
    fifth = _login(client, "fd_home", "wrong-5")
    assert fifth.status_code == 429
    sixth = _login(client, "fd_home", password)
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert "Too many failed log-in attempts" in html
    assert "5 failed attempts" in html and "fd_home" in html
    assert "locked for 15 minutes after the last attempt" in html  # the cool-off
    assert client.get("/accounts/").status_code == 302  # not logged in


@pytest.mark.django_db
def test_lockout_is_per_username_and_address(client, director, other_director, password):
    for attempt in range(5):
        _login(client, "fd_home", f"wrong-{attempt}")
    assert _login(client, "fd_home", password).status_code == 429
    # The same person from another address, and another person from the same address, may log in.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert _login(elsewhere, "fd_home", password).status_code == 302
    neighbour = Client()
    assert _login(neighbour, "fd_other", password).status_code == 302


@pytest.mark.django_db
def test_four_failures_then_success_resets_the_count(client, director, password):
    for attempt in range(4):
        _login(client, "fd_home", f"wrong-{attempt}")
    assert _login(client, "fd_home", password).status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(4):
        assert _login(client, "fd_home", f"again-{attempt}").status_code == 200
    assert _login(client, "fd_home", password).status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_failures_are_counted_per_client_address(director, password):
    """With TRUSTED_PROXY_COUNT set, the lockout uses the forwarded address, not the proxy's."""
    from django.test import override_settings

    with override_settings(TRUSTED_PROXY_COUNT=1):
        # The attacker forges a first X-Forwarded-For entry; the proxy appends the address it saw.
        attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
        for attempt in range(5):
            _login(attacker, "fd_home", f"wrong-{attempt}")
        assert _login(attacker, "fd_home", password).status_code == 429
        # The real finance director, through the same proxy from their own address, is not locked out.
        owner = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert _login(owner, "fd_home", password).status_code == 302
        from axes.models import AccessAttempt

        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
