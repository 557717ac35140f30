"""API benchmark: /api/v1/eligibility/?year=2016-17&quarter=2 under gunicorn on PostgreSQL.

    python bench/api.py [--seconds 5] [--clients 1,8,32] [--database-url postgres://...] [--reuse]

Makes the database when it is missing, migrates it, loads the demo country and recomputes (kept
with --reuse when the demo is already there), starts gunicorn on 127.0.0.1 and measures, at each
number of concurrent clients (a thread pool of http.client connections, for a fixed time):

- the API with a token (authentication, throttle, two freshness queries, count, page, records);
- the same with If-None-Match, answered 304;
- the ceiling: a bare Django view in the same gunicorn returning the same bytes from memory.

Prints requests per second and p50/p95 latency side by side, stops everything it started.
Exit status 1 if any request failed.
"""
import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from _report import result
from _servers import PYTHON, ROOT, ensure_database, free_port, manage, stop, wait_for_http

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stftracker_bench"
API_PATH = "/api/v1/eligibility/?year=2016-17&quarter=2"
CEILING_PATH = "/bench/ceiling/"
MAX_REQUESTS_PER_CASE = 50_000

TOKEN_SCRIPT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from stftracker.accounts.tokens import create_token
user, _ = get_user_model().objects.get_or_create(username="bench_api", defaults={"email": "bench@nhs.example"})
user.groups.add(Group.objects.get(name="analyst"))
token, secret = create_token(user=user, name="api benchmark", read_only=True, days=1)
print(token.pk, secret)
"""
REVOKE_SCRIPT = """
from stftracker.models import ApiToken
from stftracker.accounts.tokens import revoke_token
token = ApiToken.objects.select_related("user").get(pk={pk})
revoke_token(token=token, by=token.user)
"""
COUNT_SCRIPT = """
from finance.models import Entitlement
print(Entitlement.objects.filter(scheme__code="2016-17", quarter=2).count())
"""


def fetch(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def load(port, path, headers, *, clients, seconds, expect):
    """``clients`` threads, each on its own keep-alive connection, for ``seconds``: latencies and errors."""
    deadline = time.perf_counter() + seconds
    latencies, errors, lock = [], [], threading.Lock()

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], []
        try:
            while time.perf_counter() < deadline and len(mine) < MAX_REQUESTS_PER_CASE // clients:
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    failed.append(repr(error))
                    continue
                mine.append(time.perf_counter() - started)
                if status != expect:
                    failed.append(f"HTTP {status}")
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                errors.extend(failed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for _ in range(clients):
            pool.submit(worker)
    elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of load per case")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--reuse", action="store_true", help="keep the demo data already in the database")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("The API benchmark runs on PostgreSQL: give --database-url postgres://...")
    levels = [int(level) for level in args.clients.split(",")]
    if any(level < 1 or level > 64 for level in levels) or not 0 < args.seconds <= 60:
        sys.exit("--clients between 1 and 64 each, --seconds between 0 and 60")

    base_env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env = {"DEBUG": "1", **base_env, "DATABASE_URL": args.database_url, "PYTHONUNBUFFERED": "1"}  # set-up commands
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    # The web server runs production settings, whose cache must be shared: the database's, as without Redis.
    manage({**env, "DATABASE_CACHE": "1"}, "createcachetable")
    out, seconds = manage(env, "load_demo", "--if-empty" if args.reuse else "--force")
    print((out.splitlines() or [""])[0], f"({seconds:.1f}s)")
    if not args.reuse or not int(manage(env, "shell", "-c", COUNT_SCRIPT)[0].split()[-1]):
        _, seconds = manage(env, "recompute")
        print(f"Recomputed every scheme in {seconds:.1f}s")
    rows = int(manage(env, "shell", "-c", COUNT_SCRIPT)[0].split()[-1])
    token_pk, token = manage(env, "shell", "-c", TOKEN_SCRIPT)[0].split()[-2:]

    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="stf-bench-api-"))
    body_file = tmp / "ceiling.json"
    body_file.write_bytes(b"{}")
    web_env = {
        **env, "DJANGO_SETTINGS_MODULE": "bench._api_ceiling", "BENCH_CEILING_BODY": str(body_file),
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_CACHE": "1",
        "SECURE_SSL_REDIRECT": "0", "API_THROTTLE_RATE": "100000000/hour", "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }
    auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
    web_log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    web = None
    table, failures = [], 0
    try:
        web = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "stftracker.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
             "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "5", "--keep-alive", "5"],
            cwd=ROOT, env=web_env, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for_http(f"http://127.0.0.1:{port}/healthz", web)
        status, headers, body = fetch(port, API_PATH, auth)
        if status != 200:
            sys.exit(f"{API_PATH} answered {status}: {body[:500]!r}")
        body_file.write_bytes(body)  # read by each worker's ceiling view on its first request
        etag = headers.get("ETag")
        page = json.loads(body)
        print(f"gunicorn on 127.0.0.1:{port}: {args.workers} workers x {args.threads} threads; "
              f"{rows} records for 2016-17 Q2, {len(page['results'])} per page, {len(body):,} bytes a response; "
              f"{args.seconds:g}s per case")
        cases = [
            ("API", API_PATH, auth, 200),
            ("API, If-None-Match (304)", API_PATH, {**auth, "If-None-Match": etag}, 304),
            ("ceiling: same bytes from memory", CEILING_PATH, {"Accept": "application/json"}, 200),
        ]
        for name, path, headers, expect in cases:  # warm every worker up
            load(port, path, headers, clients=4, seconds=0.5, expect=expect)
        for clients in levels:
            for name, path, headers, expect in cases:
                latencies, errors, elapsed = load(port, path, headers, clients=clients, seconds=args.seconds,
                                                  expect=expect)
                failures += len(errors)
                rps = len(latencies) / elapsed if elapsed else 0.0
                p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
                p95 = percentile(latencies, 0.95) * 1000 if latencies else float("nan")
                table.append((clients, name, len(latencies), len(errors), rps, p50, p95))
                case = f"{name} x{clients}"
                result("api", case, "requests_per_s", round(rps, 1), "req/s")
                result("api", case, "p50_ms", round(p50, 1), "ms")
                result("api", case, "p95_ms", round(p95, 1), "ms")
                if errors:
                    print(f"{case}: {len(errors)} errors, e.g. {errors[:3]}")
    finally:
        stop(web)
        web_log.close()
        manage(env, "shell", "-c", REVOKE_SCRIPT.format(pk=int(token_pk)))

    print(f"\n{'clients':>7}  {'case':<34} {'requests':>9} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for clients, name, count, errors, rps, p50, p95 in table:
        print(f"{clients:>7}  {name:<34} {count:>9,} {errors:>6} {rps:>8.1f} {p50:>8.1f} {p95:>8.1f}")
    by_level = {}
    for clients, name, _, _, rps, *_ in table:
        by_level.setdefault(clients, {})[name] = rps
    for clients, rates in by_level.items():
        ceiling = rates.get("ceiling: same bytes from memory")
        if ceiling:
            print(f"{clients:>3} clients: the API runs at {100 * rates['API'] / ceiling:.0f}% of the ceiling")
    if failures:
        print(f"{failures} requests failed; gunicorn log: {tmp / 'gunicorn.log'}")
        sys.exit(1)


if __name__ == "__main__":
    main()
