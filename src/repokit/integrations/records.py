"""Records (framework documents) on a repokit store: write, read, search, delete.

Both integrations keep their documents through :class:`RecordStore`. This is the
async source; ``repokit.integrations.sync.records`` is its generated twin on the
sync store (``repokit.connect_sync``), so the sync methods of the frameworks run
on the sync drivers in the caller's thread.

Writes take the fast path first: ``save_many`` of the batch's documents (binary
``COPY`` on PostgreSQL), then one ``bulk_load_chunks`` for all their chunks (on
PostgreSQL into an empty table: ``COPY`` and one ``CREATE INDEX``). Only a batch
that meets a stored key goes record by record (read, then replace in a unit of
work where the backend has transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from repokit.domain.entities import Chunk, Document
from repokit.domain.errors import CapabilityError, DuplicateError
from repokit.domain.ports import StorePort
from repokit.domain.query import Filter
from repokit.integrations.codec import (
    Record,
    StoredRecord,
    from_document,
    from_hit,
    key_uuid,
    to_entities,
)
from repokit.integrations.policy import WritePolicy, unique_records

BATCH_DOCUMENTS = 1000
"""Documents per ``save_many`` on a backend without a per-unit write limit."""

PAGE = 1000
"""Documents read per page when a filter lists or deletes."""


class RecordStore:
    """A repokit store seen as a keyed collection of records with vector search."""

    def __init__(self, store: StorePort, *, metric: str = "cosine", exact: bool = False) -> None:
        self.store = store
        self.metric = metric
        self.exact = exact

    async def write(self, records: Sequence[Record], policy: WritePolicy) -> int:
        """Store ``records``; returns how many were written (skipped ones are not).

        Every record is checked before anything is written. A batch of new keys is
        atomic per group of documents (``BATCH_DOCUMENTS``, or a quarter of the
        backend's ``max_unit_writes``); a failure while loading the chunks removes the
        documents this call inserted.

        Raises:
            DuplicateError: under ``WritePolicy.FAIL``, for a stored or repeated key.
            InvalidQueryError: a record cannot be stored (see ``codec.to_entities``).
        """
        stored = [
            to_entities(record, self.store.embedding_dim)
            for record in unique_records(records, policy)
        ]
        written = 0
        fresh: list[StoredRecord] = []
        try:
            for group in _groups(stored, self._group_size()):
                try:
                    await self.store.documents.save_many([item.document for item in group])
                except DuplicateError:
                    if policy is WritePolicy.FAIL:
                        raise
                    written += await self._write_each(group, policy)
                except CapabilityError:  # more than one atomic write may hold
                    written += await self._write_each(group, policy)
                else:
                    fresh.extend(group)
                    written += len(group)
        finally:
            await self._load_chunks(fresh)
        return written

    async def get(self, keys: Sequence[str], *, embeddings: bool = False) -> list[Record]:
        """The stored records of ``keys`` (missing ones left out, each key once)."""
        found: list[Record] = []
        for key in dict.fromkeys(keys):
            document = await self.store.documents.get_by_id(key_uuid(key))
            if document is not None:
                found.append(await self._record(document, embeddings))
        return found

    async def delete(self, keys: Sequence[str]) -> int:
        """Delete the records of ``keys``; returns how many existed."""
        deleted = 0
        for key in dict.fromkeys(keys):
            deleted += await self.store.documents.delete(key_uuid(key))
        return deleted

    async def search(
        self, embedding: Sequence[float], *, k: int, where: Filter | None = None
    ) -> list[tuple[Record, float]]:
        """The ``k`` records most similar to ``embedding`` with their scores, best first."""
        hits = await self.store.documents.search_similar(
            embedding, k=k, where=where, metric=self.metric, exact=self.exact
        )
        return [from_hit(hit) for hit in hits]

    async def find(self, where: Filter | None = None, *, embeddings: bool = False) -> list[Record]:
        """Every record matching ``where``, in (created_at, id) order."""
        return [
            await self._record(document, embeddings) for document in await self._documents(where)
        ]

    async def count(self, where: Filter | None = None) -> int:
        """How many records match ``where``."""
        return await self.store.documents.count(where=where)

    async def delete_where(self, where: Filter | None = None) -> int:
        """Delete every record matching ``where``; returns how many there were."""
        deleted = 0
        for document in await self._documents(where):
            deleted += await self.store.documents.delete(document.id)
        return deleted

    async def _documents(self, where: Filter | None) -> list[Document]:
        documents: list[Document] = []
        cursor: str | None = None
        while True:
            page = await self.store.documents.page(PAGE, cursor, where=where)
            documents.extend(page.items)
            if page.next_cursor is None:
                return documents
            cursor = page.next_cursor

    async def _record(self, document: Document, embeddings: bool) -> Record:
        embedding = None
        if embeddings:
            chunks = await self.store.documents.get_chunks(document.id)
            embedding = chunks[0].embedding if chunks else None
        return from_document(document, embedding)

    async def _write_each(self, group: Sequence[StoredRecord], policy: WritePolicy) -> int:
        """The slow path: one record at a time, each checked against what is stored."""
        written = 0
        for item in group:
            exists = await self.store.documents.get_by_id(item.document.id) is not None
            if exists and policy is WritePolicy.SKIP:
                continue
            if exists and policy is WritePolicy.FAIL:
                raise DuplicateError(f"id {item.document.title!r} is already stored")
            await self._replace(item, exists)
            written += 1
        return written

    async def _replace(self, item: StoredRecord, exists: bool) -> None:
        """Insert ``item``, deleting the stored record first (its chunk has no update)."""
        chunks = [item.chunk] if item.chunk is not None else []
        if self.store.capabilities.transactions:
            async with self.store.unit_of_work() as uow:
                if exists:
                    await uow.documents.delete(item.document.id)
                await uow.documents.save(item.document)
                if chunks:
                    await uow.documents.add_chunks(item.document.id, chunks)
            return
        # No transactions (a standalone MongoDB): in order, undoing the insert on failure.
        if exists:
            await self.store.documents.delete(item.document.id)
        await self.store.documents.save(item.document)
        if chunks:
            try:
                await self.store.documents.add_chunks(item.document.id, chunks)
            except BaseException:
                await self.store.documents.delete(item.document.id)
                raise

    async def _load_chunks(self, fresh: Sequence[StoredRecord]) -> None:
        """One bulk load for the chunks of every document the fast path inserted."""
        chunks: list[Chunk] = [item.chunk for item in fresh if item.chunk is not None]
        if not chunks:
            return
        try:
            await self.store.documents.bulk_load_chunks(chunks)
        except BaseException:
            await self._forget([item.document.id for item in fresh])
            raise

    async def _forget(self, ids: Sequence[UUID]) -> None:
        for id_ in ids:
            await self.store.documents.delete(id_)

    def _group_size(self) -> int:
        limit = self.store.capabilities.max_unit_writes
        return BATCH_DOCUMENTS if limit is None else max(1, limit // 4)


def _groups(items: Sequence[StoredRecord], size: int) -> list[Sequence[StoredRecord]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


__all__ = ["BATCH_DOCUMENTS", "PAGE", "RecordStore"]
