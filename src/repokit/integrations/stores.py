"""The two forms of one repokit store, as an integration holds them.

A framework object (LangChain's vector store, Haystack's document store) has sync
and async methods. :class:`StorePair` gives the sync ones a
``repokit.integrations.sync.records.RecordStore`` on the sync store
(``repokit.connect_sync``) and the async ones a
:class:`repokit.integrations.records.RecordStore` on the async store
(``repokit.connect``): each runs on its own drivers, no event loop is ever run in
a thread.

Opened from a URL, the sync store opens at the first sync call and the async store
at the first async call, on that call's event loop (an async store belongs to its
loop). Two URLs keep their data inside the store object, ``memory://`` and
``sqlite:///:memory:``: two stores opened on them would not share it, so there the
pair opens the sync store only and the async methods run its calls in a worker
thread (``asyncio.to_thread``). The same happens when only a sync store is given;
given only an async store, the sync methods raise ``CapabilityError``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError

import repokit
from repokit.domain.errors import CapabilityError, ConfigurationError
from repokit.domain.ports import StorePort
from repokit.domain.query import Filter
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.integrations.codec import Record
from repokit.integrations.policy import WritePolicy
from repokit.integrations.records import RecordStore
from repokit.integrations.sync.records import RecordStore as SyncRecordStore

STALE_CLOSE_TIMEOUT_S = 1.0
"""How long closing a store left behind by an ended event loop may take."""

MAX_EMBEDDING_DIM = 16_000
"""The largest ``embedding_dim`` repokit's settings accept."""


class AsyncRecords(Protocol):
    """What the async methods of an integration call: ``RecordStore``'s async API."""

    async def write(self, records: Sequence[Record], policy: WritePolicy) -> int: ...

    async def get(self, keys: Sequence[str], *, embeddings: bool = False) -> list[Record]: ...

    async def delete(self, keys: Sequence[str]) -> int: ...

    async def search(
        self, embedding: Sequence[float], *, k: int, where: Filter | None = None
    ) -> list[tuple[Record, float]]: ...

    async def find(
        self, where: Filter | None = None, *, embeddings: bool = False
    ) -> list[Record]: ...

    async def count(self, where: Filter | None = None) -> int: ...

    async def delete_where(self, where: Filter | None = None) -> int: ...


class ThreadedRecords:
    """The async API over a sync ``RecordStore``, each call in a worker thread.

    Used only where no async store can share the data (an in-process store, or a
    sync store given alone); the sync code runs in the thread, no event loop does.
    """

    def __init__(self, records: SyncRecordStore) -> None:
        self._records = records

    async def write(self, records: Sequence[Record], policy: WritePolicy) -> int:
        return await asyncio.to_thread(self._records.write, records, policy)

    async def get(self, keys: Sequence[str], *, embeddings: bool = False) -> list[Record]:
        return await asyncio.to_thread(self._records.get, keys, embeddings=embeddings)

    async def delete(self, keys: Sequence[str]) -> int:
        return await asyncio.to_thread(self._records.delete, keys)

    async def search(
        self, embedding: Sequence[float], *, k: int, where: Filter | None = None
    ) -> list[tuple[Record, float]]:
        return await asyncio.to_thread(self._records.search, embedding, k=k, where=where)

    async def find(self, where: Filter | None = None, *, embeddings: bool = False) -> list[Record]:
        return await asyncio.to_thread(self._records.find, where, embeddings=embeddings)

    async def count(self, where: Filter | None = None) -> int:
        return await asyncio.to_thread(self._records.count, where)

    async def delete_where(self, where: Filter | None = None) -> int:
        return await asyncio.to_thread(self._records.delete_where, where)


@dataclass(frozen=True, slots=True)
class Opener:
    """How a pair opens its stores: ``repokit.connect``/``connect_sync`` arguments."""

    url: str | None
    """The backend URL; None: ``REPOKIT_DATABASE_URL``, else the embedded PostgreSQL."""
    settings: repokit.Settings | None = None
    cache_url: str | None = None
    migrate: bool = True

    def open_sync(self) -> SyncStorePort:
        store = repokit.connect_sync(self.url, cache_url=self.cache_url, settings=self.settings)
        if self.migrate:
            store.migrate()
        return store

    async def open_async(self) -> StorePort:
        store = await repokit.connect(self.url, cache_url=self.cache_url, settings=self.settings)
        if self.migrate:
            await store.migrate()
        return store

    @property
    def shares_across_stores(self) -> bool:
        """False where the data lives in the store object (see :func:`in_process`)."""
        return self.url is None or not in_process(self.url)


