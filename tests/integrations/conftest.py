"""Backends for the framework suites: each test runs once per backend on an empty store.

The servers are the contract suite's: the nx-27017 MongoDB stand-in and a
``moto_server`` (the helpers in ``repokit.infrastructure``), each started once per
session and stopped by process id, and a private embedded PostgreSQL 18 + pgvector
with one database per embedding length (LangChain's suite embeds in 6 dimensions,
Haystack's in 768), migrated once and emptied with ``TRUNCATE`` before each test,
and as many databases on the MySQL / MariaDB server (``REPOKIT_TEST_MYSQL_URL``),
emptied with ``DELETE``, and the worker's Firestore emulator, a project per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import repokit
from repokit.infrastructure.config import Settings

TABLES = "chunks, documents, workspace_acl, workspaces, users, audit_events, chat_messages"


@pytest.fixture(scope="session")
def standin() -> Iterator[object]:
    """One nx-27017 MongoDB stand-in for the session."""
    pytest.importorskip("pymongo")
    from repokit.infrastructure.mongo.standin import StandInServer

    with StandInServer() as server:
        yield server


@pytest.fixture(scope="session")
def moto_server() -> Iterator[object]:
    """One moto_server (the DynamoDB emulator) for the session."""
    pytest.importorskip("aioboto3")
    from repokit.infrastructure.dynamodb.emulator import MotoServer

    with MotoServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_database(pg_data_root: Path) -> Callable[[int], str]:
    """``database(dim)``: the URL of a migrated database with ``vector(dim)`` embeddings."""
    pytest.importorskip("asyncpg")
    import psycopg

    from repokit.infrastructure.embedded import embedded_postgres_url

    base = embedded_postgres_url(pg_data_root / "integrations" / "data")
    made: dict[int, str] = {}

    def database(dim: int) -> str:
        if dim not in made:
            name = f"repokit_dim{dim}"
            with psycopg.connect(base, autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {name}")
            url = base.replace("/repokit?", f"/{name}?", 1)
            settings = Settings(database_url=None, cache_url=None, embedding_dim=dim)
            with repokit.connect_sync(url, settings=settings) as store:
                store.migrate()
            made[dim] = url
        return made[dim]

    return database


MYSQL_SERVER = os.environ.get("REPOKIT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
"""The MySQL / MariaDB server the suites make their databases on (the contract suite's)."""


@pytest.fixture(scope="session")
def mysql_database() -> Iterator[Callable[[int], str]]:
    """``database(dim)``: a migrated MySQL database for ``dim``-long embeddings, emptied
    on each call; dropped at the end of the session."""
    pytest.importorskip("asyncmy")
    from mysql_support import empty_mysql, mysql_test_database

    made: dict[int, tuple[str, Any]] = {}

    def database(dim: int) -> str:
        if dim not in made:
            name = f"repokit_int_{uuid.uuid4().hex[:8]}_dim{dim}"
            url, connection = mysql_test_database(MYSQL_SERVER, name)
            settings = Settings(database_url=None, cache_url=None, embedding_dim=dim)
            with repokit.connect_sync(url, settings=settings) as store:
                store.migrate()
            made[dim] = url, connection
        url, connection = made[dim]
        empty_mysql(connection)
        return url

    yield database
    for url, connection in made.values():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{url.rsplit('/', 1)[1]}`")
        connection.close()


def truncate(url: str) -> None:
    """Empty every repokit table of the PostgreSQL database at ``url``."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {TABLES} CASCADE")


def mongo_database_url(server_url: str) -> str:
    """A fresh database name on the stand-in."""
    return server_url.rsplit("/", 1)[0] + f"/repokit_int_{uuid.uuid4().hex[:12]}"


def drop_mongo_database(url: str) -> None:
    import pymongo

    with pymongo.MongoClient(url, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(client.get_default_database().name)


BACKENDS = [
    "memory",
    "sqlite",
    "postgres",
    "mysql",
    "mongo",
    "dynamodb",
    "firestore",
    "sqlite-cached",
]
"""Every backend the suites run on; ``sqlite-cached`` is SQLite behind the Redis cache."""


@dataclass(frozen=True, slots=True)
class Target:
    """An empty store of one backend for one test: how to open it."""

    url: str
    settings: Settings
    cache_url: str | None
    migrate: bool
    """False for the PostgreSQL and MySQL databases, migrated once per session."""


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that uses a store runs once per backend."""
    return str(request.param)


@pytest.fixture
def target(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[int], Target]]:
    """``target(dim)``: an empty store of ``backend`` for this test, with ``dim``-long
    embeddings and settings independent of the developer's ``REPOKIT_*`` variables
    (the same store when called again)."""
    cleanups: list[Callable[[], None]] = []

    def url_of(kind: str, dim: int) -> str:
        if kind == "memory":
            return "memory://"
        if kind.startswith("sqlite"):
            return f"sqlite:///{tmp_path / 'integration.db'}"
        if kind == "postgres":
            database: str = request.getfixturevalue("postgres_database")(dim)
            truncate(database)
            return database
        if kind == "mysql":
            return str(request.getfixturevalue("mysql_database")(dim))
        if kind == "mongo":
            server = request.getfixturevalue("standin")
            fresh = mongo_database_url(server.url())
            cleanups.append(lambda: drop_mongo_database(fresh))
            return fresh
        if kind == "firestore":
            request.getfixturevalue("firestore_emulator_host")  # sets FIRESTORE_EMULATOR_HOST
            return f"firestore://int-{uuid.uuid4().hex[:12]}"  # a project of the test's own
        if kind == "dynamodb":
            server = request.getfixturevalue("moto_server")
            server.reset()
            return str(server.url("integration"))
        raise ValueError(f"unknown backend {kind!r}")

    made: dict[int, Target] = {}

    def make(dim: int) -> Target:
        if dim in made:  # the same store again, not emptied a second time
            return made[dim]
        cached = backend.endswith("-cached")
        settings = Settings(
            database_url=None,
            cache_url=None,
            embedding_dim=dim,
            data_dir=tmp_path / "data",
            cache_namespace=f"int-{uuid.uuid4().hex[:12]}",
        )
        made[dim] = Target(
            url=url_of(backend, dim),
            settings=settings,
            cache_url=str(request.getfixturevalue("redis_url")) if cached else None,
            migrate=backend not in ("postgres", "mysql"),
        )
        return made[dim]

    yield make
    for cleanup in cleanups:
        cleanup()
