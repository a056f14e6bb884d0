"""Wiring the DynamoDB repositories onto a store or a unit of work."""

from __future__ import annotations

from typing import Any

from repokit.domain.entities import User, Workspace
from repokit.domain.errors import CapabilityError
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.dynamodb.acl import DynamoWorkspaceAcl
from repokit.infrastructure.dynamodb.audit import DynamoAuditLog
from repokit.infrastructure.dynamodb.chats import DynamoChatHistory
from repokit.infrastructure.dynamodb.documents import DynamoDocumentRepository
from repokit.infrastructure.dynamodb.entity_repository import DynamoEntityRepository
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.dynamodb.users import DynamoUserRepository
from repokit.infrastructure.dynamodb.workspaces import DynamoWorkspaceRepository
from repokit.infrastructure.entity_repositories import EntityRepositories


def attach_repositories(
    owner: RepositoriesPort, scope: Scope, embedding_dim: int
) -> EntityRepositories:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``;
    returns its declared-entity repositories."""

    def entity_repository(model: type[Any]) -> DynamoEntityRepository[Any]:
        if model in (User, Workspace):
            raise CapabilityError(
                f"{model.__name__} is served by store.{model.__name__.lower()}s on DynamoDB"
            )
        return DynamoEntityRepository(scope, model)

    owner.documents = DynamoDocumentRepository(scope, embedding_dim)
    owner.users = DynamoUserRepository(scope)
    owner.workspaces = DynamoWorkspaceRepository(scope)
    owner.acl = DynamoWorkspaceAcl(scope)
    owner.audit = DynamoAuditLog(scope)
    owner.chats = DynamoChatHistory(scope)
    return EntityRepositories(entity_repository)