class StorePair:
    """A repokit store in both forms: given, or opened by an :class:`Opener` when needed."""

    def __init__(
        self,
        *,
        store: StorePort | SyncStorePort | None = None,
        sync_store: SyncStorePort | None = None,
        opener: Opener | None = None,
        metric: str = "cosine",
        exact: bool = False,
    ) -> None:
        if isinstance(store, SyncStorePort):
            if sync_store is not None:
                raise ConfigurationError("store= is a sync store and sync_store= is set too")
            store, sync_store = None, store
        if store is not None and not isinstance(store, StorePort):
            raise ConfigurationError(f"store= takes a repokit store, not {type(store).__name__}")
        if sync_store is not None and not isinstance(sync_store, SyncStorePort):
            raise ConfigurationError(
                "sync_store= takes a store of repokit.connect_sync, "
                f"not {type(sync_store).__name__}"
            )
        if opener is not None and (store is not None or sync_store is not None):
            raise ConfigurationError("give either a URL or stores, not both")
        if opener is None and store is None and sync_store is None:
            raise ConfigurationError("give a store (store=, sync_store=) or open one from a URL")
        self.opener = opener
        self.metric = metric
        self.exact = exact
        self._async: StorePort | None = store
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._sync: SyncStorePort | None = sync_store
        self._sync_records: SyncRecordStore | None = None
        self._lock = threading.Lock()

    def records(self) -> SyncRecordStore:
        """The sync ``RecordStore``, opening the sync store on first use.

        Raises:
            CapabilityError: only an async store was given.
        """
        if self._sync_records is None:
            self._sync_records = SyncRecordStore(
                self.sync_store(), metric=self.metric, exact=self.exact
            )
        return self._sync_records

    def sync_store(self) -> SyncStorePort:
        """The sync store (opened on first use when the pair has an opener)."""
        with self._lock:
            if self._sync is None:
                if self.opener is None:
                    raise CapabilityError(
                        "this integration was given only an async store: its sync methods "
                        "need a sync one (sync_store=repokit.connect_sync(url)), or open it "
                        "from a URL"
                    )
                self._sync = self.opener.open_sync()
            return self._sync

    async def arecords(self) -> AsyncRecords:
        """The async ``RecordStore`` (see the module's docstring for when it is threaded)."""
        store = await self.async_store()
        if store is None:
            return ThreadedRecords(await asyncio.to_thread(self.records))
        return RecordStore(store, metric=self.metric, exact=self.exact)

    async def async_store(self) -> StorePort | None:
        """The async store, opened on this loop at first use; None where there is none."""
        if self.opener is None or not self.opener.shares_across_stores:
            return self._async
        loop = asyncio.get_running_loop()
        if self._async is not None and self._async_loop is not loop:
            if self._async_loop is not None and not self._async_loop.is_closed():
                raise ConfigurationError(
                    "the async store was opened on another event loop that is still open: "
                    "call aclose() there first, or use one loop"
                )
            stale, self._async = self._async, None
            await _close_stale(stale)
        if self._async is None:
            store = await self.opener.open_async()
            if self._async is not None:  # another task opened one meanwhile
                await store.close()
            else:
                self._async, self._async_loop = store, loop
        return self._async

    def close(self) -> None:
        """Close the sync store the pair opened (the async one needs :meth:`aclose`)."""
        if self.opener is not None and self._sync is not None:
            store, self._sync, self._sync_records = self._sync, None, None
            store.close()

    async def aclose(self) -> None:
        """Close every store the pair opened."""
        if self.opener is not None and self._async is not None:
            store, self._async = self._async, None
            if self._async_loop is asyncio.get_running_loop():
                await store.close()
            else:
                await _close_stale(store)
        await asyncio.to_thread(self.close)


async def _close_stale(store: StorePort) -> None:
    """Close a store whose event loop has ended, as far as that can be done from another.

    Its connections belonged to the old loop; a driver that cannot close them from
    here raises, and they go with the garbage collector.
    """
    try:
        await asyncio.wait_for(store.close(), timeout=STALE_CLOSE_TIMEOUT_S)
    except Exception:  # best effort: nothing better can be done with them
        return


def in_process(url: str) -> bool:
    """True for URLs whose data lives in the store object: ``memory://``, SQLite ``:memory:``."""
    scheme, _, rest = url.partition("://")
    return scheme.lower() == "memory" or (
        scheme.lower().startswith("sqlite") and rest.split("?")[0].endswith(":memory:")
    )


ONE_CHUNK_EXACT_MAX_ROWS = 1_000
"""``REPOKIT_HNSW_EXACT_MAX_ROWS`` of the integrations' stores, unless set.

Each framework document is a repokit document with one chunk, filtered by its
metadata. There PostgreSQL's exact form is a pass over the whole table whatever
the filter keeps, and the HNSW form is faster from about 5% of the chunks on
(``docs/integrations.md``): 1,000 of 20,000, where the default 4,000 suits
documents of many chunks."""


def settings_with(settings: repokit.Settings | None, embedding_dim: int | None) -> repokit.Settings:
    """``settings`` (or the environment's) as the integrations open a store with them:
    ``embedding_dim`` set when one is given, and :data:`ONE_CHUNK_EXACT_MAX_ROWS`
    unless ``hnsw_exact_max_rows`` was given.

    Raises:
        ConfigurationError: ``embedding_dim`` is out of range, or a ``REPOKIT_*``
            variable is malformed.
    """
    if embedding_dim is not None and not 1 <= embedding_dim <= MAX_EMBEDDING_DIM:
        raise ConfigurationError(
            f"embedding_dim must be between 1 and {MAX_EMBEDDING_DIM}, got {embedding_dim}"
        )
    if settings is None:
        try:
            settings = repokit.Settings()
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigurationError(f"invalid repokit settings: {problems}") from exc
    update: dict[str, object] = {}
    if embedding_dim is not None:
        update["embedding_dim"] = embedding_dim
    if "hnsw_exact_max_rows" not in settings.model_fields_set:
        update["hnsw_exact_max_rows"] = ONE_CHUNK_EXACT_MAX_ROWS
    return settings.model_copy(update=update) if update else settings


__all__ = [
    "ONE_CHUNK_EXACT_MAX_ROWS",
    "AsyncRecords",
    "Opener",
    "StorePair",
    "ThreadedRecords",
    "in_process",
    "settings_with",
]
