"""Build time of the quarterly review pack per number of trusts: what ``PACK_INLINE_MAX_TRUSTS``
is set from (a pack built in the request should take under a second).

For each size (50, 200, 1000 synthetic trusts by default) a throw-away test database beside
DATABASE_URL (or SQLite) holds that many acute trusts in 8 regions and 40 footprints, each with a
2016-17 allocation and Q1's returns, recomputed by the engine. Then, best of ``--repeat``: the
reads (``selectors.pack_data``), the workbook (``workbook.build_workbook`` and saving it) and the
whole service (``services.run_build``, which also writes the bytes to the PackBuild row).

    .venv/bin/python bench/pack.py [--sizes 50,200,1000] [--repeat 3]
"""
import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stftracker.settings")
os.environ.setdefault("DEBUG", "1")  # the development set-up unless told otherwise (settings fail closed)

REGIONS, FOOTPRINTS = 8, 40


def add_trusts(start, count, seed=2016):
    """Trusts ``start`` .. ``start + count - 1`` with a 2016-17 allocation and Q1's returns."""
    import numpy as np

    from finance.models import Allocation, FinanceReturn, Scheme
    from performance.models import PerformanceReturn
    from trusts.models import Footprint, Region, Trust, Upload

    rng = np.random.default_rng(seed + start)
    regions = [Region.objects.get_or_create(code=f"YB{r}", defaults={"name": f"Bench region {r}"})[0]
               for r in range(REGIONS)]
    footprints = [Footprint.objects.get_or_create(code=f"E54B{f:04d}", defaults={
        "name": f"Bench footprint {f}", "region": regions[f % REGIONS]})[0] for f in range(FOOTPRINTS)]
    Trust.objects.bulk_create([
        Trust(org_code=f"X{i:05d}", name=f"Bench Trust {i}", trust_type="acute",
              region=footprints[i % FOOTPRINTS].region, footprint=footprints[i % FOOTPRINTS])
        for i in range(start, start + count)], batch_size=2000)
    trusts = list(Trust.objects.filter(org_code__gte=f"X{start:05d}", org_code__lt=f"X{start + count:05d}")
                  .values_list("id", flat=True))
    upload = Upload.objects.create(kind="performance", file_name="bench", sha256=f"{start:064x}", status="stored",
                                   source="bench")
    scheme = Scheme.objects.get(code="2016-17")
    allocations, finance, performance = [], [], []
    for trust_id in trusts:
        allocations.append(Allocation(
            trust_id=trust_id, scheme=scheme, stf_allocation=Decimal(int(rng.integers(1_000_000, 3_000_000_000))).scaleb(-2),
            control_total=Decimal(-100_000_000).scaleb(-2), control_total_accepted=bool(rng.random() > 0.07)))
        plan = int(rng.integers(-20_000_000, 5_000_000))
        finance.append(FinanceReturn(
            trust_id=trust_id, month=datetime.date(2016, 6, 1), plan_ytd=Decimal(plan).scaleb(-2),
            actual_ytd=Decimal(plan + int(rng.integers(-3_000_000, 6_000_000))).scaleb(-2),
            forecast_outturn=Decimal(plan * 4).scaleb(-2), upload=upload))
        for month in (4, 5, 6):
            for metric, mean in (("ae", 0.93), ("rtt", 0.92), ("cancer62", 0.85)):
                denominator = int(rng.integers(200, 12_000))
                rate = min(1.0, max(0.0, rng.normal(mean, 0.03)))
                performance.append(PerformanceReturn(
                    trust_id=trust_id, month=datetime.date(2016, month, 1), metric=metric,
                    numerator=int(denominator * rate), denominator=denominator, upload=upload))
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    FinanceReturn.objects.bulk_create(finance, batch_size=2000)
    PerformanceReturn.objects.bulk_create(performance, batch_size=2000)


def best(repeat, work):
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - started)
    return min(times), value


def measure(trusts, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.models import Scheme
    from stftracker.models import PackBuild
    from stftracker.packs import selectors, services, workbook

    scheme = Scheme.objects.get(code="2016-17")
    read_s, pack = best(repeat, lambda: selectors.pack_data(scheme, 1))
    assert len(pack.trusts) == trusts, (len(pack.trusts), trusts)
    workbook_s, data = best(repeat, lambda: workbook.workbook_bytes(workbook.build_workbook(pack)))

    def service():
        build = PackBuild.objects.create(scheme=scheme, quarter=1, inputs_version="bench")
        with CaptureQueriesContext(connection) as queries:
            done = services.run_build(build.pk)
        assert done.state == "done", done.message
        return len(queries)

    service_s, queries = best(repeat, service)
    return {"trusts": trusts, "read": read_s, "workbook": workbook_s, "service": service_s, "bytes": len(data),
            "queries": queries}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,1000", help="numbers of trusts, ascending, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from _report import result
    from finance import services as finance_services
    from finance.models import Scheme

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    rows = []
    try:
        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"database: {vendor} ({connection.settings_dict['NAME']}); best of {args.repeat}", flush=True)
        made = 0
        for size in sizes:
            add_trusts(made, size - made)
            made = size
            finance_services.recompute(scheme=Scheme.objects.get(code="2016-17"))
            rows.append(measure(size, args.repeat))
            print(f"{size} trusts measured", flush=True)
    finally:
        teardown_databases(old_config, verbosity=0)

    header = f"{'trusts':>7} {'reads s':>8} {'workbook s':>10} {'service s':>10} {'ms/trust':>9} {'KB':>7} {'queries':>7}"
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        per_trust = row["service"] / row["trusts"] * 1000
        print(f"{row['trusts']:>7} {row['read']:>8.3f} {row['workbook']:>10.3f} {row['service']:>10.3f} "
              f"{per_trust:>9.2f} {row['bytes'] / 1024:>7.0f} {row['queries']:>7}")
        case = f"{row['trusts']} trusts, 2016-17 Q1"
        result("pack", case, "build_s", round(row["service"], 3), "s")
        result("pack", case, "ms_per_trust", round(per_trust, 2), "ms")
    per_trust = max(row["service"] / row["trusts"] for row in rows)
    print(f"\nservice = reads + workbook + storing it. At the slowest rate measured ({per_trust * 1000:.2f} ms a "
          f"trust) a one-second build holds about {int(1 / per_trust)} trusts; "
          f"PACK_INLINE_MAX_TRUSTS is {settings.PACK_INLINE_MAX_TRUSTS}.")


if __name__ == "__main__":
    main()
