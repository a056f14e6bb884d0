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

from repokit.domain.entities import ScoredChunk
from repokit.domain.errors import RepokitError
from repokit.domain.ports import DocumentRepositoryPort, StorePort
from repokit.domain.query import Filter
from repokit.domain.search_stats import SearchStats
from repokit.infrastructure.config import Settings
from repokit.infrastructure.document_decorator import DocumentRepositoryDecorator
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


class MonitoredDocuments(DocumentRepositoryDecorator):
    """A documents repository that counts its searches and re-runs a sample exactly."""

    def __init__(self, inner: DocumentRepositoryPort, monitor: RecallMonitor) -> None:
        super().__init__(inner)
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
