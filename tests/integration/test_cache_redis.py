"""The Redis cache against a real Redis: counts, invalidation, races, stampedes, outages.

The backend is the in-memory store (a backend of its own); where a test needs a
read to be slow or counted, :class:`GatedStore` wraps it and changes nothing
else. Outage tests use a ``redis-server`` of their own (``private_redis``),
never the machine's shared one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast
from uuid import UUID

import pytest
import redis

from repokit.domain.entities import Document, Role, User, Workspace
from repokit.domain.ports import DocumentRepositoryPort, StorePort
from repokit.infrastructure.cache.codec import entity_codec
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.infrastructure.cache.store import CachedStore, open_cached_store
from repokit.infrastructure.config import Settings
from repokit.infrastructure.memory import MemoryStore

DIM = 8
DOCUMENT_STAMP = entity_codec(Document).stamp


class GatedDocuments:
    """A backend's ``documents`` whose ``get_by_id`` is counted and may wait on a gate."""

    def __init__(self, inner: DocumentRepositoryPort) -> None:
        self._inner = inner
        self.reads = 0
        self.delay_s = 0.0
        self.after_read: Callable[[], Awaitable[None]] | None = None

    async def get_by_id(self, id: UUID) -> Document | None:
        self.reads += 1
        found = await self._inner.get_by_id(id)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.after_read is not None:
            await self.after_read()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class GatedStore:
    """The memory store with :class:`GatedDocuments`; everything else is the store's own."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner
        self.documents = GatedDocuments(inner.documents)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def settings_for(namespace: str, *, outage: bool = False, **changes: Any) -> Settings:
    """Short Redis timeouts for the outage tests; generous ones elsewhere, so a busy
    machine never turns a slow Redis reply into a cache error."""
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=DIM,
        cache_namespace=namespace,
        cache_timeout_s=0.1 if outage else 5.0,
        cache_retry_s=0.3,
        **changes,
    )


@pytest.fixture
async def gated(
    redis_url: str, cache_namespace: str
) -> AsyncIterator[tuple[CachedStore, GatedDocuments]]:
    backend = GatedStore(MemoryStore(DIM))
    store = open_cached_store(cast(StorePort, backend), redis_url, settings_for(cache_namespace))
    yield store, backend.documents
    await store.close()


async def test_a_second_read_is_a_hit(gated: tuple[CachedStore, GatedDocuments]) -> None:
    store, documents = gated
    saved = await store.documents.save(Document(title="t", content="c"))
    assert await store.documents.get_by_id(saved.id) == saved
    assert await store.documents.get_by_id(saved.id) == saved
    stats = store.cache_stats()
    assert (stats.hits, stats.misses, stats.errors, documents.reads) == (1, 1, 0, 1)


@pytest.mark.parametrize(
    "planted",
    [
        pytest.param(b"0000dead|{}", id="another release's stamp"),
        pytest.param(DOCUMENT_STAMP + b"not json", id="this stamp, not json"),
        pytest.param(DOCUMENT_STAMP + b'{"id": "x"}', id="this stamp, other fields"),
    ],
)
async def test_a_value_this_release_did_not_write_is_read_again_and_replaced(
    gated: tuple[CachedStore, GatedDocuments], redis_url: str, cache_namespace: str, planted: bytes
) -> None:
    store, documents = gated
    saved = await store.documents.save(Document(title="t", content="c"))
    key = CacheKeys(cache_namespace).document(saved.id).value
    raw = redis.Redis.from_url(redis_url)
    try:
        raw.set(key, planted)
        assert await store.documents.get_by_id(saved.id) == saved
        assert documents.reads == 1
        replaced = raw.get(key)
        assert replaced is not None
        assert replaced.startswith(DOCUMENT_STAMP + b"{")
    finally:
        raw.close()
    assert await store.documents.get_by_id(saved.id) == saved
    assert documents.reads == 1  # the replacement is a hit


async def test_not_found_is_cached_and_an_insert_invalidates_it(
    gated: tuple[CachedStore, GatedDocuments],
) -> None:
    store, documents = gated
    missing = Document(title="later", content="c")
    assert await store.documents.get_by_id(missing.id) is None
    assert await store.documents.get_by_id(missing.id) is None
    assert documents.reads == 1
    saved = await store.documents.save(missing)
    assert await store.documents.get_by_id(missing.id) == saved


async def test_invalidation_waits_for_the_commit_and_a_rollback_changes_nothing(
    gated: tuple[CachedStore, GatedDocuments],
) -> None:
    store, _ = gated
    first = await store.documents.save(Document(title="first", content="c"))
    await store.documents.get_by_id(first.id)
    async with store.unit_of_work() as uow:
        await uow.documents.save(first.model_copy(update={"title": "rolled back"}))
        await uow.rollback()
    assert store.cache_stats().invalidations == 1  # the save outside the unit only
    assert await store.documents.get_by_id(first.id) == first
    async with store.unit_of_work() as uow:
        second = await uow.documents.save(first.model_copy(update={"title": "second"}))
        # Not committed yet: the committed value stays cached and served.
        assert (await store.documents.get_by_id(first.id)) == first
        assert store.cache_stats().invalidations == 1
    assert store.cache_stats().invalidations == 2
    assert await store.documents.get_by_id(first.id) == second


async def test_reads_inside_a_unit_never_fill_the_cache(
    gated: tuple[CachedStore, GatedDocuments], redis_url: str, cache_namespace: str
) -> None:
    store, _ = gated
    saved = await store.documents.save(Document(title="t", content="c"))
    async with store.unit_of_work() as uow:
        await uow.documents.save(saved.model_copy(update={"title": "uncommitted"}))
        assert (await uow.documents.get_by_id(saved.id)).title == "uncommitted"  # type: ignore[union-attr]
        await uow.rollback()
    key = CacheKeys(cache_namespace).document(saved.id)
    assert redis.Redis.from_url(redis_url).exists(key.value) == 0
    assert await store.documents.get_by_id(saved.id) == saved


async def test_a_read_that_overlaps_a_write_never_caches_the_old_value(
    gated: tuple[CachedStore, GatedDocuments],
) -> None:
    store, documents = gated
    saved = await store.documents.save(Document(title="old", content="c"))
    read_done, write_done = asyncio.Event(), asyncio.Event()

    async def hold_after_read() -> None:
        documents.after_read = None
        read_done.set()
        await write_done.wait()

    documents.after_read = hold_after_read

    async def slow_reader() -> Document | None:
        return await store.documents.get_by_id(saved.id)

    async def writer() -> Document:
        await read_done.wait()  # the reader holds the old value and has not filled yet
        try:
            return await store.documents.save(saved.model_copy(update={"title": "new"}))
        finally:
            write_done.set()

    old, new = await asyncio.gather(slow_reader(), writer())
    assert old is not None
    assert old.title == "old"  # it was read before the write...
    # ...and filled after the write's invalidation: it must never be served.
    assert await store.documents.get_by_id(saved.id) == new
    assert await store.documents.get_by_id(saved.id) == new


async def test_concurrent_readers_never_see_a_version_older_than_the_last_commit(
    gated: tuple[CachedStore, GatedDocuments],
) -> None:
    store, documents = gated
    documents.delay_s = 0.002
    current = await store.documents.save(Document(title="v", content="c"))
    committed = current.version
    stale: list[tuple[int, int]] = []

    async def reader() -> None:
        for _ in range(40):
            floor = committed
            found = await store.documents.get_by_id(current.id)
            assert found is not None
            if found.version < floor:
                stale.append((found.version, floor))

    async def writer() -> None:
        nonlocal current, committed
        for n in range(25):
            current = await store.documents.save(current.model_copy(update={"content": str(n)}))
            committed = current.version
            await asyncio.sleep(0.003)

    await asyncio.gather(writer(), *(reader() for _ in range(8)))
    assert stale == []
    assert await store.documents.get_by_id(current.id) == current


async def test_100_concurrent_misses_make_one_backend_read(
    gated: tuple[CachedStore, GatedDocuments],
) -> None:
    store, documents = gated
    saved = await store.documents.save(Document(title="hot", content="c"))
    documents.delay_s = 0.05
    found = await asyncio.gather(*(store.documents.get_by_id(saved.id) for _ in range(100)))
    assert found == [saved] * 100
    assert documents.reads == 1


async def test_ttls_are_per_entity_and_jittered(redis_url: str, cache_namespace: str) -> None:
    settings = settings_for(cache_namespace, cache_ttls={"documents": 100.0}, cache_ttl_jitter=0.1)
    store = open_cached_store(MemoryStore(DIM), redis_url, settings)
    keys = CacheKeys(cache_namespace)
    client = redis.Redis.from_url(redis_url)
    try:
        documents = [
            await store.documents.save(Document(title=str(n), content="c")) for n in range(20)
        ]
        owner = await store.users.save(User(email="o@example.com", display_name="O"))
        for document in documents:
            await store.documents.get_by_id(document.id)
        await store.users.get_by_id(owner.id)
        ttls = [client.pttl(keys.document(document.id).value) for document in documents]
        # Lower bounds leave room for the time since each fill (PTTL counts down).
        assert all(80_000 <= ttl <= 110_000 for ttl in ttls)
        assert len(set(ttls)) > 1  # jittered, not all alike
        assert 260_000 <= client.pttl(keys.entity("users", owner.id).value) <= 330_000
    finally:
        await store.close()


async def test_role_and_email_lookups_follow_their_writes(
    redis_url: str, cache_namespace: str
) -> None:
    store = open_cached_store(MemoryStore(DIM), redis_url, settings_for(cache_namespace))
    try:
        owner = await store.users.save(User(email="Ann@Example.com", display_name="Ann"))
        guest = await store.users.save(User(email="bob@example.com", display_name="Bob"))
        space = await store.workspaces.save(Workspace(name="w", owner_id=owner.id))
        assert await store.users.find_by_email("ann@example.com") == owner
        assert await store.acl.role_of(space.id, guest.id) is None
        await store.acl.grant(space.id, guest.id, Role.EDITOR)
        assert await store.acl.role_of(space.id, guest.id) is Role.EDITOR
        moved = await store.users.save(owner.model_copy(update={"email": "ann@new.example"}))
        assert await store.users.find_by_email("ann@example.com") is None
        assert await store.users.find_by_email("ANN@new.example") == moved
        assert await store.workspaces.delete(space.id)
        assert await store.acl.role_of(space.id, guest.id) is None
        assert await store.workspaces.get_by_id(space.id) is None
    finally:
        await store.close()


async def test_redis_on_a_closed_port_never_fails_a_call(
    cache_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    store = open_cached_store(MemoryStore(DIM), url, settings_for(cache_namespace, outage=True))
    caplog.set_level(logging.WARNING, logger="repokit.cache")
    try:
        saved = await store.documents.save(Document(title="t", content="c"))
        start = time.perf_counter()
        for _ in range(50):
            assert await store.documents.get_by_id(saved.id) == saved
        assert time.perf_counter() - start < 2.0
        stats = store.cache_stats()
        assert stats.errors >= 1
        assert stats.hits == 0
        outages = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(outages) == 1
    finally:
        await store.close()


async def test_redis_stopped_mid_run_and_started_again(
    private_redis: Any, cache_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="repokit.cache")
    store = open_cached_store(
        MemoryStore(DIM), private_redis.url, settings_for(cache_namespace, outage=True)
    )
    try:
        saved = await store.documents.save(Document(title="before", content="c"))
        await store.documents.get_by_id(saved.id)
        assert (await store.documents.get_by_id(saved.id)) == saved
        private_redis.stop()
        slowest = 0.0
        for n in range(30):
            start = time.perf_counter()
            assert await store.documents.get_by_id(saved.id) == saved
            saved = await store.documents.save(saved.model_copy(update={"content": str(n)}))
            slowest = max(slowest, time.perf_counter() - start)
        assert slowest < 1.0
        assert store.cache_stats().errors >= 1
        private_redis.start()
        await asyncio.sleep(0.4)  # past cache_retry_s: the next call probes Redis again
        hits = store.cache_stats().hits
        for _ in range(5):
            assert await store.documents.get_by_id(saved.id) == saved
        assert store.cache_stats().hits >= hits + 3
        messages = [r.getMessage() for r in caplog.records]
        assert sum("unavailable" in m for m in messages) == 1
        assert sum("reachable again" in m for m in messages) == 1
    finally:
        await store.close()


async def test_a_write_during_an_outage_is_invalidated_when_redis_answers_again(
    private_redis: Any, cache_namespace: str
) -> None:
    store = open_cached_store(
        MemoryStore(DIM), private_redis.url, settings_for(cache_namespace, outage=True)
    )
    try:
        saved = await store.documents.save(Document(title="cached", content="c"))
        await store.documents.get_by_id(saved.id)
        # Redis keeps its data but stops answering for a moment (a stall, not a restart).
        stall = await asyncio.create_subprocess_exec(
            "redis-cli",
            "-p",
            str(private_redis.port),
            "DEBUG",
            "SLEEP",
            "0.8",
            stdout=asyncio.subprocess.DEVNULL,
        )
        await asyncio.sleep(0.1)
        updated = await store.documents.save(saved.model_copy(update={"title": "written"}))
        await asyncio.wait_for(stall.wait(), 10)
        await asyncio.sleep(0.4)
        assert await store.documents.get_by_id(saved.id) == updated
    finally:
        await store.close()
