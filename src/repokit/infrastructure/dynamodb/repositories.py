"""Wiring the six DynamoDB repositories onto a store or a unit of work."""

from __future__ import annotations

from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.dynamodb.acl import DynamoWorkspaceAcl
from repokit.infrastructure.dynamodb.audit import DynamoAuditLog
from repokit.infrastructure.dynamodb.chats import DynamoChatHistory
from repokit.infrastructure.dynamodb.documents import DynamoDocumentRepository
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.dynamodb.users import DynamoUserRepository
from repokit.infrastructure.dynamodb.workspaces import DynamoWorkspaceRepository


def attach_repositories(owner: RepositoriesPort, scope: Scope, embedding_dim: int) -> None:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``."""
    owner.documents = DynamoDocumentRepository(scope, embedding_dim)
    owner.users = DynamoUserRepository(scope)
    owner.workspaces = DynamoWorkspaceRepository(scope)
    owner.acl = DynamoWorkspaceAcl(scope)
    owner.audit = DynamoAuditLog(scope)
    owner.chats = DynamoChatHistory(scope)
