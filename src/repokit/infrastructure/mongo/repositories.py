"""Wiring the MongoDB repositories onto a store or a unit of work."""

from __future__ import annotations

from typing import Any

from repokit.domain.entities import User, Workspace
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.builtin_entities import EntityUserRepository, EntityWorkspaceRepository
from repokit.infrastructure.entity_repositories import EntityRepositories
from repokit.infrastructure.mongo.acl import MongoWorkspaceAcl
from repokit.infrastructure.mongo.audit import MongoAuditLog
from repokit.infrastructure.mongo.chats import MongoChatHistory
from repokit.infrastructure.mongo.codec import ACL, CHUNKS, DOCUMENTS
from repokit.infrastructure.mongo.documents import MongoDocumentRepository
from repokit.infrastructure.mongo.entity_refs import ChildLink, DependentCollections
from repokit.infrastructure.mongo.entity_repository import MongoEntityRepository
from repokit.infrastructure.mongo.scopes import Scope

BUILT_IN_DEPENDENTS: DependentCollections = {
    "users": (ChildLink(ACL.collection, "user_id", "cascade", ACL.noun),),
    "workspaces": (
        ChildLink(DOCUMENTS.collection, "workspace_id", "cascade", DOCUMENTS.noun),
        ChildLink(ACL.collection, "workspace_id", "cascade", ACL.noun),
    ),
    DOCUMENTS.collection: (ChildLink(CHUNKS.collection, "document_id", "cascade", CHUNKS.noun),),
}
"""What goes with a user (their ACL entries) and a workspace (its documents with their
chunks, and its ACL entries): collections no entity declares, deleted with their owner."""


def attach_repositories(
    owner: RepositoriesPort, scope: Scope, *, vector_index: bool
) -> EntityRepositories:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``;
    returns its declared-entity repositories (``users`` and ``workspaces`` among them)."""

    def entity_repository(model: type[Any]) -> MongoEntityRepository[Any]:
        return MongoEntityRepository(scope, model, BUILT_IN_DEPENDENTS)

    entities = EntityRepositories(entity_repository)
    owner.documents = MongoDocumentRepository(scope, vector_index=vector_index)
    owner.users = EntityUserRepository(entities.get(User))
    owner.workspaces = EntityWorkspaceRepository(entities.get(Workspace))
    owner.acl = MongoWorkspaceAcl(scope)
    owner.audit = MongoAuditLog(scope)
    owner.chats = MongoChatHistory(scope)
    return entities
