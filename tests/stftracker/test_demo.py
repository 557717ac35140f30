"""The synthetic demo country (scale tests and benchmarks): its shape against the real NHS data and its
sums; and the load_demo command and loader, whichever country they load."""
import csv
import datetime
import hashlib
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import Allocation, FinanceReturn, RecomputeRun
from performance.models import PerformanceReturn, Trajectory
from stftracker.demo import (
    DEMO_ACCOUNTS, Country, DemoFile, DemoFileRefused, england_country, generate_country, load_demo,
)
from stftracker.intake.importing import ingest
from trusts.models import Footprint, Region, Trust, Upload

TYPES = ["acute", "specialist", "mental_health", "community", "ambulance"]
REAL_TYPE = {"acute_specialist": "specialist"}
QUARTER_END_MONTHS = {1: 6, 2: 9, 3: 12, 4: 3}


@pytest.fixture(scope="module")
def country():
    return generate_country()


def percent(numerator, denominator):
    return 100 * numerator / denominator


# --- Organisations -------------------------------------------------------------------------------


def test_trust_counts_by_type_and_region_are_close_to_2016_17(country, reference_data):
    with open(reference_data / "trusts_2016_17_reference.csv", newline="") as f:
        real = list(csv.DictReader(f))
    real_types = Counter(REAL_TYPE.get(r["trust_type_derived"], r["trust_type_derived"]) for r in real)
    real_regions = Counter(r["national_grouping_code"] for r in real)
    demo_types = Counter(t["trust_type"] for t in country.trusts)
    demo_regions = Counter(t["region"] for t in country.trusts)

    assert 220 <= len(country.trusts) <= 245
    assert set(demo_types) == set(TYPES)
    for trust_type in TYPES:
        assert abs(demo_types[trust_type] - real_types[trust_type]) <= max(2, 0.1 * real_types[trust_type]), trust_type
    assert 130 <= demo_types["acute"] <= 146 and 8 <= demo_types["ambulance"] <= 12
    assert set(demo_regions) == {"Y54", "Y55", "Y56", "Y57"}
    for region, n in demo_regions.items():
        assert abs(n - real_regions[region]) <= 0.1 * real_regions[region], region


def test_org_codes_and_names_look_like_nhs_trusts(country):
    codes = [t["org_code"] for t in country.trusts]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"R[A-Z0-9]{2}", code) for code in codes)
    names = [t["name"] for t in country.trusts]
    assert len(set(names)) == len(names)
    assert all(" NHS " in name and name.endswith("Trust") for name in names)
    ambulance = [t["name"] for t in country.trusts if t["trust_type"] == "ambulance"]
    assert all("Ambulance Service" in name for name in ambulance)


def test_44_footprints_each_inside_one_region_and_every_acute_trust_in_one(country):
    footprints = {f["code"]: f for f in country.footprints}
    assert sorted(footprints) == [f"E54{n:06d}" for n in range(5, 49)]
    assert Counter(f["region"] for f in country.footprints) == {"Y54": 9, "Y55": 17, "Y56": 5, "Y57": 13}
    members = defaultdict(list)
    for trust in country.trusts:
        if trust["footprint"]:
            assert footprints[trust["footprint"]]["region"] == trust["region"], trust["org_code"]
            members[trust["footprint"]].append(trust["trust_type"])
        else:
            assert trust["trust_type"] != "acute", trust["org_code"]
    assert all("acute" in members[code] for code in footprints)  # every footprint has an acute trust
    unfootprinted = [t for t in country.trusts if not t["footprint"]]
    assert len(unfootprinted) > 30  # many non-acute trusts sit in no footprint, as in reality
    names = Counter((f["region"], f["name"]) for f in country.footprints)
    assert max(names.values()) == 1


# --- Plans ---------------------------------------------------------------------------------------


