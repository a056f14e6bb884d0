"""The cached repositories: the backend's, with point reads through Redis.

Cached: ``documents.get_by_id``, ``users.get_by_id``, ``users.find_by_email``,
``workspaces.get_by_id`` and ``acl.role_of``. Every other call goes straight to
the backend. Every write goes to the backend, then tells its
:class:`~.invalidation.Invalidator` which keys it touched (also when it
failed: a failed write is rare and may have changed more than it says).

Inside a unit of work ``reads`` is None: reads go to the unit (they must see
its own writes) and never fill the cache with uncommitted data.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

from repokit.domain.entities import (
    AclEntry,
    Chunk,
    Document,
    Role,
    ScoredChunk,
    User,
    Workspace,
    normalize_email,
)
from repokit.domain.paging import Page
from repokit.domain.ports import (
    DocumentRepositoryPort,
    UserRepositoryPort,
    WorkspaceAclPort,
    WorkspaceRepositoryPort,
)
from repokit.domain.query import Filter
from repokit.infrastructure.cache.codec import EntityDecoder, encode_entity
from repokit.infrastructure.cache.invalidation import (
    Cascades,
    Collect,
    Delete,
    Invalidator,
    user_cascade,
    workspace_cascade,
)
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys
from repokit.infrastructure.cache.reads import ReadThrough


class _Cached:
    """What every cached repository holds: its reads, its invalidator."""

    def __init__(
        self, keys: CacheKeys, reads: ReadThrough | None, invalidator: Invalidator
    ) -> None:
        self._keys = keys
        self._reads = reads
        self._invalidator = invalidator

    async def _written(self, keys: Iterable[CacheKey]) -> None:
        await self._invalidator.written(keys)

    async def _delete_cascading(
        self, cascades: Cascades, own: CacheKey, collect: Collect, delete: Delete
    ) -> bool:
        """Run a cascading delete; invalidate its own key and those of what went with it."""
        keys = [own]
        try:
            deleted, cascade = await cascades.delete(collect, delete)
            keys.extend(cascade)
            return deleted
        finally:
            await self._written(keys)


class CachedDocumentRepository(_Cached, DocumentRepositoryPort):
    """``documents`` with ``get_by_id`` cached."""

    def __init__(
        self,
        inner: DocumentRepositoryPort,
        keys: CacheKeys,
        reads: ReadThrough | None,
        invalidator: Invalidator,
    ) -> None:
        super().__init__(keys, reads, invalidator)
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
            self._keys.document(id),
            "doc",
            lambda: self._inner.get_by_id(id),
            encode_entity,
            _DECODE_DOCUMENT,
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


class CachedUserRepository(_Cached, UserRepositoryPort):
    """``users`` with ``get_by_id`` and ``find_by_email`` cached.

    The email lookup caches the user's id only; the user comes from the id's own
    entry, and is served only if it still has that address (an address that
    moved to another user, or a user who changed address, is then asked of the
    backend again).
    """

    def __init__(
        self,
        inner: UserRepositoryPort,
        keys: CacheKeys,
        reads: ReadThrough | None,
        invalidator: Invalidator,
        cascades: Cascades,
    ) -> None:
        super().__init__(keys, reads, invalidator)
        self._inner = inner
        self._cascades = cascades

    async def save(self, user: User) -> User:
        try:
            return await self._inner.save(user)
        finally:
            await self._written([self._keys.user(user.id), self._keys.email(user.email)])

    async def get_by_id(self, id: UUID) -> User | None:
        if self._reads is None:
            return await self._inner.get_by_id(id)
        return await self._reads.get(
            self._keys.user(id),
            "user",
            lambda: self._inner.get_by_id(id),
            encode_entity,
            _DECODE_USER,
        )

    async def find_by_email(self, email: str) -> User | None:
        reads = self._reads
        if reads is None:
            return await self._inner.find_by_email(email)
        key = self._keys.email(email)
        user_id = await reads.get(key, "email", lambda: self._id_of(email), _uuid_bytes, _uuid)
        if user_id is None:
            return None
        user = await self.get_by_id(user_id)
        if user is not None and user.email == normalize_email(email):
            return user
        await reads.cache.invalidate([key])
        return await self._inner.find_by_email(email)

    async def _id_of(self, email: str) -> UUID | None:
        user = await self._inner.find_by_email(email)
        return None if user is None else user.id

    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        return await self._inner.list(offset, limit)

    async def delete(self, id: UUID) -> bool:
        return await self._delete_cascading(
            self._cascades,
            self._keys.user(id),
            lambda repositories: user_cascade(repositories, self._keys, id),
            lambda repositories: repositories.users.delete(id),
        )


class CachedWorkspaceRepository(_Cached, WorkspaceRepositoryPort):
    """``workspaces`` with ``get_by_id`` cached."""

    def __init__(
        self,
        inner: WorkspaceRepositoryPort,
        keys: CacheKeys,
        reads: ReadThrough | None,
        invalidator: Invalidator,
        cascades: Cascades,
    ) -> None:
        super().__init__(keys, reads, invalidator)
        self._inner = inner
        self._cascades = cascades

    async def save(self, workspace: Workspace) -> Workspace:
        try:
            return await self._inner.save(workspace)
        finally:
            await self._written([self._keys.workspace(workspace.id)])

    async def get_by_id(self, id: UUID) -> Workspace | None:
        if self._reads is None:
            return await self._inner.get_by_id(id)
        return await self._reads.get(
            self._keys.workspace(id),
            "ws",
            lambda: self._inner.get_by_id(id),
            encode_entity,
            _DECODE_WORKSPACE,
        )

    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        return await self._inner.list(offset, limit, owner_id=owner_id)

    async def delete(self, id: UUID) -> bool:
        return await self._delete_cascading(
            self._cascades,
            self._keys.workspace(id),
            lambda repositories: workspace_cascade(repositories, self._keys, id),
            lambda repositories: repositories.workspaces.delete(id),
        )


class CachedWorkspaceAcl(_Cached, WorkspaceAclPort):
    """``acl`` with ``role_of`` cached."""

    def __init__(
        self,
        inner: WorkspaceAclPort,
        keys: CacheKeys,
        reads: ReadThrough | None,
        invalidator: Invalidator,
    ) -> None:
        super().__init__(keys, reads, invalidator)
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
            _role_bytes,
            _role,
        )

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        return await self._inner.members(workspace_id)

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        return await self._inner.workspaces_of(user_id)


_DECODE_DOCUMENT = EntityDecoder(Document)
_DECODE_USER = EntityDecoder(User)
_DECODE_WORKSPACE = EntityDecoder(Workspace)


def _uuid_bytes(value: UUID) -> bytes:
    return value.bytes


def _uuid(payload: bytes) -> UUID:
    return UUID(bytes=payload)


def _role_bytes(role: Role) -> bytes:
    return role.value.encode()


def _role(payload: bytes) -> Role:
    return Role(payload.decode())


__all__ = [
    "CachedDocumentRepository",
    "CachedUserRepository",
    "CachedWorkspaceAcl",
    "CachedWorkspaceRepository",
]
