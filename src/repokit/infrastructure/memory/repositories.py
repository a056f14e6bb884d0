"""Wiring the six in-memory repositories, and the declared entities', onto a store or a unit."""

from __future__ import annotations

from typing import Any

from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.entity_repositories import EntityRepositories
from repokit.infrastructure.memory.acl import MemoryWorkspaceAcl
from repokit.infrastructure.memory.audit import MemoryAuditLog
from repokit.infrastructure.memory.chats import MemoryChatHistory
from repokit.infrastructure.memory.documents import MemoryDocumentRepository
from repokit.infrastructure.memory.entity_repository import MemoryEntityRepository
from repokit.infrastructure.memory.schema import MemorySchema
from repokit.infrastructure.memory.transaction import TransactionScope
from repokit.infrastructure.memory.users import MemoryUserRepository
from repokit.infrastructure.memory.workspaces import MemoryWorkspaceRepository


def attach_repositories(
    owner: RepositoriesPort, scope: TransactionScope, embedding_dim: int, schema: MemorySchema
) -> None:
    """Give ``owner`` its ``documents``, ``users``, ... repositories and those of declared
    entities, all running in ``scope``."""
    owner.documents = MemoryDocumentRepository(scope, embedding_dim)
    owner.users = MemoryUserRepository(scope)
    owner.workspaces = MemoryWorkspaceRepository(scope)
    owner.acl = MemoryWorkspaceAcl(scope)
    owner.audit = MemoryAuditLog(scope)
    owner.chats = MemoryChatHistory(scope)

    def entity_repository(model: type[Any]) -> MemoryEntityRepository[Any]:
        return MemoryEntityRepository(scope, model, schema)

    owner.entity_repositories = EntityRepositories(entity_repository)  # type: ignore[attr-defined]
