"""The uploads a user may see: one rule for the upload pages and the uploads API."""
import pytest
from django.contrib.auth.models import AnonymousUser

from stftracker.intake.selectors import visible_uploads
from tests.factories import UploadFactory, UserFactory


@pytest.fixture
def uploads(director, home_trust, other_trust):
    alpha = UploadFactory(file_name="alpha.csv")
    alpha.trusts.add(home_trust)
    beta = UploadFactory(file_name="beta.csv")
    beta.trusts.add(other_trust)
    both = UploadFactory(file_name="both.csv")
    both.trusts.add(home_trust, other_trust)
    mine = UploadFactory(file_name="mine-rejected.csv", status="rejected", kind="", uploaded_by=director)
    nobodys = UploadFactory(file_name="no-uploader.csv", uploaded_by=None)
    return {"alpha": alpha, "beta": beta, "both": both, "mine": mine, "nobodys": nobodys}


def names(queryset):
    return [upload.file_name for upload in queryset]


@pytest.mark.django_db
def test_analysts_see_every_upload_newest_first(uploads):
    analyst = UserFactory(username="nat", role="analyst")
    assert names(visible_uploads(user=analyst)) == [
        "no-uploader.csv", "mine-rejected.csv", "both.csv", "beta.csv", "alpha.csv"]


@pytest.mark.django_db
def test_a_director_sees_their_trusts_uploads_and_their_own(director, home_trust, other_trust, uploads):
    assert names(visible_uploads(user=director)) == ["mine-rejected.csv", "both.csv", "alpha.csv"]
    assert names(visible_uploads(user=director, trust=home_trust)) == ["both.csv", "alpha.csv"]
    other = UserFactory(username="fd_beta", role="finance_director", trusts=[other_trust])
    assert names(visible_uploads(user=other)) == ["both.csv", "beta.csv"]


@pytest.mark.django_db
def test_no_role_or_no_login_sees_nothing(uploads):
    assert names(visible_uploads(user=UserFactory(username="nobody"))) == []
    assert names(visible_uploads(user=AnonymousUser())) == []
