"""API tokens: the service, the account page (/accounts/tokens/) and the admin."""
import datetime

import pytest
from django.utils import timezone
from knox.models import AuthToken

from stftracker.accounts.tokens import TokenError, create_token, revoke_token
from stftracker.models import ApiToken, ApiTokenStatus
from tests.api.conftest import api_client
from tests.factories import UserFactory
from tests.otp import verified_login


@pytest.mark.django_db
def test_a_token_is_stored_hashed_and_lasts_90_days_by_default(analyst):
    before = timezone.now()
    token, secret = create_token(user=analyst, name="notebook")
    auth_token = AuthToken.objects.get(user=analyst)
    assert secret not in {auth_token.digest, token.token_key}
    assert len(auth_token.digest) == 128  # sha512 hex of the secret, not the secret
    assert token.token_key == secret[:15]
    assert token.read_only is True
    assert before + datetime.timedelta(days=90) <= token.expires_at <= timezone.now() + datetime.timedelta(days=90)
    assert token.status == ApiTokenStatus.ACTIVE
    assert token.created_by == analyst


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 366, -5])
def test_a_token_lasts_between_one_day_and_a_year(analyst, days):
    with pytest.raises(TokenError, match="between 1 and 365 days"):
        create_token(user=analyst, name="notebook", days=days)
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_a_token_may_last_exactly_a_year(analyst):
    token, _ = create_token(user=analyst, name="yearly", days=365)
    assert (token.expires_at - token.created_at).days in {364, 365}


@pytest.mark.django_db
def test_a_token_needs_a_name(analyst):
    with pytest.raises(TokenError, match="name"):
        create_token(user=analyst, name="  ")


@pytest.mark.django_db
def test_revoking_deletes_the_secret_and_keeps_the_record(analyst):
    token, secret = create_token(user=analyst, name="notebook")
    revoke_token(token=token, by=analyst)
    token.refresh_from_db()
    assert token.status == ApiTokenStatus.REVOKED and token.revoked_at is not None
    assert not AuthToken.objects.exists()
    response = api_client(token=secret).get("/api/v1/trusts/")
    assert response.status_code == 401


@pytest.mark.django_db
def test_only_the_owner_or_an_admin_may_revoke(analyst, nobody, admin_user_):
    token, _ = create_token(user=analyst, name="notebook")
    with pytest.raises(TokenError):
        revoke_token(token=token, by=nobody)
    assert AuthToken.objects.count() == 1
    revoke_token(token=token, by=admin_user_)
    assert AuthToken.objects.count() == 0


# --- The page -----------------------------------------------------------------------------------


def test_the_token_page_needs_a_log_in(client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_user_creates_a_token_that_is_shown_once(client, director):
    client.force_login(director)
    response = client.post("/accounts/tokens/", {"name": "monthly returns", "days": "30"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=director)
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert token.read_only is False  # the box was left unticked
    assert "no-store" in response["Cache-Control"]
    assert (token.expires_at - timezone.now()).days in {29, 30}
    # The list shows the token by name and first characters, never the secret again.
    listing = client.get("/accounts/tokens/")
    assert b"monthly returns" in listing.content
    assert token.token_key.encode() in listing.content
    assert secret.encode() not in listing.content
    # And the token works.
    assert api_client(token=secret).get("/api/v1/trusts/").status_code == 200


@pytest.mark.django_db
def test_the_page_refuses_a_lifetime_over_a_year(client, director):
    client.force_login(director)
    response = client.post("/accounts/tokens/", {"name": "forever", "days": "400", "read_only": "on"})
    assert response.status_code == 400
    assert b"less than or equal to 365" in response.content
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_a_user_lists_only_their_own_tokens(client, director, other_director):
    create_token(user=director, name="mine")
    create_token(user=other_director, name="theirs")
    client.force_login(director)
    content = client.get("/accounts/tokens/").content
    assert b"mine" in content and b"theirs" not in content


@pytest.mark.django_db
def test_a_user_revokes_their_token_but_not_someone_elses(client, director, other_director):
    mine, _ = create_token(user=director, name="mine")
    theirs, _ = create_token(user=other_director, name="theirs")
    client.force_login(director)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/accounts/tokens/{mine.pk}/revoke/")
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == ApiTokenStatus.REVOKED
    assert theirs.status == ApiTokenStatus.ACTIVE
    assert client.get(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 405  # never by GET


# --- The admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_creates_a_read_only_token_for_a_user(client, admin_user_, director):
    verified_login(client, admin_user_)
    response = client.post(
        "/admin/stftracker/apitoken/add/",
        {"user": director.pk, "name": "for the trust's system", "read_only": "on", "days": "90"},
    )
    assert response.status_code == 201, response.content[:500]
    token = ApiToken.objects.get(user=director)
    assert token.created_by == admin_user_ and token.read_only
    secret = response.context["secret"]
    client_ = api_client(token=secret)
    assert client_.get("/api/v1/trusts/").status_code == 200
    assert client_.post("/api/v1/uploads/", {}).status_code == 403


@pytest.mark.django_db
def test_an_admin_revokes_tokens_in_bulk(client, admin_user_, director, other_director):
    first, _ = create_token(user=director, name="one")
    second, _ = create_token(user=other_director, name="two")
    verified_login(client, admin_user_)
    response = client.post(
        "/admin/stftracker/apitoken/",
        {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_token_of_an_inactive_user_is_refused(director):
    _, secret = create_token(user=director, name="x")
    director.is_active = False
    director.save()
    assert api_client(token=secret).get("/api/v1/trusts/").status_code == 401


def test_a_user_who_is_inactive_gets_no_token(db):
    user = UserFactory(username="gone", is_active=False)
    with pytest.raises(TokenError, match="not an active user"):
        create_token(user=user, name="x")
