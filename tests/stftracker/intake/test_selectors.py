"""The uploads a user may see: one rule for the upload pages and the uploads API."""
import pytest
from django.contrib.auth.models import AnonymousUser

from stftracker.intake.selectors import visible_uploads


def names(queryset):
    return [upload.file_name for upload in queryset]


@pytest.mark.django_db
def test_analysts_see_every_upload_newest_first(analyst, uploads):
    assert names(visible_uploads(user=analyst)) == [
        "no-uploader.csv", "mine-rejected.csv", "both.csv", "other.csv", "home.csv"]


@pytest.mark.django_db
def test_a_director_sees_their_trusts_uploads_and_their_own(director, other_director, home_trust, uploads):
    assert names(visible_uploads(user=director)) == ["mine-rejected.csv", "both.csv", "home.csv"]
    assert names(visible_uploads(user=director, trust=home_trust)) == ["both.csv", "home.csv"]
    assert names(visible_uploads(user=other_director)) == ["both.csv", "other.csv"]


@pytest.mark.django_db
def test_no_role_or_no_login_sees_nothing(nobody, uploads):
    assert names(visible_uploads(user=nobody)) == []
    assert names(visible_uploads(user=AnonymousUser())) == []
