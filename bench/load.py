"""Load test: gunicorn on PostgreSQL with the demo country, 50 simulated users for 60 seconds.

    python bench/load.py [--users 50] [--duration 60] [--database-url postgres://...]

Makes the database when it is missing, migrates it, loads the demo country and recomputes (all
skipped with --reuse when the demo is already there), starts gunicorn on 127.0.0.1, runs locust
headless (analysts logged in as the demo analyst browse the pages; API clients use a token),
prints requests per second, the 95th percentile and the errors (which must be zero), and stops
everything it started. Exit status 1 if any request failed.
"""
import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from _report import result
from _servers import PYTHON, ROOT, ensure_database, free_port, manage, stop, wait_for_http

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stftracker_load"
DEMO_USER, DEMO_PASSWORD = "analyst", "analyst-demo-2016"


SETUP_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from stftracker.accounts.tokens import create_token
from trusts.models import Footprint, Region, Trust
user = get_user_model().objects.get(username={username!r})
token, secret = create_token(user=user, name="load test", read_only=True, days=1)
print(json.dumps({{
    "token": secret,
    "trusts": list(Trust.objects.values_list("org_code", flat=True)),
    "regions": list(Region.objects.values_list("code", flat=True)),
    "footprints": list(Footprint.objects.values_list("code", flat=True)),
}}))
"""


def static_files_stale():
    """collectstatic (slow: it compresses every file) only when a static file is newer than the manifest."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in (ROOT / "static").rglob("*") if path.is_file())


def read_stats(prefix):
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--reuse", action="store_true", help="keep the demo data already in the database")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("The load test runs on PostgreSQL: give --database-url postgres://...")

    base_env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env = {"DEBUG": "1", **base_env, "DATABASE_URL": args.database_url, "PYTHONUNBUFFERED": "1"}  # set-up commands
    ensure_database(args.database_url)
    _, seconds = manage(env, "migrate", "--noinput", "-v0")
    # The web server runs production settings, whose cache must be shared: the database's, as without Redis.
    manage({**env, "DATABASE_CACHE": "1"}, "createcachetable")
    print(f"Migrated in {seconds:.1f}s")
    if args.reuse:
        out, seconds = manage(env, "load_demo", "--if-empty")
    else:
        out, seconds = manage(env, "load_demo", "--force")
    print(out.splitlines()[0] if out else "", f"({seconds:.1f}s)")
    _, seconds = manage(env, "recompute")
    print(f"Recomputed every scheme in {seconds:.1f}s")
    result("load", "setup", "recompute_s", round(seconds, 2), "s")
    setup_out, _ = manage(env, "shell", "-c", SETUP_SCRIPT.format(username=DEMO_USER))
    places = json.loads(setup_out.strip().splitlines()[-1])

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    web_env = {
        **env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_CACHE": "1",
        "SECURE_SSL_REDIRECT": "0", "API_THROTTLE_RATE": "1000000/hour", "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }
    tmp = Path(tempfile.mkdtemp(prefix="stf-load-"))
    web_log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    web = locust = None
    try:
        if static_files_stale():
            _, seconds = manage(web_env, "collectstatic", "--noinput", "-v0")
            print(f"Collected static files in {seconds:.1f}s")
        web = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "stftracker.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
             "--timeout", "60", "--graceful-timeout", "5"],
            cwd=ROOT, env=web_env, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for_http(f"{host}/healthz", web)
        print(f"gunicorn on {host}: {args.workers} workers x {args.threads} threads; "
              f"{args.users} users for {args.duration}s")
        prefix = str(tmp / "locust")
        locust_env = {
            **base_env, "STF_BENCH_USERNAME": DEMO_USER, "STF_BENCH_PASSWORD": DEMO_PASSWORD,
            "STF_BENCH_TOKEN": places["token"], "STF_BENCH_PLACES": json.dumps(places),
        }
        locust = subprocess.Popen(
            [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "_locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
             "--host", host, "--csv", prefix, "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        started = time.perf_counter()
        output, _ = locust.communicate(timeout=args.duration + 120)
        print(f"locust ran for {time.perf_counter() - started:.1f}s")
        rows = read_stats(prefix)
    finally:
        stop(locust)
        stop(web)
        web_log.close()

    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"\n{'endpoint':<44} {'requests':>9} {'errors':>7} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
    for row in rows:
        print(f"{(row['Type'] + ' ' + row['Name'])[:44]:<44} {row['Request Count']:>9} {row['Failure Count']:>7} "
              f"{float(row['Median Response Time']):>10.0f} {float(row['95%']):>8.0f} {float(row['Requests/s']):>7.1f}")
    requests_total, errors = int(total["Request Count"]), int(total["Failure Count"])
    rps, p95 = float(total["Requests/s"]), float(total["95%"])
    print(f"\n{args.users} users, {args.duration}s: {requests_total:,} requests, {rps:.1f} requests/s, "
          f"p95 {p95:.0f} ms, {errors} errors")
    result("load", f"{args.users} users pages+API", "requests_per_s", round(rps, 1), "req/s")
    result("load", f"{args.users} users pages+API", "p95_ms", p95, "ms")
    result("load", f"{args.users} users pages+API", "errors", errors, "")
    failures = Path(f"{prefix}_failures.csv")
    if errors:
        print(failures.read_text() if failures.exists() else output[-3000:])
        print(f"gunicorn log: {tmp / 'gunicorn.log'}")
        sys.exit(1)


if __name__ == "__main__":
    main()
