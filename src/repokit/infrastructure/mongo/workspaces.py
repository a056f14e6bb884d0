"""The MongoDB workspace repository; a delete cascades to ACL, documents and chunks."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import Workspace
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import WorkspaceRepositoryPort
from repokit.infrastructure.mongo.client import Session
from repokit.infrastructure.mongo.codec import WORKSPACES
from repokit.infrastructure.mongo.repository import (
    VersionedMongoRepository,
    delete_ids,
    find_all,
    key,
)
from repokit.infrastructure.mongo.scopes import Scope


class MongoWorkspaceRepository(VersionedMongoRepository[Workspace], WorkspaceRepositoryPort):
    """Workspaces in ``workspaces``; owners must exist."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, WORKSPACES)
        self._users = self.collection("users")
        self._acl = self.collection("workspace_acl")
        self._documents = self.collection("documents")
        self._chunks = self.collection("chunks")

    async def _check_references(self, entity: Workspace, session: Session | None) -> None:
        if not await self._exists(self._users, str(entity.owner_id), session):
            raise NotFoundError(f"user {entity.owner_id} does not exist")

    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        """Workspaces in (created_at, id) order, optionally of one owner."""
        query = {} if owner_id is None else {"owner_id": key(owner_id, "owner_id")}
        return await self._window(query, offset, limit)

    async def delete(self, id: UUID) -> bool:
        """Delete a workspace with its ACL, documents and chunks; True if it existed.

        Children go first and the workspace last, so without a transaction a
        failure half-way leaves a workspace with fewer documents, never a
        document without its workspace.
        """
        wanted = key(id)
        async with self._scope.write(atomic=True) as session:
            documents = await find_all(
                self._documents, {"workspace_id": wanted}, session, projection={"_id": 1}
            )
            ids = [doc["_id"] for doc in documents]
            await delete_ids(self._chunks, ids, session, field="document_id")
            await delete_ids(self._documents, ids, session)
            await self._acl.delete_many({"workspace_id": wanted}, session=session)
            result = await self._collection.delete_one({"_id": wanted}, session=session)
        return result.deleted_count > 0
