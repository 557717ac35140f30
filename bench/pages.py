"""Server time and size of each dashboard page with the demo country (236 trusts, three years).

Loads the demo country and recomputes it in a throw-away test database beside DATABASE_URL (or
SQLite), signs in as the demo analyst with django.test.Client, and requests each page ``--repeat``
times: prints the median and best server time, the HTML bytes (and gzipped), and the SQL queries.

    .venv/bin/python bench/pages.py [--repeat 15]
"""
import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stftracker.settings")
os.environ.setdefault("DEBUG", "1")  # the development set-up unless told otherwise (settings fail closed)


def pages(trust, region, footprint):
    return [
        ("overview", "/"),
        ("overview, filtered and sorted", "/?status=partial&sort=withheld&dir=desc"),
        ("overview CSV (league table)", "/?format=csv&chart=league"),
        ("regions index", "/regions/"),
        ("footprints index", "/footprints/"),
        ("region", f"/regions/{region}/"),
        ("footprint", f"/footprints/{footprint}/"),
        ("trust", f"/trusts/{trust}/?year=2016-17&quarter=3"),
        ("trust what-if", f"/trusts/{trust}/?year=2016-17&quarter=3&what_if=1&perf_ae=99&actual_ytd=0"),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_databases, setup_test_environment, teardown_databases

    from _report import result

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from django.contrib.auth import get_user_model

        from finance.services import recompute
        from stftracker.demo import load_demo
        from trusts.models import Footprint, Region

        started = time.perf_counter()
        demo = load_demo()
        recompute()
        print(f"Demo country loaded and recomputed in {time.perf_counter() - started:.1f} s "
              f"({demo.counts['trusts']} trusts).")
        region = Region.objects.order_by("name").values_list("code", flat=True).first()
        footprint = Footprint.objects.order_by("name").values_list("code", flat=True).first()
        client = Client()
        client.force_login(get_user_model().objects.get(username="analyst"))
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]

        header = f"{'page':<32} {'median ms':>10} {'best ms':>9} {'KB':>8} {'KB gzip':>8} {'queries':>8}"
        print(f"\nDatabase: {engine}; {args.repeat} requests per page after one warm-up.")
        print(header)
        print("-" * len(header))
        for name, url in pages(demo.finance_director_trust.org_code, region, footprint):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            body = response.content
            median = statistics.median(times)
            print(f"{name:<32} {median:>10.1f} {min(times):>9.1f} {len(body) / 1024:>8.1f} "
                  f"{len(gzip.compress(body)) / 1024:>8.1f} {len(queries):>8}")
            result("pages", f"{name} ({engine})", "median server time", round(median, 1), "ms")
            result("pages", f"{name} ({engine})", "size", len(body), "bytes")
            result("pages", f"{name} ({engine})", "queries", len(queries), "")

        from django.contrib.staticfiles import finders

        plotly = Path(finders.find("vendor/plotly.min.js")).read_bytes()
        print(f"\nvendor/plotly.min.js (served once, cached): {len(plotly) / 1024:.0f} KB, "
              f"{len(gzip.compress(plotly)) / 1024:.0f} KB gzipped; static/js/charts.js "
              f"{Path(finders.find('js/charts.js')).stat().st_size / 1024:.1f} KB")
        result("pages", "plotly.min.js", "size", len(plotly), "bytes")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
