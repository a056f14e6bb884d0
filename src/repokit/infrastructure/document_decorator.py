"""A documents repository in front of another one: every call passes straight through.

The cache (``cache.repositories.CachedDocumentRepository``) and the search monitor
(``search_monitor.MonitoredDocuments``) each change a few calls of the backend's
``documents`` repository; this base passes every call to ``inner`` unchanged, so
each of them writes only what it changes. Driver-free, so the sync twin is generated.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from uuid import UUID

from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.paging import Page
from repokit.domain.ports import DocumentRepositoryPort
from repokit.domain.query import Filter
from repokit.domain.search_stats import SearchStats
from repokit.domain.search_tuning import SearchTuning


class DocumentRepositoryDecorator(DocumentRepositoryPort):
    """Every call goes to ``inner``; a subclass overrides the calls it changes."""

    def __init__(self, inner: DocumentRepositoryPort) -> None:
        self.inner = inner
        """The repository behind this one."""

    async def save(self, document: Document) -> Document:
        """``inner.save``."""
        return await self.inner.save(document)

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        """``inner.save_many``."""
        return await self.inner.save_many(documents)

    async def get_by_id(self, id: UUID) -> Document | None:
        """``inner.get_by_id``."""
        return await self.inner.get_by_id(id)

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
        """``inner.list``."""
        return await self.inner.list(
            offset,
            limit,
            workspace_id=workspace_id,
            where=where,
            order_by=order_by,
            descending=descending,
        )

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
    ) -> Page[Document]:
        """``inner.page``."""
        return await self.inner.page(limit, cursor, workspace_id=workspace_id, where=where)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """``inner.count``."""
        return await self.inner.count(workspace_id=workspace_id, where=where)

    async def delete(self, id: UUID) -> bool:
        """``inner.delete``."""
        return await self.inner.delete(id)

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """``inner.add_chunks``."""
        await self.inner.add_chunks(document_id, chunks)

    async def bulk_load_chunks(
        self,
        chunks: Sequence[Chunk],
        *,
        progress: Callable[[int], None] | None = None,
        statement_timeout_s: float | None = None,
    ) -> int:
        """``inner.bulk_load_chunks``."""
        return await self.inner.bulk_load_chunks(
            chunks, progress=progress, statement_timeout_s=statement_timeout_s
        )

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """``inner.get_chunks``."""
        return await self.inner.get_chunks(document_id)

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
        """``inner.search_similar``."""
        return await self.inner.search_similar(
            embedding,
            k=k,
            workspace_id=workspace_id,
            workspace_ids=workspace_ids,
            where=where,
            metric=metric,
            exact=exact,
        )

    async def tune_search(
        self,
        queries: Sequence[Sequence[float]] | None = None,
        *,
        target_recall: float | None = None,
        check: bool = False,
    ) -> SearchTuning:
        """``inner.tune_search``."""
        return await self.inner.tune_search(queries, target_recall=target_recall, check=check)

    def search_stats(self) -> SearchStats:
        """``inner.search_stats``."""
        return self.inner.search_stats()


__all__ = ["DocumentRepositoryDecorator"]
