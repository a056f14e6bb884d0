"""Shared set-up of the contract runs: the settings every backend is opened with, and
the nx-27017 MongoDB stand-in of the session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from repokit.infrastructure.config import Settings

if TYPE_CHECKING:
    from repokit.infrastructure.mongo.standin import StandInServer

EMBEDDING_DIM = 16
"""Small enough to be fast, large enough for the contract's exact vectors."""


@pytest.fixture
def contract_settings(tmp_path: Path) -> Settings:
    """Settings independent of the developer's ``REPOKIT_*`` environment."""
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=EMBEDDING_DIM,
        data_dir=tmp_path / "data",
    )


async def create_postgres_schema(url: str, dim: int) -> None:
    """Migrate the PostgreSQL database at ``url`` once (``store.migrate()``: the Alembic
    revisions, with ``embedding vector(dim)``)."""
    import repokit

    settings = Settings(database_url=None, cache_url=None, embedding_dim=dim)
    store = await repokit.connect(url, settings=settings)
    try:
        await store.migrate()
    finally:
        await store.close()


POSTGRES_TABLES = "chunks, documents, workspace_acl, workspaces, users, audit_events, chat_messages"


async def truncate_postgres(url: str) -> None:
    """Empty every repokit table (much faster than a fresh database per test)."""
    import asyncpg

    connection = await asyncpg.connect(plain_postgres_url(url))
    try:
        await connection.execute(f"TRUNCATE {POSTGRES_TABLES} CASCADE")
    finally:
        await connection.close()


def truncate_postgres_sync(url: str) -> None:
    """:func:`truncate_postgres` with psycopg, for the sync store's fixtures."""
    import psycopg

    with psycopg.connect(plain_postgres_url(url), autocommit=True) as connection:
        connection.execute(f"TRUNCATE {POSTGRES_TABLES} CASCADE")


def plain_postgres_url(url: str) -> str:
    """``url`` with a driver suffix (``postgresql+asyncpg://``) removed, for asyncpg."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql{sep}{rest}" if "+" in scheme else url


@pytest.fixture
def postgres_schema() -> Callable[[str, int], Awaitable[None]]:
    """:func:`create_postgres_schema`, for test modules (which cannot import conftest)."""
    return create_postgres_schema


@pytest.fixture
def postgres_reset() -> Callable[[str], Awaitable[None]]:
    """:func:`truncate_postgres`, for test modules."""
    return truncate_postgres


@pytest.fixture
def postgres_reset_sync() -> Callable[[str], None]:
    """:func:`truncate_postgres_sync`, for test modules."""
    return truncate_postgres_sync


@pytest.fixture(scope="session")
def embedded_postgres_url(pg_data_root: Path) -> str:
    """A private embedded PostgreSQL 18 + pgvector for the session, with the schema."""
    import asyncio

    from repokit.infrastructure.embedded import embedded_postgres_url as start

    url = start(pg_data_root / "contract" / "data")
    asyncio.run(create_postgres_schema(url, EMBEDDING_DIM))
    return url


@pytest.fixture(scope="session")
def standin() -> Iterator[StandInServer]:
    """One nx-27017 server for the session (every database in memory), stopped at the end."""
    pytest.importorskip("pymongo")
    from repokit.infrastructure.mongo.standin import StandInServer

    with StandInServer() as server:
        yield server
