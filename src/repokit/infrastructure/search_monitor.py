"""``store.search_stats()`` for every backend: the store's documents, monitored.

:func:`monitor_searches` puts :class:`MonitoredDocuments` in front of a store's
``documents`` repository. It is applied once, by ``repokit.connect`` (and
``connect_sync``) after the cache, if any, so every backend (built-in or
plugin, cached or not) is monitored by this one class and no adapter carries
code for it. Every call passes straight through; ``search_similar`` is also
counted (:class:`~repokit.infrastructure.recall_monitor.RecallMonitor`), and a
sampled one is re-run with ``exact=True`` by :class:`RecallChecks` (a
background task here; deferred to ``search_stats()`` in the sync twin), so the
caller never waits for it. The exact re-run is the backend's own exact path.

Searches inside a unit of work (``uow.documents``) are not counted: a unit is
short-lived and its reads may see writes nobody else sees yet.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.errors import RepokitError
from repokit.domain.paging import Page
from repokit.domain.ports import DocumentRepositoryPort, StorePort
from repokit.domain.query import Filter
from repokit.domain.search_stats import SearchStats
from repokit.domain.search_tuning import SearchTuning
from repokit.infrastructure.config import Settings
from repokit.infrastructure.recall_checks import RecallChecks
from repokit.infrastructure.recall_monitor import RecallMonitor

logger = logging.getLogger("repokit.search")


def monitor_searches(store: StorePort, settings: Settings) -> StorePort:
    """Monitor ``store``'s searches (see the module docstring); returns ``store``."""
    if isinstance(store.documents, MonitoredDocuments):
        return store
    monitor = RecallMonitor(
        sample_rate=settings.recall_sample_rate,
        target_recall=settings.target_recall,
        exact=not store.capabilities.vector_index,
    )
    store.documents = MonitoredDocuments(store.documents, monitor)
    return store


class MonitoredDocuments(DocumentRepositoryPort):
    """A documents repository that counts its searches and re-runs a sample exactly."""

    def __init__(self, inner: DocumentRepositoryPort, monitor: RecallMonitor) -> None:
        self.inner = inner
        """The backend's own repository, every call but the counting goes to it."""
        self._monitor = monitor
        self._checks = RecallChecks()

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
        hits = await self.inner.search_similar(
            embedding,
            k=k,
            workspace_id=workspace_id,
            workspace_ids=workspace_ids,
            where=where,
            metric=metric,
            exact=exact,
        )
        if self._monitor.observe(exact=exact):
            self._checks.submit(
                _exact_rerun(
                    self.inner,
                    self._monitor,
                    list(embedding),  # a copy: the caller may reuse its list
                    {hit.chunk.id for hit in hits},
                    k=k,
                    workspace_id=workspace_id,
                    workspace_ids=workspace_ids,
                    where=where,
                    metric=metric,
                )
            )
        return hits

    def search_stats(self) -> SearchStats:
        self._checks.run_pending()
        return self._monitor.stats(pending=self._checks.pending)

    async def tune_search(
        self,
        queries: Sequence[Sequence[float]] | None = None,
        *,
        target_recall: float | None = None,
        check: bool = False,
    ) -> SearchTuning:
        return await self.inner.tune_search(queries, target_recall=target_recall, check=check)

    async def save(self, document: Document) -> Document:
        return await self.inner.save(document)

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        return await self.inner.save_many(documents)

    async def get_by_id(self, id: UUID) -> Document | None:
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
        return await self.inner.page(limit, cursor, workspace_id=workspace_id, where=where)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        return await self.inner.count(workspace_id=workspace_id, where=where)

    async def delete(self, id: UUID) -> bool:
        return await self.inner.delete(id)

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        await self.inner.add_chunks(document_id, chunks)

    async def bulk_load_chunks(
        self,
        chunks: Sequence[Chunk],
        *,
        progress: Callable[[int], None] | None = None,
        statement_timeout_s: float | None = None,
    ) -> int:
        return await self.inner.bulk_load_chunks(
            chunks, progress=progress, statement_timeout_s=statement_timeout_s
        )

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        return await self.inner.get_chunks(document_id)


def _exact_rerun(
    inner: DocumentRepositoryPort,
    monitor: RecallMonitor,
    embedding: builtins.list[float],
    found: set[UUID],
    *,
    k: int,
    workspace_id: UUID | None,
    workspace_ids: Sequence[UUID] | None,
    where: Filter | None,
    metric: str,
) -> Callable[[], Awaitable[None]]:
    """The check for one sampled search: its exact twin, compared with what it returned."""

    async def check() -> None:
        try:
            truth = await inner.search_similar(
                embedding,
                k=k,
                workspace_id=workspace_id,
                workspace_ids=workspace_ids,
                where=where,
                metric=metric,
                exact=True,
            )
        except RepokitError as exc:
            # The store closed, or the backend failed: this sample is lost, the
            # live search it would check has long returned.
            logger.debug("exact re-run of a sampled search failed: %s", exc)
            return
        expected = {hit.chunk.id for hit in truth}
        monitor.record(len(found & expected), len(expected))

    return check


__all__ = ["MonitoredDocuments", "monitor_searches"]
