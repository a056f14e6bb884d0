"""The entity contract against SQLite: a database file (plain and behind the Redis cache)
and ``sqlite:///:memory:``, async and sync."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedEntityFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import EntityContract, assert_contract_complete
from repokit.testing import sync as sync_contract
from repokit.testing.examples import EXAMPLE_ENTITIES


class TestSqliteFileEntities(EntityContract):
    """``sqlite:///<file>``: a fresh copy of a migrated database file per test."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("sqlite-file") as store:
            yield store


class TestSqliteFileSyncEntities(sync_contract.EntityContract):
    """``sqlite:///<file>`` through ``repokit.connect_sync`` (sqlite3)."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("sqlite-file") as store:
            yield store


class TestSqliteInMemoryEntities(EntityContract):
    """``sqlite:///:memory:``: one connection, so units of work are not concurrent."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("sqlite-memory") as store:
            yield store


class TestSqliteInMemorySyncEntities(sync_contract.EntityContract):
    """``sqlite:///:memory:`` through ``repokit.connect_sync``."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("sqlite-memory") as store:
            yield store


class TestCachedSqliteFileEntities(CachedEntityFolds, EntityContract):
    """A SQLite file behind the Redis cache."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("sqlite-file", cached=True) as store:
            yield store


class TestCachedSqliteFileSyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """A SQLite file behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("sqlite-file", cached=True) as store:
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestSqliteFileEntities,
        TestSqliteFileSyncEntities,
        TestSqliteInMemoryEntities,
        TestSqliteInMemorySyncEntities,
        TestCachedSqliteFileEntities,
        TestCachedSqliteFileSyncEntities,
    ],
)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)
