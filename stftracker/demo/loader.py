"""The one service that writes a demo country: ``load_demo`` wipes and rebuilds the whole national
data set (regions, footprints, trusts and their mergers, plans, returns, uploads, and the
entitlements, year-end awards and recompute runs computed from them) in one transaction, and
resets the demo accounts (the admin, whom the admin site asks for a second factor, gets a new
random authenticator key each time, printed by ``load_demo``). Schemes and other users are left alone. It refuses to wipe uploads that
did not come from the demo unless told to. It never recomputes entitlements: run
``manage.py recompute`` afterwards.

Each data set is the file an import would take (``Country.files()``), imported through the
intake's own ``ingest`` as the demo user who would upload it, so the demo stores nothing an upload
could not; its upload record says whether its figures are published statistics or simulated
(``notes["provenance"]``), so that every page can say so. Only what no file format carries is
written directly: the regions and footprints by code and name, and the mergers.
"""
from __future__ import annotations

import time
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_update_with_history

from finance import dependencies
from finance.models import Allocation, Entitlement, FinanceReturn, InputChange, RecomputeRun, Scheme, YearEndAward
from performance.models import PerformanceReturn, Trajectory
from stftracker.intake.importing import ingest
from trusts.models import Footprint, Region, Succession, Trust, Upload, UploadStatus
from trusts.roles import ANALYST, FINANCE_DIRECTOR

from .country import DEFAULT_SEED, YEARS, Country
from .england import england_country
from .synthetic import generate_country

DEMO_SOURCE = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # "admin" (superuser), ANALYST or FINANCE_DIRECTOR

    @property
    def description(self):
        return {"admin": "administrator (superuser)", ANALYST: "analyst", FINANCE_DIRECTOR: "finance director"}[self.role]


# Fixed so that the demo can be explored at once; they pass Django's password validators.
DEMO_ACCOUNTS = [
    DemoAccount("admin", "admin-demo-2016", "admin"),
    DemoAccount("analyst", "analyst-demo-2016", ANALYST),
    DemoAccount("fd", "finance-director-demo-2016", FINANCE_DIRECTOR),
]


class DemoRefused(Exception):
    """The database holds data that did not come from the demo; it is not wiped unless forced."""


class DemoFileRefused(ValueError):
    """The intake refused a demo file: the demo stores nothing an upload could not."""


@dataclass
class DemoResult:
    seed: int
    counts: dict
    finance_director_trust: Trust
    seconds: float
    description: str = ""


def has_national_data() -> bool:
    return Trust.objects.exists()


def build_country(*, seed: int = DEFAULT_SEED, synthetic: bool = False, scale: float = 1.0) -> Country:
    """Real England (the default), or the synthetic country of ``scale`` for scale tests."""
    if synthetic or scale != 1.0:
        return generate_country(seed=seed, scale=scale)
    return england_country(seed=seed)


def load_demo(*, seed: int = DEFAULT_SEED, synthetic: bool = False, scale: float = 1.0,
              force: bool = False) -> DemoResult:
    """Wipe the national data set and load a demo country in one transaction: real England with
    the simulated figures of ``seed``, or (``synthetic``, or any ``scale`` but 1) the synthetic one.

    Raises DemoRefused when uploads from anywhere but the demo exist, unless ``force``, and
    DemoFileRefused (storing nothing) if the intake would refuse one of the demo's files.
    """
    started = time.perf_counter()
    country = build_country(seed=seed, synthetic=synthetic, scale=scale)
    # Every row it writes marks the figures out of date; ``manage.py recompute`` brings them up to date.
    with transaction.atomic(), dependencies.deferred():
        others = Upload.objects.exclude(source=DEMO_SOURCE).count()
        if others and not force:
            raise DemoRefused(
                f"The database holds {others} upload(s) that did not come from the demo; loading the demo "
                "would delete them with every trust and return. Use --force to replace them."
            )
        users = _demo_users()
        _wipe()
        counts = _write(country, users)
        fd_trust = Trust.objects.get(org_code=country.finance_director_org_code)
        fd_trust.finance_directors.add(users["fd"])
    return DemoResult(seed=seed, counts=counts, finance_director_trust=fd_trust, seconds=time.perf_counter() - started,
                      description=country.description)


