"""The entity contract against PostgreSQL + pgvector: the worker's embedded server (plain
and behind the Redis cache), and ``REPOKIT_TEST_POSTGRES_URL`` when set; async and sync.

Every table of the schema is emptied before each test (``stores.py``), the declared
entities' tables included.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedEntityFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import EntityContract, assert_contract_complete
from repokit.testing import sync as sync_contract
from repokit.testing.examples import EXAMPLE_ENTITIES

pytest.importorskip("asyncpg")

SERVER_URL = os.environ.get("REPOKIT_TEST_POSTGRES_URL")


class TestEmbeddedPostgresEntities(EntityContract):
    """The worker's embedded PostgreSQL 18 + pgvector."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("postgres") as store:
            yield store


class TestEmbeddedPostgresSyncEntities(sync_contract.EntityContract):
    """The same server through ``repokit.connect_sync`` (psycopg 3)."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("postgres") as store:
            yield store


class TestCachedPostgresEntities(CachedEntityFolds, EntityContract):
    """The embedded server behind the Redis cache."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("postgres", cached=True) as store:
            yield store


class TestCachedPostgresSyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """The embedded server behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("postgres", cached=True) as store:
            yield store


BACKENDS: list[type] = [
    TestEmbeddedPostgresEntities,
    TestEmbeddedPostgresSyncEntities,
    TestCachedPostgresEntities,
    TestCachedPostgresSyncEntities,
]

if SERVER_URL is None:

    def test_entities_against_a_server_of_your_own() -> None:
        pytest.skip(
            "REPOKIT_TEST_POSTGRES_URL is not set: set it to postgresql://user:pass@host/db "
            "(with pgvector) to run the entity contract against that server (its tables "
            "are emptied)"
        )

else:
    server_url: str = SERVER_URL

    class TestServerPostgresEntities(EntityContract):
        """The server of ``REPOKIT_TEST_POSTGRES_URL``."""

        entities = EXAMPLE_ENTITIES

        @pytest.fixture
        async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
            async with stores.open("postgres", server=server_url) as store:
                yield store

    class TestServerPostgresSyncEntities(sync_contract.EntityContract):
        """The same server through ``repokit.connect_sync``."""

        entities = EXAMPLE_ENTITIES

        @pytest.fixture
        def store(self, stores: Stores) -> Iterator[SyncStorePort]:
            with stores.open_sync("postgres", server=server_url) as store:
                yield store

    BACKENDS += [TestServerPostgresEntities, TestServerPostgresSyncEntities]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)
