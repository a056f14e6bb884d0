"""The MongoDB workspace ACL: one document per (workspace, user)."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.clock import utc_now
from repokit.domain.entities import AclEntry, Role
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import WorkspaceAclPort
from repokit.infrastructure.mongo.codec import ACL, acl_key
from repokit.infrastructure.mongo.repository import MongoRepository, as_uuid, find_all, key
from repokit.infrastructure.mongo.scopes import Scope
from repokit.infrastructure.write_checks import checked_role


class MongoWorkspaceAcl(MongoRepository[AclEntry], WorkspaceAclPort):
    """ACL entries in ``workspace_acl``, keyed ``"<workspace_id>:<user_id>"``."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, ACL)
        self._workspaces = self.collection("workspaces")
        self._users = self.collection("users")

    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        """Give the user ``role``, replacing any previous one and stamping a new ``granted_at``.

        Raises:
            NotFoundError: the workspace or the user does not exist.
        """
        chosen = checked_role(role)
        entry = AclEntry(
            workspace_id=as_uuid(workspace_id, "workspace_id"),
            user_id=as_uuid(user_id, "user_id"),
            role=chosen,
            granted_at=utc_now(),
        )
        doc = ACL.encode(entry)
        async with self._scope.write() as session:
            if not await self._exists(self._workspaces, doc["workspace_id"], session):
                raise NotFoundError(f"workspace {workspace_id} does not exist")
            if not await self._exists(self._users, doc["user_id"], session):
                raise NotFoundError(f"user {user_id} does not exist")
            await self._collection.replace_one(
                {"_id": doc["_id"]}, doc, upsert=True, session=session
            )
        return entry

    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        """Remove the user's role; True if they had one."""
        entry = acl_key(as_uuid(workspace_id, "workspace_id"), as_uuid(user_id, "user_id"))
        async with self._scope.write() as session:
            result = await self._collection.delete_one({"_id": entry}, session=session)
        return result.deleted_count > 0

    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        """The user's role in the workspace, or None."""
        entry = acl_key(as_uuid(workspace_id, "workspace_id"), as_uuid(user_id, "user_id"))
        async with self._scope.read() as session:
            doc = await self._collection.find_one({"_id": entry}, {"role": 1}, session=session)
        return None if doc is None else Role(doc["role"])

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        """The workspace's entries in (granted_at, user_id) order."""
        query = {"workspace_id": key(workspace_id, "workspace_id")}
        return await self._entries(query, [("granted_at", 1), ("user_id", 1)])

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        """The user's entries in (granted_at, workspace_id) order."""
        query = {"user_id": key(user_id, "user_id")}
        return await self._entries(query, [("granted_at", 1), ("workspace_id", 1)])

    async def _entries(
        self, query: dict[str, str], sort: list[tuple[str, int]]
    ) -> builtins.list[AclEntry]:
        async with self._scope.read() as session:
            docs = await find_all(self._collection, query, session, sort=sort)
        return [ACL.decode(doc) for doc in docs]
