"""The contract suite against DynamoDB, async (aioboto3) and sync (boto3).

* ``moto``: the worker's ``moto_server``, started once on a free 127.0.0.1 port
  (stopped by its process id at the end); each test deletes every item of its
  table and runs ``migrate()``, which creates the table and its GSIs the first
  time (``stores.py``).
* ``cached``: the same emulator behind the Redis cache decorator (``redis_url``
  from ``tests/conftest.py``, a cache namespace per test), both forms;
* ``server``: the endpoint of ``REPOKIT_TEST_DYNAMODB_URL`` (DynamoDB Local, or
  AWS: give the URL a table of its own, since every item in it is deleted before
  each test); skipped with one named test when it is not set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedStoreFolds, SyncTwinStoreFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract

pytest.importorskip("aioboto3")
pytest.importorskip("boto3")

SERVER_URL = os.environ.get("REPOKIT_TEST_DYNAMODB_URL")


class TestMotoDynamoStore(StoreContract):
    """``dynamodb://`` on moto_server through ``repokit.connect`` (aioboto3)."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("dynamodb") as store:
            yield store


class TestMotoDynamoSyncStore(SyncTwinStoreFolds, sync_contract.StoreContract):
    """``dynamodb://`` on moto_server through ``repokit.connect_sync`` (boto3)."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("dynamodb") as store:
            yield store


class TestCachedMotoDynamoStore(CachedStoreFolds, StoreContract):
    """The same emulator behind the Redis cache (``cache_url``), async."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("dynamodb", cached=True) as store:
            yield store


class TestCachedMotoDynamoSyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """The same emulator behind the Redis cache (``cache_url``), sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("dynamodb", cached=True) as store:
            yield store


NO_SERVER = (
    "REPOKIT_TEST_DYNAMODB_URL is not set: set it to dynamodb://host:port?region=..&table=.. "
    "(DynamoDB Local) or dynamodb://?region=..&table=.. (AWS) to run the contract suite "
    "against that endpoint; every item of that table is deleted before each test"
)

if SERVER_URL is None:
    # One clear skip instead of a skip per contract test.

    def test_contract_against_a_dynamodb_endpoint_of_your_own() -> None:
        pytest.skip(NO_SERVER)

else:

    class TestServerDynamoStore(StoreContract):
        """The endpoint of ``REPOKIT_TEST_DYNAMODB_URL`` (aioboto3)."""

        @pytest.fixture
        async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
            async with stores.open("dynamodb", server=SERVER_URL) as store:
                yield store

    class TestServerDynamoSyncStore(sync_contract.StoreContract):
        """The endpoint of ``REPOKIT_TEST_DYNAMODB_URL`` (boto3)."""

        @pytest.fixture
        def store(self, stores: Stores) -> Iterator[SyncStorePort]:
            with stores.open_sync("dynamodb", server=SERVER_URL) as store:
                yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestMotoDynamoStore,
        TestMotoDynamoSyncStore,
        TestCachedMotoDynamoStore,
        TestCachedMotoDynamoSyncStore,
    ],
)
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
