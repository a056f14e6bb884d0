"""The entity contract against Firestore (the worker's emulator, a project per test),
plain and behind the Redis cache, async and sync: the example entities."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedEntityFolds, SyncTwinEntityFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import EntityContract, assert_contract_complete
from repokit.testing import sync as sync_contract
from repokit.testing.examples import EXAMPLE_ENTITIES

pytest.importorskip("google.cloud.firestore")


class TestFirestoreEntities(EntityContract):
    """The example entities on the emulator, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("firestore") as store:
            yield store


class TestFirestoreSyncEntities(SyncTwinEntityFolds, sync_contract.EntityContract):
    """The example entities on the emulator through ``repokit.connect_sync``."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("firestore") as store:
            yield store


class TestCachedFirestoreEntities(CachedEntityFolds, EntityContract):
    """The example entities on the emulator behind the Redis cache, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("firestore", cached=True) as store:
            yield store


class TestCachedFirestoreSyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """The example entities on the emulator behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("firestore", cached=True) as store:
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestFirestoreEntities,
        TestFirestoreSyncEntities,
        TestCachedFirestoreEntities,
        TestCachedFirestoreSyncEntities,
    ],
)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)
