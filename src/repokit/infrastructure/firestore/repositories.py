"""Wiring the Firestore repositories onto a store or a unit of work."""

from __future__ import annotations

from typing import Any

from repokit.domain.entities import User, Workspace
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.builtin_entities import EntityUserRepository, EntityWorkspaceRepository
from repokit.infrastructure.entity_repositories import EntityRepositories
from repokit.infrastructure.firestore.acl import FirestoreWorkspaceAcl
from repokit.infrastructure.firestore.audit import FirestoreAuditLog
from repokit.infrastructure.firestore.chats import FirestoreChatHistory
from repokit.infrastructure.firestore.documents import FirestoreDocumentRepository
from repokit.infrastructure.firestore.entity_repository import FirestoreEntityRepository
from repokit.infrastructure.firestore.scope import Scope


def attach_repositories(
    owner: RepositoriesPort, scope: Scope, embedding_dim: int
) -> EntityRepositories:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``;
    returns its declared-entity repositories (``users`` and ``workspaces`` among them)."""

    def entity_repository(model: type[Any]) -> FirestoreEntityRepository[Any]:
        return FirestoreEntityRepository(scope, model)

    entities = EntityRepositories(entity_repository)
    owner.documents = FirestoreDocumentRepository(scope, embedding_dim)
    owner.users = EntityUserRepository(entities.get(User))
    owner.workspaces = EntityWorkspaceRepository(entities.get(Workspace))
    owner.acl = FirestoreWorkspaceAcl(scope)
    owner.audit = FirestoreAuditLog(scope)
    owner.chats = FirestoreChatHistory(scope)
    return entities
