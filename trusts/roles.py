"""Who may see and act for which trust.

Roles are Django groups: ``analyst`` reads everything, imports national statistics (performance
returns in every layout), sets trajectories and edits schemes and trusts; ``finance_director``
acts only for the trusts linked to them through ``Trust.finance_directors``, and sets only their
monthly finance returns (``trusts.upload_trust_returns``; see ``stftracker.intake.kinds``);
admins are superusers and may do everything an analyst may.

Who reads what: performance returns are NHS England's published statistics, so everyone signed
in reads every trust's (:func:`restrict_to_published`); a trust's finance returns, trajectories
and uploads are for analysts and that trust's own directors (:func:`restrict_to_visible`,
:func:`can_act_for`).

``ROLE_PERMISSIONS`` lists the Django permissions each group is given (a data migration sets
them). Every app asks these helpers rather than testing group names itself. The answers are
cached on the user object, so a page that asks many times costs one query per question, not one
per trust.
"""
from trusts.models import Trust

ANALYST = "analyst"
FINANCE_DIRECTOR = "finance_director"

# What each role may do, as Django permissions (app label, model): what the role groups are given.
VIEW_ALL = [
    ("trusts", "region"), ("trusts", "footprint"), ("trusts", "trust"), ("trusts", "upload"),
    ("performance", "performancereturn"), ("performance", "trajectory"),
    ("finance", "scheme"), ("finance", "allocation"), ("finance", "financereturn"),
    ("finance", "entitlement"), ("finance", "yearendaward"), ("finance", "recomputerun"),
]

ROLE_PERMISSIONS = {
    ANALYST: (
        [f"{app}.view_{model}" for app, model in VIEW_ALL]
        + [f"trusts.{action}_{model}" for model in ("region", "footprint", "trust") for action in ("add", "change")]
        + ["finance.add_scheme", "finance.change_scheme", "finance.add_allocation", "finance.change_allocation"]
        + ["trusts.add_upload", "trusts.import_national", "trusts.upload_trust_returns"]
    ),
    FINANCE_DIRECTOR: [
        "trusts.view_trust", "trusts.view_region", "trusts.view_footprint", "trusts.view_upload",
        "trusts.add_upload", "trusts.upload_trust_returns",
        "finance.view_scheme", "finance.view_entitlement", "finance.view_financereturn",
        "performance.view_performancereturn", "performance.view_trajectory",
    ],
}

_GROUPS_CACHE = "_stf_group_names"
_TRUSTS_CACHE = "_stf_directed_trust_ids"


def _group_names(user):
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    names = getattr(user, _GROUPS_CACHE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS_CACHE, names)
    return names


def is_analyst(user) -> bool:
    """A superuser or a member of the analyst group: sees every trust's returns."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or ANALYST in _group_names(user))


def is_finance_director(user) -> bool:
    """A member of the finance director group (whether or not linked to a trust yet)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return FINANCE_DIRECTOR in _group_names(user)


def role_label(user) -> str:
    """The user's role in words, for pages."""
    if not getattr(user, "is_authenticated", False):
        return "Not logged in"
    if user.is_superuser:
        return "Administrator"
    labels = []
    if ANALYST in _group_names(user):
        labels.append("Analyst")
    if FINANCE_DIRECTOR in _group_names(user):
        labels.append("Finance director")
    return " and ".join(labels) or "No role yet"


def directed_trust_ids(user) -> frozenset:
    """Ids of the trusts the user is linked to as finance director (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    ids = getattr(user, _TRUSTS_CACHE, None)
    if ids is None:
        ids = frozenset(Trust.finance_directors.through.objects.filter(user_id=user.pk).values_list("trust_id", flat=True))
        setattr(user, _TRUSTS_CACHE, ids)
    return ids


def visible_trusts(user):
    """Trusts whose returns, uploads and detailed entitlements the user may see.

    Analysts and admins: every trust. Anyone else: the trusts they direct (none for a user
    without a role, and none for anonymous users). National published views are not limited by
    this: they show every trust's headline figures to every logged-in user.
    """
    if is_analyst(user):
        return Trust.objects.all()
    ids = directed_trust_ids(user)
    if not ids:
        return Trust.objects.none()
    return Trust.objects.filter(pk__in=ids)


def restrict_to_visible(queryset, user, trust_field="trust"):
    """Filter ``queryset`` (of rows that point at a trust through ``trust_field``) to what ``user`` may see.

    Use it on every list of returns, uploads or entitlements; ``trust_field`` may be a path such
    as ``"allocation__trust"``. For a queryset of trusts pass ``trust_field=""``.
    """
    if is_analyst(user):
        return queryset
    ids = directed_trust_ids(user)
    if not ids:
        return queryset.none()
    lookup = f"{trust_field}__pk__in" if trust_field else "pk__in"
    return queryset.filter(**{lookup: ids})


def restrict_to_published(queryset, user):
    """``queryset`` of published statistics (performance returns) as ``user`` may read them: every
    trust's for anyone signed in (active), nothing for anonymous users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return queryset


def can_act_for(user, trust) -> bool:
    """May ``user`` upload finance returns for, and read the finance returns and trajectories of,
    ``trust`` (a Trust or its id)?"""
    trust_id = getattr(trust, "pk", trust)
    if trust_id is None:
        return False
    if is_analyst(user):
        return True
    return trust_id in directed_trust_ids(user)


def can_import_national(user) -> bool:
    """May ``user`` import national statistics, trust lists and plans?"""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("trusts.import_national")
    )


def load_roles(users) -> None:
    """Fill the answers cached on each of ``users`` (their groups and the trusts they direct) in two
    queries for them all, so that asking about many users, as a task sending to each does, costs no
    query per user."""
    users = [user for user in users if getattr(user, "is_authenticated", False) and user.pk is not None]
    if not users:
        return
    ids = {user.pk for user in users}
    groups, trusts = {}, {}
    for user_id, name in type(users[0]).groups.through.objects.filter(user_id__in=ids).values_list(
            "user_id", "group__name"):
        groups.setdefault(user_id, set()).add(name)
    for user_id, trust_id in Trust.finance_directors.through.objects.filter(user_id__in=ids).values_list(
            "user_id", "trust_id"):
        trusts.setdefault(user_id, set()).add(trust_id)
    for user in users:
        setattr(user, _GROUPS_CACHE, frozenset(groups.get(user.pk, ())))
        setattr(user, _TRUSTS_CACHE, frozenset(trusts.get(user.pk, ())))
