"""The DynamoDB document repository: save rules, listings, deletes; chunks and search delegate."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.paging import (
    KeysetPosition,
    Page,
    encode_cursor,
    validate_limit,
    validate_order_by,
    validate_window,
)
from repokit.domain.ports import DocumentRepositoryPort
from repokit.domain.query import Filter
from repokit.infrastructure.dynamodb.cascade import delete_document
from repokit.infrastructure.dynamodb.chunks import add_chunks, get_chunks
from repokit.infrastructure.dynamodb.items import live, position
from repokit.infrastructure.dynamodb.layout import document_attrs, document_key, workspace_key
from repokit.infrastructure.dynamodb.listing import documents_spec, matching_documents
from repokit.infrastructure.dynamodb.records import EntityKind, Scope, load, plan_save
from repokit.infrastructure.dynamodb.search import search_similar
from repokit.infrastructure.dynamodb.writes import PRESENT, Write, check
from repokit.infrastructure.memory.listing import (
    as_uuid,
    cursor_position,
    document_filter,
    offset_window,
)
from repokit.infrastructure.write_checks import reject_repeated_ids

DOCUMENT = EntityKind("document", Document, document_key, document_attrs)
_CURSOR_KIND = "documents"
_EPOCH = datetime.min.replace(tzinfo=UTC)


class DynamoDocumentRepository(DocumentRepositoryPort):
    """Documents and chunks in the single table; every search is exact."""

    def __init__(self, scope: Scope, embedding_dim: int) -> None:
        self._scope = scope
        self._embedding_dim = embedding_dim

    async def _writes(self, document: Document) -> tuple[Document, builtins.list[Write]]:
        row, writes, _ = await plan_save(self._scope, DOCUMENT, document)
        if row.workspace_id is not None:
            ws = row.workspace_id
            writes.append(check(workspace_key(ws), f"workspace {ws}", PRESENT))
        return row, writes

    async def save(self, document: Document) -> Document:
        """Insert or update one document; its workspace must exist."""
        row, writes = await self._writes(document)
        await self._scope.apply(writes)
        return row

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        """Save several documents in one transaction: all land or none does."""
        reject_repeated_ids("document", (document.id for document in documents))
        rows: builtins.list[Document] = []
        writes: dict[tuple[str, str], Write] = {}
        for document in documents:
            row, more = await self._writes(document)
            rows.append(row)
            for write in more:
                # One action per item: several documents of one workspace share its check.
                writes.setdefault(write.key, write)
        await self._scope.apply(builtins.list(writes.values()))
        return rows

    async def get_by_id(self, id: UUID) -> Document | None:
        """The document with this id, or None."""
        return await load(self._scope, DOCUMENT, id)

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
        order_by: str = "created_at",
        descending: bool = False,
    ) -> builtins.list[Document]:
        """An offset window ordered by ``order_by`` then id, both in the same direction.

        By ``created_at`` the index order is the listing order and reading stops
        at the window's end; by ``updated_at`` or ``title`` every matching
        document of the partition is read and sorted in-process.
        """
        validate_window(offset, limit)
        field = validate_order_by(order_by)
        node = document_filter(where, workspace_id=workspace_id)
        ws = None if workspace_id is None else as_uuid(workspace_id, "workspace_id")
        spec = documents_spec(ws, node, descending=descending and field == "created_at")
        if field == "created_at":
            window: builtins.list[Document] = []
            if limit == 0:
                return window
            skipped = 0
            async for document in matching_documents(self._scope, spec, node):
                if skipped < offset:
                    skipped += 1
                    continue
                window.append(document)
                if len(window) == limit:
                    break
            return window
        rows = [document async for document in matching_documents(self._scope, spec, node)]
        return offset_window(
            rows, lambda d: (getattr(d, field), d.id), offset, limit, descending=descending
        )

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
    ) -> Page[Document]:
        """A keyset page in (created_at, id) order; reads until ``limit + 1`` matches."""
        validate_limit(limit)
        after = cursor_position(_CURSOR_KIND, cursor)
        node = document_filter(where, workspace_id=workspace_id)
        ws = None if workspace_id is None else as_uuid(workspace_id, "workspace_id")
        start = None if after is None else position(after.at, after.id)
        spec = documents_spec(ws, node, after=start)
        items: builtins.list[Document] = []
        more = False
        async for document in matching_documents(self._scope, spec, node):
            if len(items) == limit:
                more = True
                break
            items.append(document)
        next_cursor = None
        if more:
            last = (
                KeysetPosition(items[-1].created_at, items[-1].id)
                if items
                else after or KeysetPosition(_EPOCH, UUID(int=0))
            )
            next_cursor = encode_cursor(_CURSOR_KIND, last)
        return Page[Document](items=items, next_cursor=next_cursor)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """How many documents match (read page by page, filtered in-process)."""
        node = document_filter(where, workspace_id=workspace_id)
        ws = None if workspace_id is None else as_uuid(workspace_id, "workspace_id")
        spec = documents_spec(ws, node)
        total = 0
        if node is None:
            # Nothing to evaluate: count the live items without decoding their bodies.
            async for item in self._scope.query(spec):
                total += live(item) is not None
            return total
        async for _ in matching_documents(self._scope, spec, node):
            total += 1
        return total

    async def delete(self, id: UUID) -> bool:
        """Delete a document, its body parts and its chunks; True if it existed."""
        return await delete_document(self._scope, id)

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """Store chunks of an existing document, all or none."""
        await add_chunks(self._scope, document_id, chunks, self._embedding_dim)

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """The document's chunks in ordinal order (empty when it has none)."""
        return await get_chunks(self._scope, document_id)

    async def search_similar(
        self,
        embedding: Sequence[float],
        *,
        k: int = 5,
        workspace_id: UUID | None = None,
        workspace_ids: Sequence[UUID] | None = None,
        where: Filter | None = None,
        metric: str = "cosine",
        exact: bool = False,
    ) -> builtins.list[ScoredChunk]:
        """The ``k`` best chunks by an exact, streamed scan; best first, ties by chunk id."""
        return await search_similar(
            self._scope,
            embedding,
            self._embedding_dim,
            k=k,
            workspace_id=workspace_id,
            workspace_ids=workspace_ids,
            where=where,
            metric=metric,
        )