def test_allocations_sum_exactly_to_the_fund_and_go_mostly_to_acute_trusts(country):
    types = {t["org_code"]: t["trust_type"] for t in country.trusts}
    plans = country.plans["2016-17"]
    assert len(plans) == len(country.trusts)
    assert sum(p["stf_allocation"] for p in plans) == Decimal("1800000000.00")
    assert sum(p["stf_allocation"] for p in country.plans["2017-18"]) == Decimal("1800000000.00")
    assert sum(p["stf_allocation"] for p in country.plans["2018-19"]) <= Decimal("2450000000.00")
    for year in country.plans:
        for p in country.plans[year]:
            assert p["stf_allocation"] >= 0
            assert p["stf_allocation"] == p["stf_allocation"].quantize(Decimal("0.01"))
    by_type = defaultdict(Decimal)
    for p in plans:
        by_type[types[p["org_code"]]] += p["stf_allocation"]
    assert by_type["acute"] > Decimal("1500000000")
    assert Decimal("10000000") < by_type["ambulance"] < Decimal("150000000")
    assert by_type["mental_health"] + by_type["community"] < Decimal("60000000")
    small = [p for p in plans if types[p["org_code"]] in ("mental_health", "community")]
    assert any(p["stf_allocation"] == 0 for p in small)
    assert all(p["stf_allocation"] < Decimal("3000000") for p in small)


def test_about_23_trusts_refuse_their_control_totals_in_2016_17_and_fewer_later(country):
    refusals = {year: sum(not p["control_total_accepted"] for p in plans) for year, plans in country.plans.items()}
    assert 20 <= refusals["2016-17"] <= 26
    assert refusals["2017-18"] < refusals["2016-17"]
    assert refusals["2018-19"] < refusals["2016-17"]


