"""Wiring the six MongoDB repositories onto a store or a unit of work."""

from __future__ import annotations

from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.mongo.acl import MongoWorkspaceAcl
from repokit.infrastructure.mongo.audit import MongoAuditLog
from repokit.infrastructure.mongo.chats import MongoChatHistory
from repokit.infrastructure.mongo.documents import MongoDocumentRepository
from repokit.infrastructure.mongo.scopes import Scope
from repokit.infrastructure.mongo.users import MongoUserRepository
from repokit.infrastructure.mongo.workspaces import MongoWorkspaceRepository


def attach_repositories(owner: RepositoriesPort, scope: Scope, *, vector_index: bool) -> None:
    """Give ``owner`` its ``documents``, ``users``, ... repositories, all running in ``scope``."""
    owner.documents = MongoDocumentRepository(scope, vector_index=vector_index)
    owner.users = MongoUserRepository(scope)
    owner.workspaces = MongoWorkspaceRepository(scope)
    owner.acl = MongoWorkspaceAcl(scope)
    owner.audit = MongoAuditLog(scope)
    owner.chats = MongoChatHistory(scope)
