"""Fault injection for the reliability tests: a TCP proxy that can be cut, and process helpers.

``TcpProxy`` listens on 127.0.0.1 and forwards to PostgreSQL or Redis. ``cut()`` resets every
open connection and refuses new ones (each accepted socket is reset at once), which is what a
client sees when the server or the network goes away; ``restore()`` lets connections through
again. The real services are never stopped.
"""
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _reset(sock):
    """Close a socket with a TCP reset rather than a polite FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class TcpProxy:
    """Forward 127.0.0.1:<port> to ``target``; cut and restore on demand."""

    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._pairs = set()
        self.accepted = 0
        self.refused = 0
        self._thread = threading.Thread(target=self._accept_loop, name=f"proxy-{self.port}", daemon=True)

    # -- control ---------------------------------------------------------------------------
    def start(self):
        self._thread.start()
        return self

    @property
    def is_up(self):
        return self._up.is_set()

    def cut(self):
        """Reset every open connection and refuse new ones until ``restore()``."""
        self._up.clear()
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for client, upstream in pairs:
            _reset(client)
            _reset(upstream)

    def restore(self):
        self._up.set()

    def stop(self):
        self._stopping.set()
        self.cut()
        try:
            self._listener.close()
        except OSError:
            pass
        self._thread.join(timeout=2)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def open_connections(self):
        with self._lock:
            return len(self._pairs)

    # -- plumbing --------------------------------------------------------------------------
    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            if not self._up.is_set():
                self.refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                self.refused += 1
                _reset(client)
                continue
            upstream.settimeout(None)
            self.accepted += 1
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair):
        client, upstream = pair
        peers = {client: upstream, upstream: client}
        try:
            while self._up.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise ConnectionError("closed")
                    peers[sock].sendall(data)
        except (OSError, ValueError, ConnectionError):
            pass
        finally:
            with self._lock:
                self._pairs.discard(pair)
            _reset(client)
            _reset(upstream)


def wait_until(predicate, *, timeout, interval=0.1, message="condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message} (last value {last!r})")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(*, database_url, redis_url=None, **extra):
    """Environment for a project process (worker, web server, command) on the given services.

    The process runs the settings the product ships, as it would in production, not the suite's.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="stftracker.settings")
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Service:
    """A project process started in its own process group, stopped (or killed) with all its children."""

    def __init__(self, name, args, *, env, log_dir):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self):
        return self.process.pid

    def log(self):
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self):
        return self.process.poll() is None

    def kill(self, sig=signal.SIGKILL):
        """Signal the whole process group (the worker and its pool children)."""
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout=10):
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.process.wait(timeout=5)
        else:
            self.kill(signal.SIGKILL)  # orphaned pool children, if any
        self._log.close()


def start_worker(*, env, log_dir, name="worker", concurrency=1, beat=False, extra_args=()):
    """A Celery worker of the project (prefork pool) on the broker named by ``env['REDIS_URL']``."""
    args = [
        PYTHON, "-m", "tests.reliability.worker_main", "worker", "--loglevel=INFO", "--pool=prefork",
        f"--concurrency={concurrency}", f"--hostname={name}-{os.getpid()}@127.0.0.1", "--without-gossip",
        "--without-mingle", "--without-heartbeat", *extra_args,
    ]
    if beat:
        args += ["--beat", "--schedule", str(Path(log_dir) / f"{name}-beat-schedule")]
    return Service(name, args, env=env, log_dir=log_dir)


def start_web(*, env, log_dir, port, name="web", workers=2):
    args = [
        PYTHON, "-m", "gunicorn", "stftracker.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--timeout", "30", "--graceful-timeout", "2",
    ]
    return Service(name, args, env=env, log_dir=log_dir)


def manage(*args, env, timeout=120):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# -- in-process database faults ------------------------------------------------------------------
_HOUSEKEEPING = ("ROLLBACK", "SAVEPOINT", "RELEASE")


class DatabaseLoss:
    """Make every query fail with ``OperationalError`` from the first one that ``when(sql)`` picks,
    as if the server went away there. Savepoint and rollback statements still pass, so that what
    the code under test had written in its transaction is rolled back as it would be."""

    def __init__(self, when=None):
        self.when = when or (lambda sql: True)
        self.lost = False
        self.failed = []

    def _guard(self, sql):
        from django.db import OperationalError

        text = str(sql).lstrip()
        if text.upper().startswith(_HOUSEKEEPING):
            return
        if not self.lost and self.when(text):
            self.lost = True
        if self.lost:
            self.failed.append(text[:80])
            raise OperationalError("server closed the connection unexpectedly")

    def __enter__(self):
        from django.db.backends.utils import CursorWrapper

        self._saved = (CursorWrapper._execute, CursorWrapper._executemany)
        execute, executemany = self._saved
        loss = self

        def _execute(cursor, sql, *args, **kwargs):
            loss._guard(sql)
            return execute(cursor, sql, *args, **kwargs)

        def _executemany(cursor, sql, *args, **kwargs):
            loss._guard(sql)
            return executemany(cursor, sql, *args, **kwargs)

        CursorWrapper._execute, CursorWrapper._executemany = _execute, _executemany
        return self

    def __exit__(self, *exc):
        from django.db.backends.utils import CursorWrapper

        CursorWrapper._execute, CursorWrapper._executemany = self._saved


def inserting_into(table):
    """A ``DatabaseLoss`` trigger: the first INSERT into ``table``."""
    def when(sql):
        return sql.upper().startswith("INSERT") and f'"{table}"' in sql
    return when


class OnQuery(DatabaseLoss):
    """Call ``action()`` once, just before the first statement that ``when(sql)`` picks, then let
    it run (e.g. cut a proxy so that the statement meets a dead connection)."""

    def __init__(self, when, action):
        super().__init__(when)
        self.action = action

    def _guard(self, sql):
        if not self.lost and self.when(str(sql).lstrip()):
            self.lost = True
            self.action()


# -- the Celery app of this process ------------------------------------------------------------------
class celery_broker:  # noqa: N801 - used as a context manager
    """Send this process's tasks to a real broker (e.g. a proxy to Redis) instead of running them
    in-process; restore the suite's in-process set-up afterwards."""

    KEYS = ("broker_url", "task_always_eager")

    def __init__(self, url):
        self.url = url

    def _reset_pools(self, app):
        from kombu import pools

        pools.reset()  # closes and forgets every pooled broker connection and producer
        app._after_fork()

    def __enter__(self):
        from stftracker.celery import app

        self.saved = {key: app.conf[key] for key in self.KEYS}
        self._reset_pools(app)
        app.conf.update(broker_url=self.url, task_always_eager=False)
        return app

    def __exit__(self, *exc):
        from stftracker.celery import app

        self._reset_pools(app)
        app.conf.update(self.saved)


def failsafe_cache_settings(url):
    """CACHES as in production (Redis) but at ``url``, e.g. a proxy that a test can cut."""
    from django.conf import settings

    options = dict(settings.CACHES["default"].get("OPTIONS", {})) if "Redis" in settings.CACHES["default"]["BACKEND"] else {}
    options.setdefault("socket_connect_timeout", 1)
    options.setdefault("socket_timeout", 1)
    return {"default": {"BACKEND": "stftracker.cache.FailSafeRedisCache", "LOCATION": url, "OPTIONS": options}}