def test_control_totals_are_mostly_small_surpluses_with_some_large_deficits(country):
    totals = sorted(p["control_total"] for p in country.plans["2016-17"])
    surpluses = [t for t in totals if t >= 0]
    assert len(surpluses) > len(totals) / 2
    assert all(t < Decimal("30000000") for t in surpluses)
    assert Decimal("-5000000") < totals[len(totals) // 2] < Decimal("5000000")
    assert sum(t <= Decimal("-10000000") for t in totals) >= 10
    assert totals[0] > Decimal("-200000000")
    assert sum(totals) == Decimal("-580000000.00")  # the 2016/17 sector control total


# --- Finance returns -----------------------------------------------------------------------------


def test_every_trust_has_a_finance_return_for_every_month_received(country):
    codes = {t["org_code"] for t in country.trusts}
    for year, months in (("2016-17", 12), ("2017-18", 12), ("2018-19", 6)):
        start = int(year[:4])
        expected = {datetime.date(start + (m > 12), (m - 1) % 12 + 1, 1) for m in range(4, 4 + months)}
        rows = country.finance[year]
        assert len(rows) == len(codes) * months
        assert {(r["org_code"], r["month"]) for r in rows} == {(c, m) for c in codes for m in expected}


def test_ytd_plans_build_up_to_the_control_total(country):
    for year in ("2016-17", "2017-18"):
        control = {p["org_code"]: p["control_total"] for p in country.plans[year]}
        march = datetime.date(int(year[:4]) + 1, 3, 1)
        year_end = {r["org_code"]: r["plan_ytd"] for r in country.finance[year] if r["month"] == march}
        assert year_end == control


def quarter_end_rows(rows, quarter, year):
    month = QUARTER_END_MONTHS[quarter]
    return {r["org_code"]: r for r in rows if r["month"] == datetime.date(int(year[:4]) + (quarter == 4), month, 1)}


def test_40_to_50_trusts_fail_finance_or_ae_in_most_quarters_and_most_are_on_track(country):
    year = "2016-17"
    accepted = {p["org_code"] for p in country.plans[year] if p["control_total_accepted"]}
    behind = Counter()
    for quarter in range(1, 5):
        for code, row in quarter_end_rows(country.finance[year], quarter, year).items():
            if row["actual_ytd"] < row["plan_ytd"]:
                behind[code] += 1
    finance_failing = {code for code in accepted if behind[code] >= 3}

    # A&E below both the trajectory (mean of the months) and the 95% standard, Q2 to Q4.
    sums = defaultdict(lambda: [0, 0])
    for r in country.performance[year]:
        if r["metric"] == "ae":
            quarter = (r["month"].month - 4) % 12 // 3 + 1
            sums[(r["org_code"], quarter)][0] += r["numerator"]
            sums[(r["org_code"], quarter)][1] += r["denominator"]
    trajectory = defaultdict(list)
    for r in country.trajectories[year]:
        if r["metric"] == "ae":
            trajectory[(r["org_code"], (r["month"].month - 4) % 12 // 3 + 1)].append(r["percent"])
    ae_misses = Counter()
    for (code, quarter), (numerator, denominator) in sums.items():
        performance = Decimal(numerator) / Decimal(denominator) * 100
        target = sum(trajectory[(code, quarter)]) / 3 if trajectory[(code, quarter)] else None
        if quarter > 1 and performance < 95 and (target is None or performance < target):
            ae_misses[code] += 1
    ae_failing = {code for code in accepted if ae_misses[code] >= 2}

    assert 40 <= len(finance_failing | ae_failing) <= 55
    assert len(finance_failing) >= 15 and len(ae_failing) >= 10
    never_behind = [code for code in accepted if behind[code] == 0]
    assert len(never_behind) > 0.7 * len(accepted)


# --- Performance returns -------------------------------------------------------------------------


def all_performance(country):
    return [r for rows in country.performance.values() for r in rows]


def test_numerators_never_exceed_denominators(country):
    rows = all_performance(country)
    assert len(rows) > 10000
    assert all(0 <= r["numerator"] <= r["denominator"] and r["denominator"] > 0 for r in rows)


def test_metrics_are_returned_by_the_trust_types_that_provide_them(country):
    types = {t["org_code"]: t["trust_type"] for t in country.trusts}
    provided = defaultdict(set)
    for r in all_performance(country):
        provided[r["metric"]].add(types[r["org_code"]])
    assert provided == {"ae": {"acute"}, "rtt": {"acute", "specialist"}, "cancer62": {"acute", "specialist"}}
    acute = {t["org_code"] for t in country.trusts if t["trust_type"] == "acute"}
    ae_2016 = {(r["org_code"], r["month"]) for r in country.performance["2016-17"] if r["metric"] == "ae"}
    assert len(ae_2016) == 12 * len(acute)
    months_2018 = {r["month"] for r in country.performance["2018-19"]}
    assert months_2018 == {datetime.date(2018, m, 1) for m in range(4, 10)}


def test_denominators_are_sized_like_real_trusts(country):
    rows = country.performance["2016-17"]

    def median(metric):
        values = sorted(r["denominator"] for r in rows if r["metric"] == metric)
        return values[len(values) // 2]

    assert 7000 <= median("ae") <= 15000  # real acute trusts: about 10,500 attendances a month
    assert 10000 <= median("rtt") <= 100000  # incomplete pathways: tens of thousands
    assert 20 <= median("cancer62") <= 400  # 62-day treatments: tens to a few hundred


def real_ae_2016_17(reference_data):
    """England all types and the acute trusts' own annual figures, from NHS England's statistics."""
    with open(reference_data / "trusts_2016_17_reference.csv", newline="") as f:
        acute = {r["org_code"] for r in csv.DictReader(f) if r["trust_type_derived"] == "acute"}
    england = [0, 0]
    trusts = defaultdict(lambda: [0, 0])
    with open(reference_data / "ae_attendances.csv", newline="") as f:
        for r in csv.DictReader(f):
            if not "2016-04-01" <= r["period"] < "2017-04-01":
                continue
            attendances, breaches = int(r["attendances"]), int(r["breaches"])
            england[0] += attendances
            england[1] += breaches
            if r["org_code"] in acute:
                trusts[r["org_code"]][0] += attendances
                trusts[r["org_code"]][1] += breaches
    national = 100 * (1 - england[1] / england[0])
    per_trust = sorted(100 * (1 - b / a) for a, b in trusts.values())
    return national, per_trust


def test_ae_performance_is_distributed_like_the_real_2016_17_figures(country, reference_data):
    real_national, real_trusts = real_ae_2016_17(reference_data)
    assert 88.5 < real_national < 89.5  # 89.13%, as SOURCES.md says

    rows = [r for r in country.performance["2016-17"] if r["metric"] == "ae"]
    national = percent(sum(r["numerator"] for r in rows), sum(r["denominator"] for r in rows))
    assert abs(national - real_national) < 2.0

    sums = defaultdict(lambda: [0, 0])
    for r in rows:
        sums[r["org_code"]][0] += r["numerator"]
        sums[r["org_code"]][1] += r["denominator"]
    demo_trusts = sorted(percent(n, d) for n, d in sums.values())

    def decile(values, k):
        return values[round(k / 10 * (len(values) - 1))]

    assert 65 <= demo_trusts[0] <= 82 and 95 <= demo_trusts[-1] <= 99.9
    for k in (1, 5, 9):  # within four points of the real acute trusts' deciles
        assert abs(decile(demo_trusts, k) - decile(real_trusts, k)) < 4, k

    by_month = defaultdict(lambda: [0, 0])
    for r in rows:
        by_month[r["month"].month][0] += r["numerator"]
        by_month[r["month"].month][1] += r["denominator"]
    summer = percent(sum(by_month[m][0] for m in (6, 7, 8)), sum(by_month[m][1] for m in (6, 7, 8)))
    winter = percent(sum(by_month[m][0] for m in (12, 1)), sum(by_month[m][1] for m in (12, 1)))
    assert summer - winter > 3  # the winter dip (real: 88.8% against 83.1%)


def test_rtt_and_cancer_sit_around_their_published_levels(country):
    rows = country.performance["2016-17"]
    for metric, low, high in (("rtt", 88, 93), ("cancer62", 78, 90)):
        selected = [r for r in rows if r["metric"] == metric]
        national = percent(sum(r["numerator"] for r in selected), sum(r["denominator"] for r in selected))
        assert low <= national <= high, metric


def test_most_trusts_agreed_trajectories_and_a_few_did_not(country):
    returned = {(r["org_code"], r["metric"]) for r in country.performance["2016-17"]}
    agreed = {(r["org_code"], r["metric"]) for r in country.trajectories["2016-17"]}
    assert agreed <= returned
    missing = returned - agreed
    assert 1 <= len(missing) <= 0.15 * len(returned)
    assert all(Decimal(0) <= r["percent"] <= Decimal(100) for r in country.trajectories["2016-17"])


# --- Determinism and files -----------------------------------------------------------------------


def test_same_seed_same_country_and_another_seed_another(country):
    again = generate_country()
    assert [f.content for f in again.files()] == [f.content for f in country.files()]
    other = generate_country(seed=7)
    assert [f.sha256 for f in other.files()] != [f.sha256 for f in country.files()]


def test_generated_files_use_the_import_formats(country):
    headers = {
        "trusts": "org_code,name,trust_type,region,footprint",
        "plans": "org_code,year,stf_allocation,control_total,control_total_accepted",
        "finance": "org_code,period,plan_ytd,actual_ytd,forecast_outturn",
        "performance": "org_code,period,metric,numerator,denominator",
        "trajectories": "org_code,period,metric,trajectory_pct",
    }
    files = country.files()
    assert [f.file_name for f in files][:4] == [
        "demo-trusts.csv", "demo-plans-2016-17.csv", "demo-finance-2016-17.csv", "demo-performance-2016-17.csv"
    ]
    for demo_file in files:
        lines = demo_file.content.decode().splitlines()
        assert lines[0] == headers[demo_file.kind]
        assert len(lines) - 1 == demo_file.row_count
        assert demo_file.sha256 == hashlib.sha256(demo_file.content).hexdigest()


def test_a_smaller_country_keeps_the_shape():
    small = generate_country(scale=0.2)
    types = Counter(t["trust_type"] for t in small.trusts)
    assert 40 <= len(small.trusts) <= 55
    assert set(types) == set(TYPES)
    assert sum(p["stf_allocation"] for p in small.plans["2016-17"]) == Decimal("360000000.00")
    assert {f["region"] for f in small.footprints} == {"Y54", "Y55", "Y56", "Y57"}


# --- The loader and the command ------------------------------------------------------------------


def database_digest():
    """A hash of every demo row by natural keys (no ids, no timestamps)."""
    lines = []
    lines += [f"region {r.code} {r.name}" for r in Region.objects.order_by("code")]
    lines += [f"footprint {f.code} {f.name} {f.region.code}" for f in Footprint.objects.select_related("region").order_by("code")]
    lines += [
        f"trust {t.org_code} {t.name} {t.trust_type} {t.region.code} {t.footprint.code if t.footprint else ''} "
        f"{sorted(u.username for u in t.finance_directors.all())}"
        for t in Trust.objects.select_related("region", "footprint").prefetch_related("finance_directors").order_by("org_code")
    ]
    lines += [
        f"plan {a.trust.org_code} {a.scheme.code} {a.stf_allocation} {a.control_total} {a.control_total_accepted} {a.upload.file_name}"
        for a in Allocation.objects.select_related("trust", "scheme", "upload").order_by("trust__org_code", "scheme__code")
    ]
    lines += [
        f"finance {r.trust.org_code} {r.month} {r.plan_ytd} {r.actual_ytd} {r.forecast_outturn} {r.is_current} {r.upload.file_name}"
        for r in FinanceReturn.objects.select_related("trust", "upload").order_by("trust__org_code", "month")
    ]
    lines += [
        f"perf {r.trust.org_code} {r.month} {r.metric} {r.numerator} {r.denominator} {r.is_current} {r.upload.file_name}"
        for r in PerformanceReturn.objects.select_related("trust", "upload").order_by("trust__org_code", "month", "metric")
    ]
    lines += [
        f"traj {r.trust.org_code} {r.month} {r.metric} {r.percent} {r.is_current} {r.upload.file_name}"
        for r in Trajectory.objects.select_related("trust", "upload").order_by("trust__org_code", "month", "metric")
    ]
    lines += [
        f"upload {u.file_name} {u.kind} {u.sha256} {u.size_bytes} {u.status} {u.source} {u.row_count} "
        f"{u.uploaded_by.username} {sorted(t.org_code for t in u.trusts.all())}"
        for u in Upload.objects.select_related("uploaded_by").prefetch_related("trusts").order_by("file_name")
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), len(lines)


@pytest.mark.django_db
def test_load_demo_command_builds_the_whole_country_and_prints_the_accounts(settings):
    settings.DEBUG = True
    assert not Trust.objects.exists()
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)  # an empty database is loaded with real England
    output = out.getvalue()
    country = england_country()

    assert Region.objects.count() == 4
    assert Footprint.objects.count() == 44
    assert Trust.objects.count() == len(country.trusts)
    assert Counter(Trust.objects.values_list("trust_type", flat=True)) == Counter(t["trust_type"] for t in country.trusts)
    allocated = sum(Allocation.objects.filter(scheme__code="2016-17").values_list("stf_allocation", flat=True))
    assert allocated == Decimal("1800000000.00")
    assert Allocation.objects.filter(scheme__code="2016-17", control_total_accepted=False).count() == 23
    assert PerformanceReturn.objects.filter(numerator__gt=0).count() == PerformanceReturn.objects.count()
    # The loader computes nothing: its inputs are out of date until ``manage.py recompute`` (make run's
    # next step), after which they are all included and no page says otherwise.
    from finance.selectors import staleness

    assert staleness() is not None
    call_command("recompute", stdout=io.StringIO())
    assert staleness() is None

    # Each kind of row points at its own upload, which records the generated file and its trusts.
    uploads = {u.file_name: u for u in Upload.objects.prefetch_related("trusts")}
    assert len(uploads) == 14
    for demo_file in country.files():
        upload = uploads[demo_file.file_name]
        assert (upload.kind, upload.source, upload.status) == (demo_file.kind, "demo", "stored")
        assert upload.sha256 == hashlib.sha256(demo_file.content).hexdigest()
        assert upload.row_count == demo_file.row_count
        assert sorted(t.org_code for t in upload.trusts.all()) == sorted(demo_file.org_codes)
        assert upload.uploaded_by.username in ("admin", "analyst")
    assert set(FinanceReturn.objects.values_list("upload__kind", flat=True)) == {"finance"}
    assert set(PerformanceReturn.objects.values_list("upload__kind", flat=True)) == {"performance", "ae_tidy"}
    assert set(Trajectory.objects.values_list("upload__kind", flat=True)) == {"trajectories"}
    assert set(Allocation.objects.values_list("upload__kind", flat=True)) == {"plans"}
    assert FinanceReturn.objects.get(
        trust__org_code=country.finance["2016-17"][0]["org_code"], month=datetime.date(2016, 4, 1)
    ).upload.file_name == "demo-finance-2016-17.csv"

    # The accounts: roles, the finance director's trust, passwords that pass the validators.
    User = get_user_model()
    admin, analyst, fd = (User.objects.get(username=name) for name in ("admin", "analyst", "fd"))
    assert admin.is_superuser and admin.is_staff
    assert list(analyst.groups.values_list("name", flat=True)) == ["analyst"]
    assert not analyst.is_superuser
    assert list(fd.groups.values_list("name", flat=True)) == ["finance_director"]
    fd_trusts = list(fd.directed_trusts.all())
    assert len(fd_trusts) == 1 and fd_trusts[0].trust_type == "acute"
    assert fd_trusts[0].org_code == country.finance_director_org_code
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
        validate_password(account.password, user)  # raises if a validator rejects it
        assert account.username in output and account.password in output
    assert f"{fd_trusts[0].name} ({fd_trusts[0].org_code})" in output
    assert "Demo country loaded (seed 2016)" in output and "real England" in output


@pytest.mark.django_db
def test_loading_twice_with_the_same_seed_gives_identical_rows():
    load_demo(seed=11, scale=0.25)
    first, lines = database_digest()
    run = RecomputeRun.objects.create(trigger="manual", upload=Upload.objects.first())
    load_demo(seed=11, scale=0.25)
    assert database_digest() == (first, lines)
    assert lines > 5000
    assert not RecomputeRun.objects.filter(pk=run.pk).exists()  # results of the old data are gone
    assert Trust.history.count() == Trust.objects.count()  # one "created" record each, no deletions

    load_demo(seed=12, scale=0.25)
    assert database_digest()[0] != first


@pytest.mark.django_db
def test_if_empty_leaves_existing_trusts_alone_but_still_prints_the_accounts(settings):
    settings.DEBUG = True
    load_demo(scale=0.1)
    before = sorted(Trust.objects.values_list("pk", "org_code"))
    out = io.StringIO()
    call_command("load_demo", "--if-empty", "--seed", "99", stdout=out)
    assert sorted(Trust.objects.values_list("pk", "org_code")) == before
    output = out.getvalue()
    assert "not loaded" in output
    for account in DEMO_ACCOUNTS:
        assert account.password in output
    fd_trust = Trust.objects.get(finance_directors__username="fd")
    assert fd_trust.name in output


@pytest.mark.django_db
def test_data_from_elsewhere_is_only_replaced_when_forced(settings):
    settings.DEBUG = True
    load_demo(scale=0.1)
    Upload.objects.create(kind="finance", file_name="returns.csv", sha256="0" * 64, status="stored", source="web")
    with pytest.raises(CommandError, match="did not come from the demo"):
        call_command("load_demo", stdout=io.StringIO())
    assert Upload.objects.filter(source="web").exists()  # nothing was touched
    load_demo(scale=0.1, force=True)
    assert not Upload.objects.exclude(source="demo").exists()


@pytest.mark.django_db
def test_the_command_refuses_a_production_site_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Trust.objects.exists()


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_trusts():
    load_demo(scale=0.1)
    with CaptureQueriesContext(connection) as small:  # replaces a small country by a small one
        load_demo(scale=0.1)
    load_demo(scale=0.4)
    with CaptureQueriesContext(connection) as large:  # and a larger by a larger
        load_demo(scale=0.4)
    rows = sum(model.objects.count() for model in (FinanceReturn, PerformanceReturn, Trajectory, Allocation))
    assert rows > 8000

    def split(queries):
        inserts = [q for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
        # The figures each file's rows feed are marked out of date: a few batches per file, counted apart.
        marks = [q for q in inserts if '"finance_inputchange"' in q["sql"]]
        assert len(marks) <= 3 * Upload.objects.count()
        return len(queries) - len(inserts), len(inserts) - len(marks)

    (small_other, _), (large_other, large_inserts) = split(small.captured_queries), split(large.captured_queries)
    assert small_other == large_other  # reads, deletes and account updates: a fixed number
    # Inserts go in batches (SQLite's are the smallest), besides each file's upload record and trust links.
    assert large_inserts <= rows / 100 + 2 * Upload.objects.count()


STORED_BY_KIND = {"plans": Allocation, "finance": FinanceReturn, "performance": PerformanceReturn,
                  "ae_tidy": PerformanceReturn, "trajectories": Trajectory}


@pytest.mark.django_db
def test_every_demo_file_went_through_its_importer():
    load_demo(seed=5, scale=0.15)
    country = generate_country(seed=5, scale=0.15)
    uploads = {u.file_name: u for u in Upload.objects.select_related("uploaded_by")}
    assert sorted(uploads) == sorted(f.file_name for f in country.files())
    for demo_file in country.files():
        upload = uploads[demo_file.file_name]
        # The counts and notes the intake records, the demo's provenance with them, no recompute queued.
        assert (upload.rows_new, upload.rows_changed, upload.rows_unchanged, upload.rows_skipped) == (
            demo_file.row_count, 0, 0, 0)
        assert upload.notes["provenance"] == "simulated" and upload.notes["seed"] == 5
        assert sorted(upload.notes["changed_trust_ids"]) == sorted(
            Trust.objects.filter(org_code__in=demo_file.org_codes).values_list("pk", flat=True))
        assert not upload.recompute_queued
        if demo_file.kind == "trusts":
            assert Trust.objects.count() == upload.rows_new
        else:
            assert STORED_BY_KIND[demo_file.kind].objects.filter(upload=upload).count() == upload.rows_new
    assert not RecomputeRun.objects.exists()

    # The import takes every file again as it is stored: nothing new, nothing changed, no error.
    for demo_file in country.files():
        upload = uploads[demo_file.file_name]
        result = ingest(data=demo_file.content, file_name=demo_file.file_name, user=upload.uploaded_by, commit=False)
        assert result.ok and result.errors == [], demo_file.file_name
        assert result.counts == {"new": 0, "changed": 0, "unchanged": demo_file.row_count, "skipped": 0}


@pytest.mark.django_db
def test_a_demo_file_the_import_would_refuse_stores_nothing(monkeypatch):
    load_demo(seed=5, scale=0.1)
    before = database_digest()
    files = Country.files

    def with_a_bad_row(country):
        found = files(country)
        bad = next(f for f in found if f.kind == "performance")
        lines = bad.content.decode().splitlines()
        org_code, period, metric, numerator, denominator = lines[1].split(",")
        lines[1] = ",".join([org_code, period, metric, str(int(denominator) + 1), denominator])
        found[found.index(bad)] = DemoFile(bad.kind, bad.file_name, ("\n".join(lines) + "\n").encode(),
                                           bad.org_codes, bad.row_count)
        return found

    monkeypatch.setattr(Country, "files", with_a_bad_row)
    with pytest.raises(DemoFileRefused, match="numerator|Numerator"):
        load_demo(seed=6, scale=0.1)
    assert database_digest() == before  # the whole load was undone: the earlier demo stands
