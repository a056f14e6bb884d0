"""The cached repositories: the backend's, with point reads through Redis.

Cached here: ``documents.get_by_id`` and ``acl.role_of``; declared entities
(users and workspaces among them) are cached by
:class:`~.entity_repository.CachedEntityRepository`. Every other call goes
straight to the backend. Every write goes to the backend, then tells its
:class:`~.invalidation.Invalidator` which keys it touched (also when it
failed: a failed write is rare and may have changed more than it says).

Inside a unit of work ``reads`` is None: reads go to the unit (they must see
its own writes) and never fill the cache with uncommitted data.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from repokit.domain.entities import AclEntry, Chunk, Document, Role, ScoredChunk
from repokit.domain.paging import Page
from repokit.domain.ports import DocumentRepositoryPort, WorkspaceAclPort
from repokit.domain.query import Filter
from repokit.domain.search_tuning import SearchTuning
from repokit.infrastructure.cache.codec import ROLE_CODEC, entity_codec
from repokit.infrastructure.cache.invalidation import Cascades, Invalidator
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys
from repokit.infrastructure.cache.reads import ReadThrough
from repokit.infrastructure.cache.removals import Removals


@dataclass(frozen=True, slots=True)
class CacheScope:
    """How the cached repositories of one store, or of one unit of work, use the cache.

    Attributes:
        keys: the namespace's keys.
        reads: read-through lookups; None inside a unit (reads go to the unit).
        invalidator: told the keys each write touched.
        cascades: runs a delete with the reads naming what it removes.
        removals: names the keys a declared entity's delete makes stale.
    """

    keys: CacheKeys
    reads: ReadThrough | None
    invalidator: Invalidator
    cascades: Cascades
    removals: Removals


class CachedRepository:
    """What every cached repository holds: its scope's keys, reads and invalidator."""

    def __init__(self, scope: CacheScope) -> None:
        self._scope = scope
        self._keys = scope.keys
        self._reads = scope.reads

    async def _written(self, keys: Iterable[CacheKey]) -> None:
        await self._scope.invalidator.written(keys)


class CachedDocumentRepository(CachedRepository, DocumentRepositoryPort):
    """``documents`` with ``get_by_id`` cached."""

    def __init__(self, inner: DocumentRepositoryPort, scope: CacheScope) -> None:
        super().__init__(scope)
        self._inner = inner

    async def save(self, document: Document) -> Document:
        try:
            return await self._inner.save(document)
        finally:
            await self._written([self._keys.document(document.id)])

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        try:
            return await self._inner.save_many(documents)
        finally:
            await self._written([self._keys.document(document.id) for document in documents])

    async def get_by_id(self, id: UUID) -> Document | None:
        if self._reads is None:
            return await self._inner.get_by_id(id)
        return await self._reads.get(
            self._keys.document(id), "doc", lambda: self._inner.get_by_id(id), _DOCUMENTS
        )

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
        return await self._inner.list(
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
        return await self._inner.page(limit, cursor, workspace_id=workspace_id, where=where)

    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        return await self._inner.count(workspace_id=workspace_id, where=where)

    async def delete(self, id: UUID) -> bool:
        try:
            return await self._inner.delete(id)
        finally:
            await self._written([self._keys.document(id)])

    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        await self._inner.add_chunks(document_id, chunks)

    async def bulk_load_chunks(
        self,
        chunks: Sequence[Chunk],
        *,
        progress: Callable[[int], None] | None = None,
        statement_timeout_s: float | None = None,
    ) -> int:
        return await self._inner.bulk_load_chunks(
            chunks, progress=progress, statement_timeout_s=statement_timeout_s
        )

    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        return await self._inner.get_chunks(document_id)

    async def tune_search(
        self,
        queries: Sequence[Sequence[float]] | None = None,
        *,
        target_recall: float | None = None,
        check: bool = False,
    ) -> SearchTuning:
        return await self._inner.tune_search(queries, target_recall=target_recall, check=check)

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
        return await self._inner.search_similar(
            embedding,
            k=k,
            workspace_id=workspace_id,
            workspace_ids=workspace_ids,
            where=where,
            metric=metric,
            exact=exact,
        )


class CachedWorkspaceAcl(CachedRepository, WorkspaceAclPort):
    """``acl`` with ``role_of`` cached."""

    def __init__(self, inner: WorkspaceAclPort, scope: CacheScope) -> None:
        super().__init__(scope)
        self._inner = inner

    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        try:
            return await self._inner.grant(workspace_id, user_id, role)
        finally:
            await self._written([self._keys.role(workspace_id, user_id)])

    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        try:
            return await self._inner.revoke(workspace_id, user_id)
        finally:
            await self._written([self._keys.role(workspace_id, user_id)])

    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        if self._reads is None:
            return await self._inner.role_of(workspace_id, user_id)
        return await self._reads.get(
            self._keys.role(workspace_id, user_id),
            "role",
            lambda: self._inner.role_of(workspace_id, user_id),
            ROLE_CODEC,
        )

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        return await self._inner.members(workspace_id)

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        return await self._inner.workspaces_of(user_id)


_DOCUMENTS = entity_codec(Document)


__all__ = ["CacheScope", "CachedDocumentRepository", "CachedRepository", "CachedWorkspaceAcl"]
