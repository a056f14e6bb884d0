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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from repokit.domain.entities import AclEntry, Document, Role
from repokit.domain.ports import DocumentRepositoryPort, WorkspaceAclPort
from repokit.infrastructure.cache.codec import ROLE_CODEC, entity_codec
from repokit.infrastructure.cache.invalidation import Cascades, Invalidator
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys
from repokit.infrastructure.cache.reads import ReadThrough
from repokit.infrastructure.cache.removals import Removals
from repokit.infrastructure.document_decorator import DocumentRepositoryDecorator


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


class CachedDocumentRepository(CachedRepository, DocumentRepositoryDecorator):
    """``documents`` with ``get_by_id`` cached; every other read passes straight through."""

    def __init__(self, inner: DocumentRepositoryPort, scope: CacheScope) -> None:
        CachedRepository.__init__(self, scope)
        DocumentRepositoryDecorator.__init__(self, inner)

    async def save(self, document: Document) -> Document:
        try:
            return await self.inner.save(document)
        finally:
            await self._written([self._keys.document(document.id)])

    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        try:
            return await self.inner.save_many(documents)
        finally:
            await self._written([self._keys.document(document.id) for document in documents])

    async def get_by_id(self, id: UUID) -> Document | None:
        if self._reads is None:
            return await self.inner.get_by_id(id)
        return await self._reads.get(
            self._keys.document(id), "doc", lambda: self.inner.get_by_id(id), _DOCUMENTS
        )

    async def delete(self, id: UUID) -> bool:
        try:
            return await self.inner.delete(id)
        finally:
            await self._written([self._keys.document(id)])


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
