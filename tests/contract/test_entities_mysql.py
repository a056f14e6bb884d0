"""The entity contract against MySQL / MariaDB (``REPOKIT_TEST_MYSQL_URL``, by default the
local MariaDB), plain and behind the Redis cache, async and sync.

Every table of the worker's database is emptied before each test (``stores.py``),
the declared entities' tables included.
"""

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

pytest.importorskip("asyncmy")


class TestMysqlEntities(EntityContract):
    """The async store on asyncmy."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mysql") as store:
            yield store


class TestMysqlSyncEntities(sync_contract.EntityContract):
    """The same server through ``repokit.connect_sync`` (PyMySQL)."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mysql") as store:
            yield store


class TestCachedMysqlEntities(CachedEntityFolds, EntityContract):
    """The server behind the Redis cache."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mysql", cached=True) as store:
            yield store


class TestCachedMysqlSyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """The server behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mysql", cached=True) as store:
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestMysqlEntities,
        TestMysqlSyncEntities,
        TestCachedMysqlEntities,
        TestCachedMysqlSyncEntities,
    ],
)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)
