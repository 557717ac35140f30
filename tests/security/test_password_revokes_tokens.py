"""A new password revokes the user's API tokens, whichever way it was set; nothing else does."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm, SetPasswordForm
from knox.models import get_token_model
from rest_framework.test import APIClient

from stftracker.accounts.tokens import create_token
from stftracker.models import ApiToken, ApiTokenStatus

NEW = "Plum-orchard-42-river"


@pytest.fixture
def tokens(director, other_director):
    mine = [create_token(user=director, name=name, days=30) for name in ("notebook", "weekly")]
    theirs = create_token(user=other_director, name="theirs", days=30)
    return {"mine": mine, "theirs": theirs}


def _works(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get("/api/v1/trusts/").status_code == 200


def _assert_mine_revoked(tokens):
    for token, secret in tokens["mine"]:
        token.refresh_from_db()
        assert token.status == ApiTokenStatus.REVOKED
        assert token.revoked_at is not None and token.auth_token_id is None
        assert not _works(secret)
    theirs, secret = tokens["theirs"]
    theirs.refresh_from_db()
    assert theirs.status == ApiTokenStatus.ACTIVE
    assert _works(secret)


@pytest.mark.django_db
def test_tokens_work_until_the_password_changes(tokens):
    assert all(_works(secret) for _, secret in tokens["mine"])


@pytest.mark.django_db
def test_the_password_change_page_revokes_the_tokens(client, director, password, tokens):
    client.force_login(director)
    response = client.post("/accounts/password/", {"old_password": password, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    _assert_mine_revoked(tokens)
    done = client.get("/accounts/password/done/").content.decode()
    assert "Any API tokens of yours were revoked" in done


@pytest.mark.django_db
def test_a_password_reset_revokes_the_tokens(director, tokens):
    form = SetPasswordForm(director, {"new_password1": NEW, "new_password2": NEW})
    assert form.is_valid(), form.errors
    form.save()
    _assert_mine_revoked(tokens)


@pytest.mark.django_db
def test_the_admin_password_form_revokes_the_tokens(director, tokens):
    form = AdminPasswordChangeForm(director, {"password1": NEW, "password2": NEW})
    assert form.is_valid(), form.errors
    form.save()
    _assert_mine_revoked(tokens)


@pytest.mark.django_db
def test_set_password_and_save_revokes_the_tokens(director, tokens):
    user = get_user_model().objects.get(pk=director.pk)
    user.set_password(NEW)
    user.save()
    _assert_mine_revoked(tokens)
    assert get_token_model().objects.filter(user=director).count() == 0


@pytest.mark.django_db
def test_disabling_the_password_revokes_the_tokens(director, tokens):
    user = get_user_model().objects.get(pk=director.pk)
    user.set_unusable_password()
    user.save()
    _assert_mine_revoked(tokens)


@pytest.mark.django_db
def test_logging_in_and_other_saves_leave_the_tokens_alone(client, director, password, tokens, settings):
    user = get_user_model().objects.get(pk=director.pk)
    user.email = "new@nhs.example"
    user.save()
    assert client.post("/accounts/login/", {"username": "fd_home", "password": password}).status_code == 302
    # A stored hash upgraded to a newer hasher on log-in is the same password: the tokens stay.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = get_user_model().objects.get(pk=director.pk).password
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "fd_home", "password": password}).status_code == 302
    after = get_user_model().objects.get(pk=director.pk).password
    assert before.startswith("md5$") and after.startswith("pbkdf2_sha256$")
    assert ApiToken.objects.filter(user=director, revoked_at__isnull=True).count() == 2
    assert all(_works(secret) for _, secret in tokens["mine"])
