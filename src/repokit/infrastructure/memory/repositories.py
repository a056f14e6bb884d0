"""Wiring the in-memory repositories onto a store or a unit of work."""

from __future__ import annotations

from typing import Any

from repokit.domain.entities import User, Workspace
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.builtin_entities import EntityUserRepository, EntityWorkspaceRepository
from repokit.infrastructure.entity_repositories import EntityRepositories
from repokit.infrastructure.memory.acl import MemoryWorkspaceAcl
from repokit.infrastructure.memory.audit import MemoryAuditLog
from repokit.infrastructure.memory.chats import MemoryChatHistory
from repokit.infrastructure.memory.documents import MemoryDocumentRepository
from repokit.infrastructure.memory.entity_repository import MemoryEntityRepository
from repokit.infrastructure.memory.schema import MemorySchema
from repokit.infrastructure.memory.transaction import TransactionScope


def attach_repositories(
    owner: RepositoriesPort, scope: TransactionScope, embedding_dim: int, schema: MemorySchema
) -> EntityRepositories:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``;
    returns its declared-entity repositories (``users`` and ``workspaces`` among them)."""

    def entity_repository(model: type[Any]) -> MemoryEntityRepository[Any]:
        return MemoryEntityRepository(scope, model, schema)

    entities = EntityRepositories(entity_repository)
    owner.documents = MemoryDocumentRepository(scope, embedding_dim)
    owner.users = EntityUserRepository(entities.get(User))
    owner.workspaces = EntityWorkspaceRepository(entities.get(Workspace))
    owner.acl = MemoryWorkspaceAcl(scope)
    owner.audit = MemoryAuditLog(scope)
    owner.chats = MemoryChatHistory(scope)
    return entities
