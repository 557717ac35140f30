"""The role helpers every app asks: who may see and act for which trust."""
import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import UserFactory
from trusts.models import Trust, Upload
from trusts.roles import (
    can_act_for,
    can_import_national,
    directed_trust_ids,
    is_analyst,
    is_finance_director,
    restrict_to_visible,
    role_label,
    visible_trusts,
)
from tests.factories import UploadFactory


@pytest.mark.django_db
def test_roles_of_each_kind_of_user(people, home_trust, other_trust):
    anonymous = AnonymousUser()
    analyst, director, admin = people["analyst"], people["director"], people["admin"]
    assert [is_analyst(u) for u in (anonymous, analyst, director, admin)] == [False, True, False, True]
    assert [is_finance_director(u) for u in (anonymous, analyst, director, admin)] == [False, False, True, False]
    assert [role_label(u) for u in (anonymous, analyst, director, admin)] == [
        "Not logged in", "Analyst", "Finance director", "Administrator",
    ]
    assert directed_trust_ids(director) == {home_trust.pk}
    assert directed_trust_ids(anonymous) == frozenset()
    assert set(visible_trusts(director)) == {home_trust}
    assert set(visible_trusts(analyst)) == {home_trust, other_trust}
    assert set(visible_trusts(admin)) == {home_trust, other_trust}
    assert list(visible_trusts(anonymous)) == []
    assert can_act_for(director, home_trust) and can_act_for(director, home_trust.pk)
    assert not can_act_for(director, other_trust)
    assert can_act_for(analyst, other_trust) and can_act_for(admin, other_trust)
    assert not can_act_for(anonymous, home_trust)
    assert not can_act_for(director, None)
    assert [can_import_national(u) for u in (anonymous, analyst, director, admin)] == [False, True, False, True]


@pytest.mark.django_db
def test_user_without_a_role_sees_nothing_and_inactive_users_lose_their_rights(home_trust):
    nobody = UserFactory(username="nobody")
    assert role_label(nobody) == "No role yet"
    assert list(visible_trusts(nobody)) == []
    gone = UserFactory(username="gone", role="finance_director", trusts=[home_trust], is_active=False)
    assert not can_act_for(gone, home_trust)
    assert list(visible_trusts(gone)) == []
    former_analyst = UserFactory(username="former", role="analyst", is_active=False)
    assert not is_analyst(former_analyst)


@pytest.mark.django_db
def test_director_of_two_trusts(home_trust, other_trust):
    both = UserFactory(username="fd_both", role="finance_director", trusts=[home_trust, other_trust])
    assert directed_trust_ids(both) == {home_trust.pk, other_trust.pk}
    assert role_label(both) == "Finance director"


@pytest.mark.django_db
def test_restrict_to_visible_filters_rows_by_their_trust(people, home_trust, other_trust):
    mine = UploadFactory()
    mine.trusts.add(home_trust)
    theirs = UploadFactory()
    theirs.trusts.add(other_trust)
    uploads = Upload.objects.all()
    assert list(restrict_to_visible(uploads, people["director"], "trusts")) == [mine]
    assert set(restrict_to_visible(uploads, people["analyst"], "trusts")) == {mine, theirs}
    assert list(restrict_to_visible(uploads, AnonymousUser(), "trusts")) == []
    assert list(restrict_to_visible(Trust.objects.all(), people["other_director"], "")) == [other_trust]


@pytest.mark.django_db
def test_answers_are_cached_on_the_user(django_assert_num_queries, home_trust, other_trust):
    director = UserFactory(username="fd_cache", role="finance_director", trusts=[home_trust])
    director = type(director).objects.get(pk=director.pk)
    with django_assert_num_queries(2):  # one for the groups, one for the trusts
        for _ in range(50):
            assert can_act_for(director, home_trust)
            assert not can_act_for(director, other_trust)
            assert not is_analyst(director)


@pytest.mark.django_db
def test_role_permissions(people):
    analyst, director, admin = people["analyst"], people["director"], people["admin"]
    for perm in ("finance.add_scheme", "finance.change_scheme", "trusts.change_trust", "trusts.add_trust",
                 "finance.change_allocation", "trusts.import_national", "finance.view_financereturn"):
        assert analyst.has_perm(perm), perm
    assert not analyst.has_perm("finance.delete_scheme")
    assert not analyst.has_perm("auth.change_user")  # roles are given by admins
    for perm in ("trusts.upload_trust_returns", "trusts.add_upload", "finance.view_entitlement"):
        assert director.has_perm(perm), perm
    for perm in ("trusts.import_national", "finance.change_scheme", "trusts.change_trust", "finance.view_allocation"):
        assert not director.has_perm(perm), perm
    assert admin.has_perm("auth.change_user") and admin.has_perm("trusts.import_national")
