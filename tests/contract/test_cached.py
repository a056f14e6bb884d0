"""The whole contract suite again, every backend wrapped in the Redis cache, both forms.

The cache must not change a single answer: each class opens its backend as the
plain contract classes do (``stores.open(..., cached=True)``), with ``cache_url``
pointing at a real Redis (``redis_url``) and a cache namespace of the test's own.
The cached MongoDB and DynamoDB classes live beside their plain ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedStoreFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.cache.store import CachedStore
from repokit.infrastructure.cache.sync.store import CachedStore as SyncCachedStore
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract


class TestCachedMemoryStore(CachedStoreFolds, StoreContract):
    """``memory://`` behind the cache."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("memory", cached=True) as store:
            assert isinstance(store, CachedStore)
            yield store


class TestCachedMemorySyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """``memory://`` behind the cache, sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("memory", cached=True) as store:
            assert isinstance(store, SyncCachedStore)
            yield store


class TestCachedSqliteStore(CachedStoreFolds, StoreContract):
    """A SQLite file behind the cache."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("sqlite-file", cached=True) as store:
            assert isinstance(store, CachedStore)
            yield store


class TestCachedSqliteSyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """A SQLite file behind the cache, sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("sqlite-file", cached=True) as store:
            assert isinstance(store, SyncCachedStore)
            yield store


class TestCachedPostgresStore(CachedStoreFolds, StoreContract):
    """The embedded PostgreSQL behind the cache."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("postgres", cached=True) as store:
            assert isinstance(store, CachedStore)
            yield store


class TestCachedPostgresSyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """The embedded PostgreSQL behind the cache, sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("postgres", cached=True) as store:
            assert isinstance(store, SyncCachedStore)
            yield store


class TestCachedMysqlStore(CachedStoreFolds, StoreContract):
    """MySQL / MariaDB (``REPOKIT_TEST_MYSQL_URL``) behind the cache."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mysql", cached=True) as store:
            assert isinstance(store, CachedStore)
            yield store


class TestCachedMysqlSyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """MySQL / MariaDB behind the cache, sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mysql", cached=True) as store:
            assert isinstance(store, SyncCachedStore)
            yield store


class TestCachedFirestoreStore(CachedStoreFolds, StoreContract):
    """The worker's Firestore emulator behind the cache."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        pytest.importorskip("google.cloud.firestore")
        async with stores.open("firestore", cached=True) as store:
            assert isinstance(store, CachedStore)
            yield store


class TestCachedFirestoreSyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """The worker's Firestore emulator behind the cache, sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        pytest.importorskip("google.cloud.firestore")
        with stores.open_sync("firestore", cached=True) as store:
            assert isinstance(store, SyncCachedStore)
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestCachedMemoryStore,
        TestCachedMemorySyncStore,
        TestCachedSqliteStore,
        TestCachedSqliteSyncStore,
        TestCachedPostgresStore,
        TestCachedPostgresSyncStore,
        TestCachedMysqlStore,
        TestCachedMysqlSyncStore,
        TestCachedFirestoreStore,
        TestCachedFirestoreSyncStore,
    ],
)
def test_the_cached_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
