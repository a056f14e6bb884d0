"""Backends for the framework suites: each test gets an empty repokit store URL.

The servers are the contract suite's: the nx-27017 MongoDB stand-in and a
``moto_server`` (the helpers in ``repokit.infrastructure``), each started once per
session and stopped by process id, and a private embedded PostgreSQL 18 + pgvector
with one database per embedding length (LangChain's suite embeds in 6 dimensions,
Haystack's in 768), migrated once and emptied with ``TRUNCATE`` before each test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import repokit
from repokit.infrastructure.config import Settings

TABLES = "chunks, documents, workspace_acl, workspaces, users, audit_events, chat_messages"


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[[int], Settings]:
    """``settings_for(dim)``: settings independent of the developer's ``REPOKIT_*`` variables."""

    def settings(dim: int) -> Settings:
        return Settings(
            database_url=None, cache_url=None, embedding_dim=dim, data_dir=tmp_path / "data"
        )

    return settings


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


@pytest.fixture
def cache_for(request: pytest.FixtureRequest) -> Callable[[bool], tuple[str | None, str]]:
    """``cache_for(cached)``: the Redis URL (None when not cached) and a fresh namespace."""

    def cache(cached: bool) -> tuple[str | None, str]:
        namespace = f"int-{uuid.uuid4().hex[:12]}"
        if not cached:
            return None, namespace
        return str(request.getfixturevalue("redis_url")), namespace

    return cache


@pytest.fixture
def backend_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str, int], str]]:
    """``url(backend, dim)``: an empty store of ``backend`` for this test.

    ``backend`` is one of ``memory``, ``sqlite``, ``postgres``, ``mongo``, ``dynamodb``.
    """
    cleanups: list[Callable[[], None]] = []

    def url(backend: str, dim: int) -> str:
        if backend == "memory":
            return "memory://"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / 'integration.db'}"
        if backend == "postgres":
            database: str = request.getfixturevalue("postgres_database")(dim)
            truncate(database)
            return database
        if backend == "mongo":
            server = request.getfixturevalue("standin")
            fresh = mongo_database_url(server.url())
            cleanups.append(lambda: drop_mongo_database(fresh))
            return fresh
        if backend == "dynamodb":
            server = request.getfixturevalue("moto_server")
            server.reset()
            return str(server.url("integration"))
        raise ValueError(f"unknown backend {backend!r}")

    yield url
    for cleanup in cleanups:
        cleanup()
