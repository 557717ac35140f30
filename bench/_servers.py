"""What the server benchmarks share: a PostgreSQL database, manage.py, gunicorn's life cycle."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url):
    parts = dj_database_url.parse(url)
    conn = psycopg2.connect(host=parts["HOST"] or "127.0.0.1", port=parts["PORT"] or 5432,
                            user=parts["USER"] or "postgres", password=parts["PASSWORD"] or None, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts["NAME"])))
            print(f"Created database {parts['NAME']}")
    conn.close()


def manage(env, *args, timeout=900):
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout, time.perf_counter() - started


def wait_for_http(url, process=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            sys.exit("gunicorn stopped during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1 only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {timeout}s")


def stop(process):
    """Stop a server started in its own session (gunicorn's master and workers, locust)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
