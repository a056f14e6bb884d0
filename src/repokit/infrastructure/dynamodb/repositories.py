"""Wiring the DynamoDB repositories onto a store or a unit of work."""

from __future__ import annotations

from typing import Any

from repokit.domain.entities import User, Workspace
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.builtin_entities import EntityUserRepository, EntityWorkspaceRepository
from repokit.infrastructure.dynamodb.acl import DynamoWorkspaceAcl
from repokit.infrastructure.dynamodb.audit import DynamoAuditLog
from repokit.infrastructure.dynamodb.cascade import BUILT_IN_DEPENDENTS
from repokit.infrastructure.dynamodb.chats import DynamoChatHistory
from repokit.infrastructure.dynamodb.documents import DynamoDocumentRepository
from repokit.infrastructure.dynamodb.entity_repository import DynamoEntityRepository
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.entity_repositories import EntityRepositories


def attach_repositories(
    owner: RepositoriesPort, scope: Scope, embedding_dim: int
) -> EntityRepositories:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``;
    returns its declared-entity repositories (``users`` and ``workspaces`` among them)."""

    def entity_repository(model: type[Any]) -> DynamoEntityRepository[Any]:
        return DynamoEntityRepository(scope, model, BUILT_IN_DEPENDENTS)

    entities = EntityRepositories(entity_repository)
    owner.documents = DynamoDocumentRepository(scope, embedding_dim)
    owner.users = EntityUserRepository(entities.get(User))
    owner.workspaces = EntityWorkspaceRepository(entities.get(Workspace))
    owner.acl = DynamoWorkspaceAcl(scope)
    owner.audit = DynamoAuditLog(scope)
    owner.chats = DynamoChatHistory(scope)
    return entities
