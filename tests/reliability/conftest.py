"""Fixtures for the reliability tests: live databases shared with real processes, proxies, workers.

The tests here do not use pytest-django's per-test transaction: a worker, a web server and
several threads must see the same committed rows. So each test gets a fresh *live* database
(PostgreSQL cloned from a migrated template, or an SQLite file copied from one), and the default
connection of this process is pointed at it for the duration of the test, then restored.

Redis is always reached through a ``TcpProxy`` on database 2, so that it can be cut without
touching the machine's Redis.
"""
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
import redis as redis_lib

from tests.reliability.faults import TcpProxy, manage, service_env

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_PORT, REDIS_DB = 6379, 2


def _base_name():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return dj_database_url.parse(url)["NAME"]
    return "stf_reliab_embedded"


def pg_url(name, port=PG_PORT):
    return f"postgres://{PG_USER}@{PG_HOST}:{port}/{name}"


def _pg_admin(*statements):
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


class LiveDatabase:
    """A database that this process, worker subprocesses and web servers all share."""

    def __init__(self, vendor, *, name=None, path=None):
        self.vendor, self.name, self.path = vendor, name, path

    def url(self, port=PG_PORT):
        if self.vendor == "postgresql":
            return pg_url(self.name, port)
        return f"sqlite:///{self.path}"

    def settings_dict(self, port=PG_PORT):
        parsed = dj_database_url.parse(self.url(port), conn_max_age=0)
        parsed["OPTIONS"] = {"timeout": 20} if self.vendor == "sqlite" else {"connect_timeout": 5}
        return parsed


@pytest.fixture(scope="session")
def live_templates(tmp_path_factory, django_db_blocker):
    """Migrated templates, made once per session: a PostgreSQL database and an SQLite file."""
    base = _base_name()
    template = f"{base}_live_template"
    _pg_admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)', f'CREATE DATABASE "{template}"')
    manage("migrate", "--noinput", "-v0", env=service_env(database_url=pg_url(template)))
    sqlite_dir = tmp_path_factory.mktemp("live-sqlite")
    sqlite_template = sqlite_dir / "template.sqlite3"
    manage("migrate", "--noinput", "-v0", env=service_env(database_url=f"sqlite:///{sqlite_template}"))
    yield {"postgresql": template, "sqlite": sqlite_template, "base": base}
    _pg_admin(f'DROP DATABASE IF EXISTS "{base}_live" WITH (FORCE)', f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


def make_live_database(vendor, templates, tmp_path):
    if vendor == "postgresql":
        name = f"{templates['base']}_live"
        _pg_admin(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{templates["postgresql"]}"',
        )
        return LiveDatabase("postgresql", name=name)
    path = Path(tmp_path) / "live.sqlite3"
    shutil.copyfile(templates["sqlite"], path)
    return LiveDatabase("sqlite", path=path)


@contextmanager
def default_connection_to(settings_dict):
    """Point this process's default connection (in every thread) at another database."""
    from django.db import connections

    shared = connections.settings["default"]
    saved = dict(shared)

    def drop_connection():
        for conn in connections.all(initialized_only=True):
            conn.close()
        try:
            del connections["default"]
        except AttributeError:
            pass

    drop_connection()
    shared.clear()
    shared.update({**saved, **settings_dict, "TEST": saved.get("TEST", {}), "CONN_MAX_AGE": 0})
    try:
        yield
    finally:
        drop_connection()
        shared.clear()
        shared.update(saved)


@pytest.fixture
def live_db_factory(live_templates, django_db_blocker, tmp_path):
    """``live_db_factory(vendor, port=None)`` makes a fresh live database and uses it in-process."""
    stack = []

    def make(vendor="postgresql", *, port=PG_PORT):
        live = make_live_database(vendor, live_templates, tmp_path)
        blocker = django_db_blocker.unblock()
        blocker.__enter__()
        switch = default_connection_to(live.settings_dict(port))
        switch.__enter__()
        stack.append((blocker, switch))
        return live

    yield make
    for blocker, switch in reversed(stack):
        switch.__exit__(None, None, None)
        blocker.__exit__(None, None, None)


@pytest.fixture
def live_pg(live_db_factory):
    return live_db_factory("postgresql")


@pytest.fixture(params=["postgresql", "sqlite"])
def live_db(request, live_db_factory):
    """A live database of each vendor, in turn."""
    return live_db_factory(request.param)


@pytest.fixture
def redis_proxy():
    """A cuttable proxy to Redis; database 2 is emptied before and after the test."""
    client = redis_lib.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB)
    client.flushdb()
    with TcpProxy(REDIS_PORT) as proxy:
        proxy.url = f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}"
        yield proxy
    client.flushdb()
    client.close()


@pytest.fixture
def pg_proxy():
    with TcpProxy(PG_PORT) as proxy:
        yield proxy


@pytest.fixture
def log_dir(tmp_path):
    path = tmp_path / "logs"
    path.mkdir()
    return path

