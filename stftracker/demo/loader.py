"""The one service that writes a demo country: ``load_demo`` wipes and rebuilds the whole national
data set (regions, footprints, trusts and their mergers, plans, returns, uploads, and the
entitlements, year-end awards and recompute runs computed from them) in one transaction, with
bulk inserts only, and resets the demo accounts. Schemes and other users are left alone. It
refuses to wipe uploads that did not come from the demo unless told to. It never recomputes
entitlements: run ``manage.py recompute`` afterwards.

Each data set is recorded as an Upload of the file an import would take, with whether its figures
are published statistics or simulated (``notes["provenance"]``), so that every page can say so.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from finance.models import Allocation, Entitlement, FinanceReturn, RecomputeRun, Scheme, YearEndAward
from performance.models import PerformanceReturn, Trajectory
from trusts.models import Footprint, Region, Succession, Trust, Upload, UploadStatus
from trusts.roles import ANALYST, FINANCE_DIRECTOR

from .country import DEFAULT_SEED, YEARS, Country
from .england import england_country
from .synthetic import generate_country

DEMO_SOURCE = "demo"
BATCH_SIZE = 2000


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

    Raises DemoRefused when uploads from anywhere but the demo exist, unless ``force``.
    """
    started = time.perf_counter()
    country = build_country(seed=seed, synthetic=synthetic, scale=scale)
    with transaction.atomic():
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
    return users


def _wipe():
    """Delete the national data set, children first, with one statement per table.

    Trusts and allocations keep history (django-simple-history): deleting them through the ORM
    would write one historical row per object, so their rows and their history tables are cleared
    directly. Nothing else refers to them once the tables below are empty.
    """
    for model in (Entitlement, YearEndAward, RecomputeRun, FinanceReturn, PerformanceReturn, Trajectory, Succession):
        model.objects.all().delete()
    Allocation.objects.all()._raw_delete(Allocation.objects.db)
    Allocation.history.model.objects.all().delete()
    Upload.trusts.through.objects.all().delete()
    Upload.objects.all().delete()
    Trust.finance_directors.through.objects.all().delete()
    Trust.objects.all()._raw_delete(Trust.objects.db)
    Trust.history.model.objects.all().delete()
    Footprint.objects.all().delete()
    Region.objects.all().delete()


def _write(country: Country, users) -> dict:
    reason = f"Demo country (seed {country.seed})"
    regions = Region.objects.bulk_create([Region(code=code, name=name) for code, name in country.regions])
    region_ids = {region.code: region.pk for region in regions}
    footprints = Footprint.objects.bulk_create([
        Footprint(code=f["code"], name=f["name"], region_id=region_ids[f["region"]]) for f in country.footprints
    ])
    footprint_ids = {footprint.code: footprint.pk for footprint in footprints}
    trusts = bulk_create_with_history(
        [
            Trust(
                org_code=t["org_code"], name=t["name"], trust_type=t["trust_type"],
                region_id=region_ids[t["region"]], footprint_id=footprint_ids.get(t["footprint"]),
                active=t.get("active", True),
            )
            for t in country.trusts
        ],
        Trust, batch_size=BATCH_SIZE, default_user=users["admin"], default_change_reason=reason,
    )
    trust_ids = {trust.org_code: trust.pk for trust in trusts}
    successions = Succession.objects.bulk_create([
        Succession(predecessor_id=trust_ids[s["predecessor"]], successor_id=trust_ids[s["successor"]],
                   effective_from=s["effective_from"])
        for s in country.successions
    ])

    files = country.files()
    uploads = Upload.objects.bulk_create([
        Upload(
            uploaded_by=users["admin"] if demo_file.kind == "trusts" else users["analyst"],
            kind=demo_file.kind,
            file_name=demo_file.file_name,
            sha256=demo_file.sha256,
            size_bytes=len(demo_file.content),
            status=UploadStatus.STORED,
            row_count=demo_file.row_count,
            rows_new=demo_file.row_count,
            source=DEMO_SOURCE,
            notes=country.notes(demo_file),
        )
        for demo_file in files
    ])
    Upload.trusts.through.objects.bulk_create(
        [
            Upload.trusts.through(upload_id=upload.pk, trust_id=trust_ids[code])
            for upload, demo_file in zip(uploads, files)
            for code in demo_file.org_codes
        ],
        batch_size=BATCH_SIZE,
    )
    upload_ids = {upload.file_name: upload.pk for upload in uploads}
    schemes = {scheme.code: scheme.pk for scheme in Scheme.objects.filter(code__in=YEARS)}
    missing = sorted(set(YEARS) - set(schemes))
    if missing:
        raise DemoRefused(f"Scheme(s) {', '.join(missing)} are missing: run the migrations first.")

    allocations, finance, performance, trajectories = [], [], [], []
    for year in YEARS:
        plans_upload = upload_ids[f"demo-plans-{year}.csv"]
        allocations += [
            Allocation(
                trust_id=trust_ids[p["org_code"]], scheme_id=schemes[year], stf_allocation=p["stf_allocation"],
                control_total=p["control_total"], control_total_accepted=p["control_total_accepted"],
                upload_id=plans_upload,
            )
            for p in country.plans[year]
        ]
        finance_upload = upload_ids[f"demo-finance-{year}.csv"]
        finance += [
            FinanceReturn(
                trust_id=trust_ids[r["org_code"]], month=r["month"], plan_ytd=r["plan_ytd"],
                actual_ytd=r["actual_ytd"], forecast_outturn=r["forecast_outturn"], upload_id=finance_upload,
            )
            for r in country.finance[year]
        ]
        performance_upload = upload_ids[f"demo-performance-{year}.csv"]
        performance += [
            PerformanceReturn(
                trust_id=trust_ids[r["org_code"]], month=r["month"], metric=r["metric"],
                numerator=r["numerator"], denominator=r["denominator"], upload_id=performance_upload,
            )
            for r in country.performance[year]
        ]
        trajectory_upload = upload_ids[f"demo-trajectories-{year}.csv"]
        trajectories += [
            Trajectory(
                trust_id=trust_ids[r["org_code"]], month=r["month"], metric=r["metric"],
                percent=r["percent"], upload_id=trajectory_upload,
            )
            for r in country.trajectories[year]
        ]
    bulk_create_with_history(
        allocations, Allocation, batch_size=BATCH_SIZE, default_user=users["analyst"], default_change_reason=reason
    )
    FinanceReturn.objects.bulk_create(finance, batch_size=BATCH_SIZE)
    PerformanceReturn.objects.bulk_create(performance, batch_size=BATCH_SIZE)
    published = []
    if country.published_ae_file is not None:
        ae_upload = upload_ids[country.published_ae_file.file_name]
        published = [
            PerformanceReturn(
                trust_id=trust_ids[r["org_code"]], month=r["month"], metric=r["metric"],
                numerator=r["numerator"], denominator=r["denominator"], upload_id=ae_upload,
            )
            for r in country.published_ae
        ]
        PerformanceReturn.objects.bulk_create(published, batch_size=BATCH_SIZE)
    Trajectory.objects.bulk_create(trajectories, batch_size=BATCH_SIZE)
    return {
        "regions": len(regions),
        "footprints": len(footprints),
        "trusts": len(trusts),
        "mergers": len(successions),
        "uploads": len(uploads),
        "allocations": len(allocations),
        "finance returns": len(finance),
        "performance returns": len(performance) + len(published),
        "trajectories": len(trajectories),
    }


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
