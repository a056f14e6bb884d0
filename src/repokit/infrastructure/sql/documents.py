"""Documents and their chunks on SQL."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, select

from repokit.domain.clock import utc_now
from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.errors import InvalidQueryError, NotFoundError
from repokit.domain.paging import KeysetPosition, Page, validate_limit, validate_order_by
from repokit.domain.ports import DocumentRepositoryPort
from repokit.domain.query import Filter, parse_filter
from repokit.domain.search_tuning import SearchTuning, validate_target_recall
from repokit.domain.vectors import validate_k, validate_metric
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.chunks import add_chunks, bulk_load_chunks, get_chunks
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.paging import keyset_page, make_page
from repokit.infrastructure.sql.repository import VersionedSqlRepository, as_uuid
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.sql.search_tuning import tune_pgvector_search
from repokit.infrastructure.sql.vector_postgres import pgvector_search
from repokit.infrastructure.sql.vector_search import exact_search
from repokit.infrastructure.vector_scoring import ExactScorer

PAGE_KIND = "documents"


class SqlDocumentRepository(VersionedSqlRepository[Document], DocumentRepositoryPort):
    """Documents with filters, offset and keyset listings, chunks and exact vector search."""

    noun = "document"

    def __init__(self, scope: Scope, catalog: Catalog, embedding_dim: int) -> None:
        super().__init__(scope, catalog.documents)
        self._catalog = catalog
        self._dim = embedding_dim
        self._search_statements = catalog.search_statements
        self._target_recall = catalog.target_recall

    # -- save rules ------------------------------------------------------------------

    def _stamp(self) -> dict[str, Any]:
        return {"updated_at": utc_now()}

    def _errors(self, entity: Document) -> ErrorContext:
        workspace_id = entity.workspace_id
        return ErrorContext(
            duplicate=f"document {entity.id} already exists",
            foreign_key=lambda: NotFoundError(f"workspace {workspace_id} not found"),
        )

    def _batch_errors(self, entities: Sequence[Document]) -> ErrorContext:
        return ErrorContext(
            duplicate="a document of the batch already exists",
            foreign_key=lambda: NotFoundError("a workspace named by the batch was not found"),
        )

    async def save(self, document: Document) -> Document:
        """Insert (version 0) or update (version n, stored as n + 1) a document."""
        return await super().save(document)

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        """Save several documents atomically."""
        return await super().save_many(documents)

    async def get_by_id(self, id: UUID) -> Document | None:
        """The document with this id, or None."""
        return await super().get_by_id(id)

    async def delete(self, id: UUID) -> bool:
        """Delete a document; its chunks go with it (ON DELETE CASCADE)."""
        return await super().delete(id)

    # -- listings ----------------------------------------------------------------------

    def _conditions(
        self, workspace_id: UUID | None, where: Filter | None
    ) -> list[ColumnElement[bool]]:
        # Parse first: a rejected filter must fail before anything is read.
        node = parse_filter(where)
        conditions: list[ColumnElement[bool]] = []
        if workspace_id is not None:
            conditions.append(
                tables.documents.c.workspace_id == as_uuid(workspace_id, "workspace_id")
            )
        compiled = self._catalog.document_filters.compile(node)
        if compiled is not None:
            conditions.append(compiled)
        return conditions

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
        column = self._catalog.order_column(tables.documents.c[validate_order_by(order_by)])
        key = tables.documents.c.id
        order = (column.desc(), key.desc()) if descending else (column.asc(), key.asc())
        conditions = self._conditions(workspace_id, where)
        return await self._window(offset, limit, where=_all(conditions), order_by=order)

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
        documents = tables.documents
        statement = select(documents).where(*self._conditions(workspace_id, where))
        statement, after = keyset_page(
            statement,
            documents.c.created_at,
            documents.c.id,
            kind=PAGE_KIND,
            cursor=cursor,
            limit=limit,
        )
        async with self._scope.read() as connection:
            rows = (await connection.run(statement)).all()
        items = [self._mapping.from_row(row) for row in rows]
        return make_page(items, limit=limit, kind=PAGE_KIND, position=_position, after=after)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """How many documents match."""
        statement = select(func.count()).select_from(tables.documents)
        statement = statement.where(*self._conditions(workspace_id, where))
        async with self._scope.read() as connection:
            return int((await connection.run(statement)).scalar_one())

    # -- chunks and search -------------------------------------------------------------

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """Store chunks of an existing document, all or none."""
        await add_chunks(self._scope, self._catalog, self._dim, as_uuid(document_id), chunks)

    async def bulk_load_chunks(
        self,
        chunks: Sequence[Chunk],
        *,
        progress: Callable[[int], None] | None = None,
        statement_timeout_s: float | None = None,
    ) -> int:
        """Store the chunks of many documents (see the port).

        PostgreSQL, outside a unit of work: everything in one transaction with
        ``COPY``, and on an empty chunks table the HNSW index is built once after the
        load (see docs/backends.md, "Bulk loading"); ``statement_timeout_s`` (this
        path only) replaces the store's statement timeout for the load's statements,
        ``0`` for none, so a very large load and its index build are not cancelled.
        Elsewhere: the port's default, one ``add_chunks`` per document, under the
        store's limits.
        """
        if self._search_statements is None or self._scope.in_unit:
            return await super().bulk_load_chunks(chunks, progress=progress)
        return await bulk_load_chunks(
            self._scope, self._catalog, self._dim, chunks, progress, statement_timeout_s
        )

    async def tune_search(
        self,
        queries: Sequence[Sequence[float]] | None = None,
        *,
        target_recall: float | None = None,
        check: bool = False,
    ) -> SearchTuning:
        """PostgreSQL: measure recall per ``hnsw.ef_search`` and store the fastest that
        meets the target, or with ``check`` measure the setting in force only (see
        :mod:`.search_tuning`); SQLite: exact, recall 1.0."""
        if self._search_statements is None:
            return await super().tune_search(queries, target_recall=target_recall, check=check)
        target = validate_target_recall(
            self._target_recall if target_recall is None else target_recall
        )
        if queries is not None:
            for vector in queries:
                ExactScorer("cosine", vector, self._dim)  # rejects a bad query up front
        return await tune_pgvector_search(
            self._scope, self._search_statements, self._dim, queries, target, check=check
        )

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """The document's chunks by ordinal."""
        return await get_chunks(self._scope, self._catalog, as_uuid(document_id))

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
        """The ``k`` most similar chunks, best first (SQLite: always exact; PostgreSQL:
        HNSW for cosine unless ``exact``; see docs/backends.md)."""
        checked_metric = validate_metric(metric)
        validate_k(k)
        scorer = ExactScorer(checked_metric, embedding, self._dim)
        wanted: builtins.list[UUID] | None = None
        if workspace_ids is not None:
            if isinstance(workspace_ids, str | bytes):
                raise InvalidQueryError("workspace_ids must be a list of UUIDs")
            wanted = [as_uuid(value, "workspace_ids") for value in workspace_ids]
        if self._search_statements is not None:  # PostgreSQL: pgvector
            node = parse_filter(where)  # rejected filters fail before anything is read
            if wanted is not None and not wanted:
                return []
            return await pgvector_search(
                self._scope,
                self._catalog,
                self._search_statements,
                scorer,
                k,
                node=node,
                workspace_id=None if workspace_id is None else as_uuid(workspace_id),
                workspace_ids=wanted,
                exact=exact,
            )
        conditions = self._conditions(workspace_id, where)
        if wanted is not None:
            if not wanted:
                return []
            conditions.append(tables.documents.c.workspace_id.in_(wanted))
        return await exact_search(self._scope, self._catalog, scorer, k, conditions)


def _all(conditions: builtins.list[ColumnElement[bool]]) -> ColumnElement[bool] | None:
    from sqlalchemy import and_

    return and_(*conditions) if conditions else None


def _position(document: Document) -> KeysetPosition:
    return KeysetPosition(document.created_at, document.id)


__all__ = ["PAGE_KIND", "SqlDocumentRepository"]
