"""The contract suite against DynamoDB, async (aioboto3) and sync (boto3).

* ``moto``: a ``moto_server`` started once per session on a free 127.0.0.1 port
  (stopped by its process id at the end), reset before each test; each test's
  store runs ``migrate()``, which creates the table and its GSIs.
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

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract

pytest.importorskip("aioboto3")
pytest.importorskip("boto3")

from repokit.infrastructure.dynamodb.emulator import MotoServer

SERVER_URL = os.environ.get("REPOKIT_TEST_DYNAMODB_URL")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One moto_server for the session."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def moto_url(moto_server: MotoServer) -> str:
    """A fresh, empty emulator for this test."""
    moto_server.reset()
    return moto_server.url("contract")


def empty_table(url: str, settings: Settings) -> None:
    """Delete every item of the table at ``url`` (creating it first if needed)."""
    with repokit.connect_sync(url, settings=settings) as store:
        store.migrate()
        client = store.client  # type: ignore[attr-defined]
        params = {"TableName": client.table, "ProjectionExpression": "PK, SK"}
        keys = []
        while True:
            page = client.call("scan", **params)
            keys += [{"PK": item["PK"], "SK": item["SK"]} for item in page.get("Items", [])]
            if not page.get("LastEvaluatedKey"):
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        for start in range(0, len(keys), 25):
            batch = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            client.call("batch_write_item", RequestItems={client.table: batch})


class TestMotoDynamoStore(StoreContract):
    """``dynamodb://`` on moto_server through ``repokit.connect`` (aioboto3)."""

    @pytest.fixture
    async def store(self, moto_url: str, contract_settings: Settings) -> AsyncIterator[StorePort]:
        store = await repokit.connect(moto_url, settings=contract_settings)
        await store.migrate()
        yield store
        await store.close()


class TestMotoDynamoSyncStore(sync_contract.StoreContract):
    """``dynamodb://`` on moto_server through ``repokit.connect_sync`` (boto3)."""

    @pytest.fixture
    def store(self, moto_url: str, contract_settings: Settings) -> Iterator[SyncStorePort]:
        with repokit.connect_sync(moto_url, settings=contract_settings) as store:
            store.migrate()
            yield store


class TestCachedMotoDynamoStore(StoreContract):
    """The same emulator behind the Redis cache (``cache_url``), async."""

    @pytest.fixture
    async def store(
        self, moto_url: str, redis_url: str, contract_settings: Settings, cache_namespace: str
    ) -> AsyncIterator[StorePort]:
        settings = contract_settings.model_copy(update={"cache_namespace": cache_namespace})
        store = await repokit.connect(moto_url, cache_url=redis_url, settings=settings)
        await store.migrate()
        yield store
        await store.close()


class TestCachedMotoDynamoSyncStore(sync_contract.StoreContract):
    """The same emulator behind the Redis cache (``cache_url``), sync."""

    @pytest.fixture
    def store(
        self, moto_url: str, redis_url: str, contract_settings: Settings, cache_namespace: str
    ) -> Iterator[SyncStorePort]:
        settings = contract_settings.model_copy(update={"cache_namespace": cache_namespace})
        with repokit.connect_sync(moto_url, cache_url=redis_url, settings=settings) as store:
            store.migrate()
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
    _url: str = SERVER_URL

    class TestServerDynamoStore(StoreContract):
        """The endpoint of ``REPOKIT_TEST_DYNAMODB_URL`` (aioboto3)."""

        @pytest.fixture
        async def store(self, contract_settings: Settings) -> AsyncIterator[StorePort]:
            empty_table(_url, contract_settings)
            store = await repokit.connect(_url, settings=contract_settings)
            yield store
            await store.close()

    class TestServerDynamoSyncStore(sync_contract.StoreContract):
        """The endpoint of ``REPOKIT_TEST_DYNAMODB_URL`` (boto3)."""

        @pytest.fixture
        def store(self, contract_settings: Settings) -> Iterator[SyncStorePort]:
            empty_table(_url, contract_settings)
            with repokit.connect_sync(_url, settings=contract_settings) as store:
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
