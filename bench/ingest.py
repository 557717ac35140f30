"""Rows per second of the returns intake, beside the floor: a bare pandas.read_csv plus one bulk
insert of the same rows.

Cases: a national month of performance returns (every trust x ae, rtt, cancer62), new and then
all corrected (superseding), and NHS-R's three-year A&E file (12,765 rows in the tidy layout).
Runs against DATABASE_URL (a throw-away test database is created beside it) or in-memory SQLite.
Each measurement runs in a transaction that is rolled back, so every repeat starts from the
same state and no recompute is queued (it would run after commit).

    .venv/bin/python bench/ingest.py [--repeat 3]
"""
import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stftracker.settings")
os.environ.setdefault("DEBUG", "1")  # the development set-up unless told otherwise (settings fail closed)


def best_of(repeat, work):
    from django.db import transaction

    times, outcome = [], None
    for _ in range(repeat):
        with transaction.atomic():
            started = time.perf_counter()
            outcome = work()
            times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return min(times), outcome


def trusts_file():
    from trusts.reference import REFERENCE_DIR

    with open(REFERENCE_DIR / "trusts_2016_17_reference.csv", newline="", encoding="utf-8") as handle:
        reference = list(csv.DictReader(handle))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["org_code", "name", "trust_type", "region", "footprint"])
    for r in reference:
        kind = {"acute_specialist": "specialist"}.get(r["trust_type_derived"], r["trust_type_derived"])
        writer.writerow([r["org_code"], r["name"], kind, r["national_grouping_name"], r["stp_name"]])
    return buffer.getvalue().encode()


def national_month(codes, month, numerator):
    lines = ["org_code,period,metric,numerator,denominator"]
    lines += [f"{code},{month},{metric},{numerator + i % 50},1000" for i, code in enumerate(codes)
              for metric in ("ae", "rtt", "cancer62")]
    return ("\n".join(lines) + "\n").encode()


def floor_performance(data, codes, upload, grouped):
    """pandas.read_csv, org codes to ids, one bulk insert: the least any import must do."""
    import pandas as pd

    from performance.models import PerformanceReturn

    frame = pd.read_csv(io.BytesIO(data), dtype={"org_code": str})
    if grouped:
        frame = frame[frame["org_code"].isin(codes.keys())]
        frame["within"] = frame["attendances"] - frame["breaches"]
        frame = frame.groupby(["org_code", "period"], as_index=False)[["within", "attendances"]].sum()
        frame = frame.rename(columns={"within": "numerator", "attendances": "denominator"})
        frame["metric"] = "ae"
    frame["month"] = pd.to_datetime(frame["period"]).dt.date
    objs = [PerformanceReturn(trust_id=codes[org], month=month, metric=metric, numerator=int(num),
                              denominator=int(den), upload=upload)
            for org, month, metric, num, den in zip(frame["org_code"], frame["month"], frame["metric"],
                                                    frame["numerator"], frame["denominator"])]
    PerformanceReturn.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from _report import result

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from django.contrib.auth import get_user_model

        from performance.reference import ae_attendances_bytes
        from stftracker.intake.importing import ingest
        from trusts.models import Trust, Upload

        user = get_user_model().objects.create_superuser("bench", "bench@nhs.example", "bench-password-123")
        loaded = ingest(data=trusts_file(), file_name="trusts.csv", user=user, source="bench")
        assert loaded.ok, loaded.errors[:3]
        codes = dict(Trust.objects.values_list("org_code", "id"))
        upload = Upload.objects.create(kind="performance", file_name="floor", sha256="0" * 64, status="stored")
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"database: {engine} ({connection.settings_dict['NAME']}); {len(codes)} trusts; best of {args.repeat}")

        month = national_month(sorted(codes), "2016-04", 900)
        corrected = national_month(sorted(codes), "2016-04", 901)
        ae = ae_attendances_bytes()
        ae_rows = ae.count(b"\n") - 1

        rows = []

        def measure(case, data, source_rows, *, floor_grouped, before=None):
            def run_ingest():
                if before is not None:
                    assert ingest(data=before, file_name="before.csv", user=user, source="bench").ok
                    started = time.perf_counter()
                    outcome = ingest(data=data, file_name=f"{case}.csv", user=user, source="bench")
                    return outcome, time.perf_counter() - started
                return ingest(data=data, file_name=f"{case}.csv", user=user, source="bench"), None

            seconds, (outcome, inner) = best_of(args.repeat, run_ingest)
            assert outcome.ok, outcome.errors[:3]
            if inner is not None:
                seconds = inner  # the supersede alone, not the load before it
            floor_seconds, floor_count = best_of(args.repeat, lambda: floor_performance(data, codes, upload, floor_grouped))
            stored = outcome.counts["new"] + outcome.counts["changed"]
            rows.append((case, source_rows, stored, seconds, floor_seconds))
            result("ingest", case, "rows_per_s", round(source_rows / seconds, 1), "rows/s")
            result("ingest", case + " (floor)", "rows_per_s", round(source_rows / floor_seconds, 1), "rows/s")
            assert floor_count == stored, (floor_count, stored)

        measure(f"national month ({len(codes)} trusts x 3), new", month, len(codes) * 3, floor_grouped=False)
        measure("national month, every row corrected", corrected, len(codes) * 3, floor_grouped=False, before=month)
        measure("A&E 2016-19 tidy file (12,765 rows)", ae, ae_rows, floor_grouped=True)

        print(f"\n{'case':<44} {'rows':>7} {'stored':>7} {'ingest s':>9} {'rows/s':>9} {'floor s':>8} {'rows/s':>9} {'x floor':>8}")
        for case, source_rows, stored, seconds, floor_seconds in rows:
            print(f"{case:<44} {source_rows:>7,} {stored:>7,} {seconds:>9.3f} {source_rows / seconds:>9,.0f} "
                  f"{floor_seconds:>8.3f} {source_rows / floor_seconds:>9,.0f} {seconds / floor_seconds:>8.1f}")
        print("\ningest = read, validate every cell, check permissions and months, diff against stored rows, "
              "write (superseding) and the upload record; floor = pandas.read_csv + one bulk insert.")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
