"""The whole contract suite again, every backend wrapped in the Redis cache, both forms.

The cache must not change a single answer: each class opens its backend as the
plain contract classes do, with ``cache_url`` pointing at a real Redis
(``redis_url``) and a cache namespace of the test's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.cache.store import CachedStore
from repokit.infrastructure.cache.sync.store import CachedStore as SyncCachedStore
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract


@pytest.fixture
def cached_settings(contract_settings: Settings, cache_namespace: str) -> Settings:
    return contract_settings.model_copy(update={"cache_namespace": cache_namespace})


async def cached(url: str, redis_url: str, settings: Settings) -> StorePort:
    store = await repokit.connect(url, cache_url=redis_url, settings=settings)
    assert isinstance(store, CachedStore)
    await store.migrate()
    return store


def cached_sync(url: str, redis_url: str, settings: Settings) -> SyncStorePort:
    store = repokit.connect_sync(url, cache_url=redis_url, settings=settings)
    assert isinstance(store, SyncCachedStore)
    store.migrate()
    return store


class TestCachedMemoryStore(StoreContract):
    """``memory://`` behind the cache."""

    @pytest.fixture
    async def store(self, redis_url: str, cached_settings: Settings) -> AsyncIterator[StorePort]:
        store = await cached("memory://", redis_url, cached_settings)
        yield store
        await store.close()


class TestCachedMemorySyncStore(sync_contract.StoreContract):
    """``memory://`` behind the cache, sync."""

    @pytest.fixture
    def store(self, redis_url: str, cached_settings: Settings) -> Iterator[SyncStorePort]:
        with cached_sync("memory://", redis_url, cached_settings) as store:
            yield store


class TestCachedSqliteStore(StoreContract):
    """A SQLite file behind the cache."""

    @pytest.fixture
    async def store(
        self, tmp_path: Path, redis_url: str, cached_settings: Settings
    ) -> AsyncIterator[StorePort]:
        store = await cached(f"sqlite:///{tmp_path / 'c.db'}", redis_url, cached_settings)
        yield store
        await store.close()


class TestCachedSqliteSyncStore(sync_contract.StoreContract):
    """A SQLite file behind the cache, sync."""

    @pytest.fixture
    def store(
        self, tmp_path: Path, redis_url: str, cached_settings: Settings
    ) -> Iterator[SyncStorePort]:
        with cached_sync(f"sqlite:///{tmp_path / 'c.db'}", redis_url, cached_settings) as store:
            yield store


class TestCachedPostgresStore(StoreContract):
    """The embedded PostgreSQL behind the cache."""

    @pytest.fixture
    async def store(
        self,
        embedded_postgres_url: str,
        redis_url: str,
        cached_settings: Settings,
        postgres_reset_sync: Callable[[str], None],
    ) -> AsyncIterator[StorePort]:
        postgres_reset_sync(embedded_postgres_url)
        store = await cached(embedded_postgres_url, redis_url, cached_settings)
        yield store
        await store.close()


class TestCachedPostgresSyncStore(sync_contract.StoreContract):
    """The embedded PostgreSQL behind the cache, sync."""

    @pytest.fixture
    def store(
        self,
        embedded_postgres_url: str,
        redis_url: str,
        cached_settings: Settings,
        postgres_reset_sync: Callable[[str], None],
    ) -> Iterator[SyncStorePort]:
        postgres_reset_sync(embedded_postgres_url)
        with cached_sync(embedded_postgres_url, redis_url, cached_settings) as store:
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
    ],
)
def test_the_cached_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
