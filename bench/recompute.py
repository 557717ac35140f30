"""Wall time of a national recompute (every scheme): the demo country and a ten-times-larger one.

For each country: loading the inputs (selectors), the pure engine, writing the results, and the
whole service end to end, first from empty and then again with nothing changed (fingerprints
skip every row). Runs against DATABASE_URL (a throw-away test database is created beside it) or
SQLite by default.

    .venv/bin/python bench/recompute.py [--repeat 3] [--scale 10]
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

TYPES = ["acute", "specialist", "mental_health", "community", "ambulance"]
TYPE_SHARES = [0.60, 0.08, 0.21, 0.07, 0.04]


def load_demo_country():
    from stftracker.demo import load_demo

    load_demo(force=True)


def load_synthetic_country(n_trusts, seed=2016):
    """A seeded country of ``n_trusts`` with plans, 36 months of finance, performance and trajectories."""
    import numpy as np

    from finance.models import Allocation, FinanceReturn, Scheme
    from performance.models import PerformanceReturn, Trajectory
    from trusts.models import Region, Trust, Upload

    rng = np.random.default_rng(seed)
    region = Region.objects.create(code="BENCH", name="Bench region")
    kinds = rng.choice(TYPES, size=n_trusts, p=TYPE_SHARES)
    Trust.objects.bulk_create(
        [Trust(org_code=f"X{i:05d}", name=f"Bench Trust {i}", trust_type=kinds[i], region=region) for i in range(n_trusts)],
        batch_size=2000,
    )
    trusts = list(Trust.objects.filter(region=region).order_by("org_code").values_list("id", "trust_type"))
    upload = Upload.objects.create(kind="performance", file_name="bench", sha256="b" * 64, status="stored", source="bench")
    schemes = list(Scheme.objects.order_by("start_date"))
    allocations, finance, performance, trajectories = [], [], [], []
    for trust_id, kind in trusts:
        annual = int(rng.integers(1_000_000, 3_000_000_000))
        for scheme in schemes:
            allocations.append(Allocation(
                trust_id=trust_id, scheme=scheme, stf_allocation=Decimal(annual).scaleb(-2),
                control_total=Decimal(int(rng.integers(-2_000_000_000, 500_000_000))).scaleb(-2),
                control_total_accepted=bool(rng.random() > 0.07)))
        plan_month = int(rng.integers(-20_000_000, 5_000_000))
        for m in range(36):
            month = datetime.date(2016 + (3 + m) // 12, (3 + m) % 12 + 1, 1)
            k = m % 12 + 1
            finance.append(FinanceReturn(
                trust_id=trust_id, month=month, plan_ytd=Decimal(plan_month * k).scaleb(-2),
                actual_ytd=Decimal(plan_month * k + int(rng.integers(-3_000_000, 6_000_000))).scaleb(-2),
                forecast_outturn=Decimal(plan_month * 12).scaleb(-2), upload=upload))
            metrics = {"acute": ("ae", "rtt", "cancer62"), "specialist": ("rtt", "cancer62")}.get(kind, ())
            for metric in metrics:
                if rng.random() < 0.01:
                    continue  # a month that never arrived
                den = int(rng.integers(200, 12_000))
                rate = min(1.0, rng.normal({"ae": 0.9, "rtt": 0.91, "cancer62": 0.83}[metric], 0.04))
                performance.append(PerformanceReturn(trust_id=trust_id, month=month, metric=metric,
                                                     numerator=int(den * max(rate, 0)), denominator=den, upload=upload))
                if m < 12:
                    trajectories.append(Trajectory(trust_id=trust_id, month=month, metric=metric,
                                                   percent=Decimal(int(rng.integers(8500, 9600))).scaleb(-2),
                                                   upload=upload))
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    FinanceReturn.objects.bulk_create(finance, batch_size=2000)
    PerformanceReturn.objects.bulk_create(performance, batch_size=2000)
    Trajectory.objects.bulk_create(trajectories, batch_size=2000)


def measure(label, repeat):
    """Stage timings (best of ``repeat``) and the end-to-end service, cold then unchanged."""
    from finance import engine
    from finance import selectors, services
    from finance.models import Allocation, Entitlement, Scheme, YearEndAward
    schemes = list(Scheme.objects.order_by("start_date"))
    rules = [selectors.scheme_rules(s) for s in schemes]
    load_s, engine_s, results = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        inputs = [selectors.engine_inputs(r) for r in rules]
        load_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = [engine.compute_entitlements(r, i) for r, i in zip(rules, inputs)]
        engine_s.append(time.perf_counter() - started)
    quarters = sum(len(r) for r in results)

    YearEndAward.objects.all().delete()
    Entitlement.objects.all().delete()
    started = time.perf_counter()
    cold = services.recompute()
    cold_s = time.perf_counter() - started
    assert cold.state == "done" and cold.rows_written == quarters, (cold.state, cold.rows_written, quarters)
    warm_s = []
    for _ in range(repeat):
        started = time.perf_counter()
        warm = services.recompute()
        warm_s.append(time.perf_counter() - started)
        assert warm.rows_written == 0
    return {
        "case": label, "trusts": Allocation.objects.values("trust").distinct().count(), "allocations": Allocation.objects.count(),
        "quarters": quarters, "load": min(load_s), "engine": min(engine_s), "cold": cold_s, "warm": min(warm_s),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10, help="size of the larger country, in demo countries")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from _report import result

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    rows = []
    try:
        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"database: {vendor} ({connection.settings_dict['NAME']}); best of {args.repeat}", flush=True)
        started = time.perf_counter()
        load_demo_country()
        print(f"demo country loaded in {time.perf_counter() - started:.1f} s", flush=True)
        rows.append(measure("demo country, all schemes", args.repeat))
        demo_trusts = rows[0]["trusts"]

        from finance.models import Allocation, Entitlement, FinanceReturn, RecomputeRun, YearEndAward
        from performance.models import PerformanceReturn, Trajectory

        # The demo's plans, returns and results make way for the synthetic country.
        for model in (YearEndAward, Entitlement, RecomputeRun, Allocation, FinanceReturn, PerformanceReturn, Trajectory):
            model.objects.all().delete()
        started = time.perf_counter()
        load_synthetic_country(demo_trusts * args.scale)
        print(f"synthetic country of {demo_trusts * args.scale} trusts loaded in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        rows.append(measure(f"synthetic {args.scale}x country, all schemes", args.repeat))
    finally:
        teardown_databases(old_config, verbosity=0)

    header = (f"{'case':<34} {'trusts':>7} {'trust-qtrs':>10} {'load s':>8} {'engine s':>9} "
              f"{'cold e2e s':>10} {'warm e2e s':>10} {'engine µs/tq':>12} {'e2e µs/tq':>10}")
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        per_engine = row["engine"] / row["quarters"] * 1e6
        per_cold = row["cold"] / row["quarters"] * 1e6
        print(f"{row['case']:<34} {row['trusts']:>7} {row['quarters']:>10} {row['load']:>8.3f} {row['engine']:>9.3f} "
              f"{row['cold']:>10.3f} {row['warm']:>10.3f} {per_engine:>12.1f} {per_cold:>10.1f}")
        result("recompute", row["case"], "engine_s", round(row["engine"], 3), "s")
        result("recompute", row["case"], "end_to_end_s", round(row["cold"], 3), "s")
        result("recompute", row["case"], "unchanged_s", round(row["warm"], 3), "s")
        result("recompute", row["case"], "us_per_trust_quarter", round(per_cold, 1), "µs")
    print("\nload = selectors (5 queries a scheme); engine = pure rules on DataFrames; cold = the service from "
          "empty (writes every row); warm = the service again with nothing changed (no row rewritten).")


if __name__ == "__main__":
    main()
