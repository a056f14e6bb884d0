"""The in-memory document repository: documents, their chunks, and exact vector search."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from uuid import UUID

from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.errors import InvalidQueryError, NotFoundError
from repokit.domain.paging import Page, validate_limit, validate_order_by, validate_window
from repokit.domain.ports import DocumentRepositoryPort
from repokit.domain.query import Filter
from repokit.domain.vectors import (
    similarity,
    validate_embedding,
    validate_k,
    validate_metric,
    validate_query,
)
from repokit.infrastructure.memory.listing import (
    cursor_position,
    document_filter,
    keyset_window,
    offset_window,
    select,
)
from repokit.infrastructure.memory.rows import (
    delete_row,
    get_entity,
    put_row,
    save_all,
    save_versioned,
    to_entity,
    to_row,
)
from repokit.infrastructure.memory.schema import CHUNKS, DOCUMENTS
from repokit.infrastructure.memory.transaction import TransactionScope

_CURSOR_KIND = "documents"


class MemoryDocumentRepository(DocumentRepositoryPort):
    """Documents and chunks held in memory; every search is exact."""

    def __init__(self, scope: TransactionScope, embedding_dim: int) -> None:
        self._scope = scope
        self._embedding_dim = embedding_dim

    async def save(self, document: Document) -> Document:
        """Insert or update one document (see the ``save`` rules)."""
        with self._scope.transaction() as transaction:
            return save_versioned(transaction, DOCUMENTS, document)

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        """Save several documents in one statement: all land or none does."""
        with self._scope.transaction() as transaction:
            return save_all(transaction, DOCUMENTS, documents)

    async def get_by_id(self, id: UUID) -> Document | None:
        """The document with this id, or None."""
        with self._scope.transaction() as transaction:
            return get_entity(transaction, DOCUMENTS, id)

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
        with self._scope.transaction() as transaction:
            validate_window(offset, limit)
            field = validate_order_by(order_by)
            node = document_filter(where, workspace_id=workspace_id)
            rows = select(transaction.rows(DOCUMENTS).values(), node)
            window = offset_window(
                rows,
                lambda document: (getattr(document, field), document.id),
                offset,
                limit,
                descending=descending,
            )
            return [to_entity(document) for document in window]

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
    ) -> Page[Document]:
        """A keyset page in (created_at, id) order."""
        with self._scope.transaction() as transaction:
            validate_limit(limit)
            after = cursor_position(_CURSOR_KIND, cursor)
            node = document_filter(where, workspace_id=workspace_id)
            items, next_cursor = keyset_window(
                select(transaction.rows(DOCUMENTS).values(), node),
                lambda document: (document.created_at, document.id),
                kind=_CURSOR_KIND,
                limit=limit,
                after=after,
            )
            return Page[Document](items=items, next_cursor=next_cursor)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """How many documents match."""
        with self._scope.transaction() as transaction:
            node = document_filter(where, workspace_id=workspace_id)
            return len(select(transaction.rows(DOCUMENTS).values(), node))

    async def delete(self, id: UUID) -> bool:
        """Delete a document and its chunks; True if it existed."""
        with self._scope.transaction() as transaction:
            return delete_row(transaction, DOCUMENTS, id)

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """Store chunks of an existing document, all or none, embeddings rounded to float32."""
        with self._scope.transaction() as transaction:
            rows = [self._chunk_row(document_id, chunk) for chunk in chunks]
            if document_id not in transaction.rows(DOCUMENTS):
                raise NotFoundError(f"document {document_id} does not exist")
            if not rows:
                return
            stored = transaction.rows(CHUNKS).get(document_id, ())
            merged = tuple(sorted((*stored, *rows), key=lambda chunk: chunk.ordinal))
            # The schema's unique constraints reject a repeated chunk id or ordinal.
            put_row(transaction, CHUNKS, document_id, merged)

    def _chunk_row(self, document_id: UUID, chunk: Chunk) -> Chunk:
        if chunk.document_id != document_id:
            raise InvalidQueryError(
                f"chunk {chunk.id} belongs to document {chunk.document_id}, not {document_id}"
            )
        embedding = validate_embedding(
            chunk.embedding, self._embedding_dim, what=f"embedding of chunk {chunk.id}"
        )
        return to_row(chunk).model_copy(update={"embedding": embedding})

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """The document's chunks in ordinal order (empty when it has none)."""
        with self._scope.transaction() as transaction:
            return [to_entity(chunk) for chunk in transaction.rows(CHUNKS).get(document_id, ())]

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
        """The ``k`` best chunks by exact scan, best first, ties by chunk id.

        ``exact`` changes nothing here: there is no approximate index to bypass.
        """
        with self._scope.transaction() as transaction:
            chosen = validate_metric(metric)
            query = validate_query(embedding, self._embedding_dim, chosen)
            k = validate_k(k)
            node = document_filter(where, workspace_id=workspace_id, workspace_ids=workspace_ids)
            chunks = transaction.rows(CHUNKS)
            hits = [
                (similarity(chosen, query, chunk.embedding), chunk)
                for document in select(transaction.rows(DOCUMENTS).values(), node)
                for chunk in chunks.get(document.id, ())
            ]
            hits.sort(key=lambda hit: (-hit[0], hit[1].id))
            return [ScoredChunk(chunk=to_entity(chunk), score=score) for score, chunk in hits[:k]]
