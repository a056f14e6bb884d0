"""The Firestore document repository: documents, their chunks, and exact vector search."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
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
from repokit.infrastructure.firestore.cascade import delete_document
from repokit.infrastructure.firestore.chunks import add_chunks, get_chunks
from repokit.infrastructure.firestore.queries import listing
from repokit.infrastructure.firestore.records import save_all
from repokit.infrastructure.firestore.scope import Reader, Scope, collection_path
from repokit.infrastructure.firestore.search import search_similar
from repokit.infrastructure.firestore.tables import CONTENT_PARTS, DOCUMENTS
from repokit.infrastructure.memory.listing import as_uuid, cursor_position, document_filter

_CURSOR_KIND = "documents"


class FirestoreDocumentRepository(DocumentRepositoryPort):
    """Documents in the ``documents`` collection, chunks in each one's ``chunks``."""

    def __init__(self, scope: Scope, embedding_dim: int) -> None:
        self._scope = scope
        self._embedding_dim = embedding_dim

    def _collection(self) -> object:
        return self._scope.client.db.collection(DOCUMENTS.name)

    async def save(self, document: Document) -> Document:
        """Insert or update one document (see the ``save`` rules)."""
        saved = await self._scope.run(lambda step: save_all(step, DOCUMENTS, [document]))
        return saved[0]

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        """Save several documents atomically: all land or none does."""
        batch = list(documents)
        if not batch:
            return []
        return await self._scope.run(lambda step: save_all(step, DOCUMENTS, batch))

    async def get_by_id(self, id: UUID) -> Document | None:
        """The document with this id, or None."""
        key = as_uuid(id, "id")
        ref = self._scope.client.db.collection(DOCUMENTS.name).document(str(key))
        reader = self._scope.reader()
        data = await reader.get(ref)
        if data is None:
            return None
        decode, parts = _decoder()
        return (await _whole(reader, [decode(data)], parts))[0]

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
        """An offset window ordered by ``order_by`` then id, both in the same direction."""
        validate_window(offset, limit)
        field = validate_order_by(order_by)
        node = document_filter(where, workspace_id=workspace_id)
        reader = self._scope.reader()
        decode, parts = _decoder()
        rows = await reader.select(
            listing(
                self._collection(),
                DOCUMENTS.codec,
                node,
                order=field,
                order_value=lambda document: getattr(document, field),
                descending=descending,
                decode=decode,
            ),
            offset + limit,
        )
        return await _whole(reader, rows[offset:], parts)

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
    ) -> Page[Document]:
        """A keyset page in (created_at, id) order."""
        validate_limit(limit)
        after = cursor_position(_CURSOR_KIND, cursor)
        node = document_filter(where, workspace_id=workspace_id)
        reader = self._scope.reader()
        decode, parts = _decoder()
        rows = await reader.select(
            listing(
                self._collection(),
                DOCUMENTS.codec,
                node,
                order="created_at",
                order_value=lambda document: document.created_at,
                after=None if after is None else (after.at, after.id),
                decode=decode,
            ),
            limit + 1,
        )
        items = await _whole(reader, rows[:limit], parts)
        next_cursor = None
        if len(rows) > limit:
            last = (
                KeysetPosition(items[-1].created_at, items[-1].id) if items else (after or _START)
            )
            next_cursor = encode_cursor(_CURSOR_KIND, last)
        return Page[Document](items=items, next_cursor=next_cursor)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """How many documents match."""
        node = document_filter(where, workspace_id=workspace_id)
        return await self._scope.reader().count(
            listing(self._collection(), DOCUMENTS.codec, node, order=None, order_value=_none)
        )

    async def delete(self, id: UUID) -> bool:
        """Delete a document and its chunks; True if it existed."""
        key = as_uuid(id, "id")
        return await delete_document(self._scope, DOCUMENTS.name, DOCUMENTS.noun, str(key))

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """Store chunks of an existing document, all or none, embeddings rounded to float32."""
        await add_chunks(
            self._scope, as_uuid(document_id, "document_id"), chunks, self._embedding_dim
        )

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """The document's chunks in ordinal order (empty when it has none)."""
        return await get_chunks(self._scope.reader(), as_uuid(document_id, "document_id"))

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
        """The ``k`` chunks most similar to ``embedding``, best first (always exact)."""
        return await search_similar(
            self._scope.reader(),
            embedding,
            self._embedding_dim,
            k=k,
            workspace_id=workspace_id,
            workspace_ids=workspace_ids,
            where=where,
            metric=metric,
        )


def _none(_document: Document) -> None:
    return None


def _decoder() -> tuple[Callable[[dict[str, Any]], Document], dict[int, int]]:
    """A decoder of documents that notes which ones have their text in parts
    (by object id, for this call only) and the notes."""
    parts: dict[int, int] = {}

    def decode(data: dict[str, Any]) -> Document:
        document = DOCUMENTS.codec.decode(data)
        count = data.get("content_parts") or 0
        if count:
            parts[id(document)] = count
        return document

    return decode, parts


async def _whole(
    reader: Reader, documents: builtins.list[Document], parts: dict[int, int]
) -> builtins.list[Document]:
    """``documents`` with the text parts of those :func:`_decoder` noted read back in."""
    if not parts:
        return documents
    whole: list[Document] = []
    for document in documents:
        count = parts.get(id(document), 0)
        if count:
            ref = reader.client.db.collection(DOCUMENTS.name).document(str(document.id))
            sub = ref.collection(CONTENT_PARTS)
            stored = await reader.documents(sub, collection_path(sub), lambda _data: True)
            stored.sort(key=lambda pair: pair[0].id)
            rest = "".join(fields["text"] for _, fields in stored[:count])
            document = document.model_copy(update={"content": document.content + rest})
        whole.append(document)
    return whole


_START = KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))

__all__ = ["FirestoreDocumentRepository"]
