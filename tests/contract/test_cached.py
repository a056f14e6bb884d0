"""The whole contract suite again, every backend wrapped in the Redis cache, both forms.

The cache must not change a single answer: each class opens its backend as the
plain contract classes do, with ``cache_url`` pointing at a real Redis
(``redis_url``) and a cache namespace of the test's own.

The entity contract runs behind the cache too (:class:`CachedEntities`): a
backend joins with a class that gives its URL as the ``backend_url`` fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.cache.store import CachedStore
from repokit.infrastructure.cache.sync.store import CachedStore as SyncCachedStore
from repokit.infrastructure.config import Settings
from repokit.testing import EntityContract, StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract
from repokit.testing.examples import EXAMPLE_ENTITIES


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


def skip_without_entities(store: Any) -> None:
    """Skip where the backend does not store declared entities (yet)."""
    if not store.capabilities.entities:
        pytest.skip(f"{store.capabilities.backend} does not store declared entities")


class CachedEntities(EntityContract):
    """The entity contract on the backend at ``backend_url``, behind the cache."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(
        self, backend_url: str, redis_url: str, cached_settings: Settings
    ) -> AsyncIterator[StorePort]:
        store = await cached(backend_url, redis_url, cached_settings)
        try:
            skip_without_entities(store)
            yield store
        finally:
            await store.close()


class CachedSyncEntities(sync_contract.EntityContract):
    """The entity contract on the backend at ``backend_url``, behind the cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(
        self, backend_url: str, redis_url: str, cached_settings: Settings
    ) -> Iterator[SyncStorePort]:
        with cached_sync(backend_url, redis_url, cached_settings) as store:
            skip_without_entities(store)
            yield store


class TestCachedMemoryEntities(CachedEntities):
    """``memory://`` behind the cache: declared entities."""

    @pytest.fixture
    def backend_url(self) -> str:
        return "memory://"


class TestCachedMemorySyncEntities(CachedSyncEntities):
    """``memory://`` behind the cache: declared entities, sync."""

    @pytest.fixture
    def backend_url(self) -> str:
        return "memory://"


class TestCachedSqliteEntities(CachedEntities):
    """A SQLite file behind the cache: declared entities."""

    @pytest.fixture
    def backend_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'e.db'}"


class TestCachedSqliteSyncEntities(CachedSyncEntities):
    """A SQLite file behind the cache: declared entities, sync."""

    @pytest.fixture
    def backend_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'e.db'}"


@pytest.mark.parametrize(
    "backend",
    [
        TestCachedMemoryStore,
        TestCachedMemorySyncStore,
        TestCachedSqliteStore,
        TestCachedSqliteSyncStore,
        TestCachedPostgresStore,
        TestCachedPostgresSyncStore,
        TestCachedMemoryEntities,
        TestCachedMemorySyncEntities,
        TestCachedSqliteEntities,
        TestCachedSqliteSyncEntities,
    ],
)
def test_the_cached_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