def _demo_users():
    """Create or reset the demo accounts (a constant number of queries)."""
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=[ANALYST, FINANCE_DIRECTOR])}
    existing = {user.username: user for user in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    users = {}
    for account in DEMO_ACCOUNTS:
        user = existing.get(account.username) or User(username=account.username)
        user.email = f"{account.username}@demo.stftracker.example"
        user.is_active = True
        user.is_superuser = user.is_staff = account.role == "admin"
        user.set_password(account.password)
        user.save()
        user.groups.set([groups[account.role]] if account.role in groups else [])
        users[account.username] = user
    # The admin site needs a second factor: the demo admin gets a new random key (never a fixed one).
    admin = users["admin"]
    TOTPDevice.objects.filter(user=admin).delete()
    TOTPDevice.objects.create(user=admin, name="Authenticator app (demo)", confirmed=True)
    return users


def second_factor_key(user):
    """``(key in base32, otpauth link)`` of ``user``'s authenticator device, or ``None``: what the
    demo prints so that its admin can add the key to an app."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        return None
    return b32encode(device.bin_key).decode(), device.config_url


def _wipe():
    """Delete the national data set, children first, with one statement per table.

    Trusts and allocations keep history (django-simple-history): deleting them through the ORM
    would write one historical row per object, so their rows and their history tables are cleared
    directly. Nothing else refers to them once the tables below are empty. Wiping queues no
    recompute (``dependencies.deferred``): with every trust gone there is nothing to recompute, and
    a run queued by the deletes would outlive the data it was for.
    """
    with dependencies.deferred():
        _delete_all()


def _delete_all():
    for model in (Entitlement, YearEndAward, InputChange, RecomputeRun, FinanceReturn, PerformanceReturn, Trajectory, Succession):
        model.objects.all().delete()
    Allocation.objects.all()._raw_delete(Allocation.objects.db)
    Allocation.history.model.objects.all().delete()
    Upload.trusts.through.objects.all().delete()
    Upload.objects.all().delete()
    Trust.finance_directors.through.objects.all().delete()
    InputChange.objects.all().delete()  # the deletes above marked every scheme
    Trust.objects.all()._raw_delete(Trust.objects.db)
    Trust.history.model.objects.all().delete()
    Footprint.objects.all().delete()
    Region.objects.all().delete()


def _write(country: Country, users) -> dict:
    """Import every demo file as its uploader would, through the intake; write directly only what
    no file format carries: the regions and footprints by code and name, and the mergers."""
    schemes = set(Scheme.objects.filter(code__in=YEARS).values_list("code", flat=True))
    missing = sorted(set(YEARS) - schemes)
    if missing:
        raise DemoRefused(f"Scheme(s) {', '.join(missing)} are missing: run the migrations first.")
    _write_places(country)
    uploads, mergers = [], 0
    for demo_file in country.files():  # the trusts first
        uploads.append(_import(country, demo_file, users))
        if demo_file.kind == "trusts":
            mergers = _write_mergers(country, users["admin"])
    rows = {}
    for upload in uploads:
        rows[upload.kind] = rows.get(upload.kind, 0) + upload.rows_new
    return {
        "regions": len(country.regions),
        "footprints": len(country.footprints),
        "trusts": rows["trusts"],
        "mergers": mergers,
        "uploads": len(uploads),
        "allocations": rows["plans"],
        "finance returns": rows["finance"],
        "performance returns": rows["performance"] + rows.get("ae_tidy", 0),
        "trajectories": rows["trajectories"],
    }


def _write_places(country: Country):
    """The regions and STP footprints, by code and name. The trusts file names each by its code
    (or its name) only, so a new one made from the file would take its code as its name, or a
    made-up code: they are written first, and the file's codes find them."""
    regions = Region.objects.bulk_create([Region(code=code, name=name) for code, name in country.regions])
    region_ids = {region.code: region.pk for region in regions}
    Footprint.objects.bulk_create([
        Footprint(code=f["code"], name=f["name"], region_id=region_ids[f["region"]]) for f in country.footprints
    ])


def _import(country: Country, demo_file, users) -> Upload:
    """Import one demo file through the intake, as the user who would upload it, queueing no
    recompute; the upload record says where its figures come from. Anything the import would
    refuse stops the load."""
    user = users["admin"] if demo_file.kind == "trusts" else users["analyst"]
    result = ingest(data=demo_file.content, file_name=demo_file.file_name, user=user, source=DEMO_SOURCE,
                    recompute=False, notes=country.notes(demo_file))
    if result.status != UploadStatus.STORED:
        shown = "; ".join(f"row {e['row']} {e['column']}: {e['message']}" for e in result.errors[:5])
        raise DemoFileRefused(f"The import refused the demo file {demo_file.file_name} ({result.status}): {shown}")
    return result.upload


def _write_mergers(country: Country, user) -> int:
    """The mergers, which no file format carries, and the trusts gone by 2016 or merged away
    marked inactive (the trusts file has no such column), in the trusts' history too."""
    trusts = {trust.org_code: trust for trust in Trust.objects.all()}
    Succession.objects.bulk_create([
        Succession(predecessor=trusts[s["predecessor"]], successor=trusts[s["successor"]],
                   effective_from=s["effective_from"])
        for s in country.successions
    ])
    gone = [trusts[t["org_code"]] for t in country.trusts if not t.get("active", True)]
    for trust in gone:
        trust.active = False
    if gone:
        bulk_update_with_history(gone, Trust, ["active"], default_user=user,
                                 default_change_reason="Closed before the fund began, or merged away")
    return len(country.successions)


def demo_accounts_status():
    """The demo accounts as they stand: (account, user or None, trusts the user directs)."""
    User = get_user_model()
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).prefetch_related(
            "directed_trusts"
        )
    }
    return [
        (account, users.get(account.username), list(users[account.username].directed_trusts.all()) if account.username in users else [])
        for account in DEMO_ACCOUNTS
    ]
