"""Wiring the six in-memory repositories onto a store or a unit of work."""

from __future__ import annotations

from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.memory.acl import MemoryWorkspaceAcl
from repokit.infrastructure.memory.audit import MemoryAuditLog
from repokit.infrastructure.memory.chats import MemoryChatHistory
from repokit.infrastructure.memory.documents import MemoryDocumentRepository
from repokit.infrastructure.memory.transaction import TransactionScope
from repokit.infrastructure.memory.users import MemoryUserRepository
from repokit.infrastructure.memory.workspaces import MemoryWorkspaceRepository


def attach_repositories(
    owner: RepositoriesPort, scope: TransactionScope, embedding_dim: int
) -> None:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``."""
    owner.documents = MemoryDocumentRepository(scope, embedding_dim)
    owner.users = MemoryUserRepository(scope)
    owner.workspaces = MemoryWorkspaceRepository(scope)
    owner.acl = MemoryWorkspaceAcl(scope)
    owner.audit = MemoryAuditLog(scope)
    owner.chats = MemoryChatHistory(scope)
