"""The MongoDB document repository: documents, their chunks, and vector search."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from repokit.domain.clock import utc_now
from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.errors import InvalidQueryError, NotFoundError
from repokit.domain.paging import KeysetPosition, Page, validate_limit, validate_order_by
from repokit.domain.ports import DocumentRepositoryPort
from repokit.domain.query import Filter, parse_filter
from repokit.infrastructure.mongo.chunks import chunk_docs, insert_chunks
from repokit.infrastructure.mongo.client import Session
from repokit.infrastructure.mongo.codec import CHUNKS, DOCUMENTS
from repokit.infrastructure.mongo.errors import ErrorContext
from repokit.infrastructure.mongo.filters import MATCH_NONE, compile_filter
from repokit.infrastructure.mongo.paging import after, and_, cursor_position, page_items
from repokit.infrastructure.mongo.repository import (
    Sort,
    VersionedMongoRepository,
    as_uuid,
    find_all,
    key,
)
from repokit.infrastructure.mongo.scopes import Scope
from repokit.infrastructure.mongo.search import SearchRequest, search_chunks

_CURSOR_KIND = "documents"


def documents_query(
    where: Filter | None,
    *,
    workspace_id: UUID | None = None,
    workspace_ids: Sequence[UUID] | None = None,
) -> dict[str, Any]:
    """The query selecting documents: ``where`` and the workspace arguments, with AND.

    Raises:
        InvalidQueryError: a malformed filter or workspace argument.
    """
    clauses: list[dict[str, Any]] = [compile_filter(parse_filter(where))]
    if workspace_id is not None:
        clauses.append({"workspace_id": key(workspace_id, "workspace_id")})
    if workspace_ids is not None:
        if isinstance(workspace_ids, str | bytes):
            raise InvalidQueryError("workspace_ids must be a list of UUIDs")
        wanted = [key(value, "workspace_ids item") for value in workspace_ids]
        clauses.append({"workspace_id": {"$in": wanted}} if wanted else MATCH_NONE)
    return and_(*clauses)


PAGE_SORT: Sort = [("created_at", 1), ("_id", 1)]
"""The keyset order of document pages (served by ``ix_documents_created`` / ``_workspace``)."""


def page_query(
    where: Filter | None, *, workspace_id: UUID | None, start: KeysetPosition | None
) -> dict[str, Any]:
    """The query of a keyset page: the documents after ``start`` that match."""
    return and_(documents_query(where, workspace_id=workspace_id), after("created_at", start))


class MongoDocumentRepository(VersionedMongoRepository[Document], DocumentRepositoryPort):
    """Documents in ``documents``, chunks in ``chunks``; see :mod:`.search` for search."""

    def __init__(self, scope: Scope, *, vector_index: bool) -> None:
        super().__init__(scope, DOCUMENTS)
        self._chunks = self.collection(CHUNKS.collection)
        self._workspaces = self.collection("workspaces")
        self._vector_index = vector_index

    def _stamp(self) -> dict[str, Any]:
        return {"updated_at": utc_now()}

    async def _check_references(self, entity: Document, session: Session | None) -> None:
        workspace_id = entity.workspace_id
        if workspace_id is not None and not await self._exists(
            self._workspaces, str(workspace_id), session
        ):
            raise NotFoundError(f"workspace {workspace_id} does not exist")

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
        field = validate_order_by(order_by)
        query = documents_query(where, workspace_id=workspace_id)
        direction = -1 if descending else 1
        return await self._window(query, offset, limit, [(field, direction), ("_id", direction)])

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
        start = cursor_position(_CURSOR_KIND, cursor)
        query = page_query(where, workspace_id=workspace_id, start=start)
        async with self._scope.read() as session:
            docs = await find_all(self._collection, query, session, sort=PAGE_SORT, limit=limit + 1)
        items, next_cursor = page_items(
            docs, "created_at", kind=_CURSOR_KIND, limit=limit, start=start, decode=DOCUMENTS.decode
        )
        return Page[Document](items=items, next_cursor=next_cursor)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """How many documents match."""
        query = documents_query(where, workspace_id=workspace_id)
        async with self._scope.read() as session:
            return await self._collection.count_documents(query, session=session)

    async def delete(self, id: UUID) -> bool:
        """Delete a document and its chunks (chunks first); True if it existed."""
        wanted = key(id)
        async with self._scope.write(atomic=True) as session:
            await self._chunks.delete_many({"document_id": wanted}, session=session)
            result = await self._collection.delete_one({"_id": wanted}, session=session)
        return result.deleted_count > 0

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """Store chunks of an existing document, all or none, embeddings rounded to float32."""
        owner = key(document_id, "document_id")
        docs = chunk_docs(
            as_uuid(document_id, "document_id"), chunks, self._scope.database.embedding_dim
        )
        context = ErrorContext(
            duplicate="a chunk id or (document_id, ordinal) of the batch is already stored",
        )
        async with self._scope.write(context, atomic=True) as session:
            if not await self._exists(self._collection, owner, session):
                raise NotFoundError(f"document {document_id} does not exist")
            await insert_chunks(self._chunks, docs, session, in_unit=self._scope.in_unit)

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """The document's chunks in ordinal order (empty when it has none)."""
        owner = key(document_id, "document_id")
        async with self._scope.read() as session:
            docs = await find_all(
                self._chunks, {"document_id": owner}, session, sort=[("ordinal", 1)]
            )
        return [CHUNKS.decode(doc) for doc in docs]

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
        """The ``k`` most similar chunks, best first, ties by chunk id."""
        request = SearchRequest.checked(
            embedding,
            dim=self._scope.database.embedding_dim,
            k=k,
            metric=metric,
            exact=exact or not self._vector_index,
        )
        query = documents_query(where, workspace_id=workspace_id, workspace_ids=workspace_ids)
        async with self._scope.read() as session:
            return await search_chunks(self._collection, self._chunks, query, request, session)
