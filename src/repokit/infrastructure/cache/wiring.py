"""Wiring the cached repositories onto a cached store or unit of work."""

from __future__ import annotations

from typing import Any

from repokit.domain.entities import User, Workspace
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.builtin_entities import EntityUserRepository, EntityWorkspaceRepository
from repokit.infrastructure.cache.entity_repository import CachedEntityRepository
from repokit.infrastructure.cache.repositories import (
    CachedDocumentRepository,
    CachedWorkspaceAcl,
    CacheScope,
)
from repokit.infrastructure.entity_repositories import EntityRepositories


def attach_repositories(
    owner: RepositoriesPort, inner: RepositoriesPort, scope: CacheScope
) -> EntityRepositories:
    """Give ``owner`` the cached form of each of ``inner``'s repositories; returns its
    declared-entity repositories (``users`` and ``workspaces`` stand on two of them)."""

    def cached_repository(model: type[Any]) -> CachedEntityRepository[Any]:
        return CachedEntityRepository(inner.repository(model), model, scope)

    entities = EntityRepositories(cached_repository)
    owner.documents = CachedDocumentRepository(inner.documents, scope)
    owner.users = EntityUserRepository(entities.get(User))
    owner.workspaces = EntityWorkspaceRepository(entities.get(Workspace))
    owner.acl = CachedWorkspaceAcl(inner.acl, scope)
    owner.audit = inner.audit
    owner.chats = inner.chats
    return entities


__all__ = ["attach_repositories"]
