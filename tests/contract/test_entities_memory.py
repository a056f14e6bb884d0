"""The entity contract against the in-memory reference adapter: async and sync, plain and
behind the Redis cache."""

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


class TestMemoryEntities(EntityContract):
    """``memory://``: the reference every other backend is compared with."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("memory") as store:
            yield store


class TestMemorySyncEntities(sync_contract.EntityContract):
    """``memory://`` through ``repokit.connect_sync``."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("memory") as store:
            yield store


class TestCachedMemoryEntities(CachedEntityFolds, EntityContract):
    """``memory://`` behind the Redis cache."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("memory", cached=True) as store:
            yield store


class TestCachedMemorySyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """``memory://`` behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("memory", cached=True) as store:
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestMemoryEntities,
        TestMemorySyncEntities,
        TestCachedMemoryEntities,
        TestCachedMemorySyncEntities,
    ],
)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)
