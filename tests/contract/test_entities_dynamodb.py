"""The entity contract against DynamoDB (the worker's moto_server, its table emptied per
test), plain and behind the Redis cache, async and sync: the example entities."""

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

pytest.importorskip("aioboto3")


class TestDynamoEntities(EntityContract):
    """The example entities on moto_server, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("dynamodb") as store:
            yield store


class TestDynamoSyncEntities(SyncTwinEntityFolds, sync_contract.EntityContract):
    """The example entities on moto_server through ``repokit.connect_sync`` (boto3)."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("dynamodb") as store:
            yield store


class TestCachedDynamoEntities(CachedEntityFolds, EntityContract):
    """The example entities on moto_server behind the Redis cache, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("dynamodb", cached=True) as store:
            yield store


class TestCachedDynamoSyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """The example entities on moto_server behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("dynamodb", cached=True) as store:
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestDynamoEntities,
        TestDynamoSyncEntities,
        TestCachedDynamoEntities,
        TestCachedDynamoSyncEntities,
    ],
)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)
