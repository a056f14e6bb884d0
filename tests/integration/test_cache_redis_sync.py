"""The sync form of the Redis cache: threads share one store; Redis gone never fails a call."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import redis

import repokit
from repokit.domain.entities import Document
from repokit.domain.entity_spec import spec_of
from repokit.domain.sync.ports import DocumentRepositoryPort, StorePort
from repokit.infrastructure.cache.entity_keys import EntityKeys
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.infrastructure.cache.sync.store import open_cached_store
from repokit.infrastructure.config import Settings
from repokit.infrastructure.memory.sync.store import MemoryStore
from repokit.testing.examples import Customer, Order

DIM = 8


class CountedDocuments:
    """A backend's ``documents`` whose ``get_by_id`` is counted and slow."""

    def __init__(self, inner: DocumentRepositoryPort) -> None:
        self._inner = inner
        self.reads = 0
        self._lock = threading.Lock()

    def get_by_id(self, id: UUID) -> Document | None:
        with self._lock:
            self.reads += 1
        found = self._inner.get_by_id(id)
        time.sleep(0.05)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class CountedStore:
    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner
        self.documents = CountedDocuments(inner.documents)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def settings_for(namespace: str, *, outage: bool = False) -> Settings:
    """Short Redis timeouts for the outage test; generous ones elsewhere."""
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=DIM,
        cache_namespace=namespace,
        cache_timeout_s=0.1 if outage else 5.0,
        cache_retry_s=0.3,
    )


def test_100_concurrent_misses_from_threads_make_one_backend_read(
    redis_url: str, cache_namespace: str
) -> None:
    backend = CountedStore(MemoryStore(DIM))
    with open_cached_store(
        cast(StorePort, backend), redis_url, settings_for(cache_namespace)
    ) as store:
        saved = store.documents.save(Document(title="hot", content="c"))
        start = threading.Barrier(100)

        def read(_: int) -> Document | None:
            start.wait()
            return store.documents.get_by_id(saved.id)

        with ThreadPoolExecutor(max_workers=100) as pool:
            found = list(pool.map(read, range(100)))
        assert found == [saved] * 100
        assert backend.documents.reads == 1


def test_connect_sync_with_redis_on_a_closed_port_never_fails_a_call(
    cache_namespace: str,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with repokit.connect_sync(
        "memory://",
        cache_url=f"redis://127.0.0.1:{port}/0",
        settings=settings_for(cache_namespace, outage=True),
    ) as store:
        saved = store.documents.save(Document(title="t", content="c"))
        began = time.perf_counter()
        for _ in range(50):
            assert store.documents.get_by_id(saved.id) == saved
        assert time.perf_counter() - began < 2.0
        assert store.cache_stats().errors >= 1  # type: ignore[attr-defined]


def test_declared_entities_are_cached_and_a_cascade_invalidates_them(
    redis_url: str, cache_namespace: str
) -> None:
    moment = datetime(2024, 1, 2, tzinfo=UTC)
    with open_cached_store(MemoryStore(DIM), redis_url, settings_for(cache_namespace)) as store:
        store.migrate()
        customer = store.repository(Customer).save(
            Customer(email="c@example.com", name="C", signed_up=moment)
        )
        order = store.repository(Order).save(
            Order(
                customer_id=customer.id,
                number=1,
                sku="A-1",
                total=Decimal("1.50"),
                weight_kg=1.0,
                placed_at=moment,
            )
        )
        assert store.repository(Order).get_by(sku="A-1") == order
        hits = store.cache_stats().hits
        assert store.repository(Order).get_by(sku="A-1") == order
        assert store.cache_stats().hits == hits + 2
        key = EntityKeys.of_spec(CacheKeys(cache_namespace), spec_of(Order)).by_id(order.id)
        raw = redis.Redis.from_url(redis_url)
        try:
            assert raw.exists(key.value) == 1
            assert store.repository(Customer).delete(customer.id) is True
            assert raw.exists(key.value) == 0
        finally:
            raw.close()
        assert store.repository(Order).get_by(sku="A-1") is None
