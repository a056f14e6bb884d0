"""The Firestore workspace ACL: collection ``workspace_acl``, a document per
``(workspace, user)`` under the id ``<workspace_id>_<user_id>``."""

from __future__ import annotations

import builtins
from typing import Any
from uuid import UUID

from google.cloud.firestore_v1 import FieldFilter

from repokit.domain.clock import utc_now
from repokit.domain.entities import AclEntry, Role
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import WorkspaceAclPort
from repokit.infrastructure.firestore.codec import ACL
from repokit.infrastructure.firestore.scope import Scope, Step, collection_path
from repokit.infrastructure.firestore.tables import ACL_COLLECTION
from repokit.infrastructure.firestore.writes import Write
from repokit.infrastructure.write_checks import checked_role


class FirestoreWorkspaceAcl(WorkspaceAclPort):
    """ACL entries, one document each; grants check the workspace and user in the same
    transaction."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def _ref(self, workspace_id: UUID, user_id: UUID) -> Any:
        db = self._scope.client.db
        return db.collection(ACL_COLLECTION).document(f"{workspace_id}_{user_id}")

    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        """Give the user ``role``, replacing any previous one and stamping a new ``granted_at``.

        Raises:
            NotFoundError: the workspace or the user does not exist.
        """
        chosen = checked_role(role)
        entry = AclEntry(
            workspace_id=workspace_id, user_id=user_id, role=chosen, granted_at=utc_now()
        )

        async def step(tx: Step) -> AclEntry:
            db = tx.client.db
            workspace, user = await tx.get_all(
                [
                    db.collection("workspaces").document(str(entry.workspace_id)),
                    db.collection("users").document(str(entry.user_id)),
                ]
            )
            if workspace is None:
                raise NotFoundError(f"workspace {entry.workspace_id} does not exist")
            if user is None:
                raise NotFoundError(f"user {entry.user_id} does not exist")
            tx.write([Write(self._ref(entry.workspace_id, entry.user_id), ACL.encode(entry))])
            return entry

        return await self._scope.run(step)

    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        """Remove the user's role; True if they had one."""
        ref = self._ref(workspace_id, user_id)

        async def step(tx: Step) -> bool:
            if await tx.get(ref) is None:
                return False
            tx.write([Write(ref, None)])
            return True

        return await self._scope.run(step)

    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        """The user's role in the workspace, or None."""
        data = await self._scope.reader().get(self._ref(workspace_id, user_id))
        return None if data is None else ACL.decode(data).role

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        """The workspace's entries in (granted_at, user_id) order."""
        entries = await self._entries("workspace_id", str(workspace_id))
        entries.sort(key=lambda entry: (entry.granted_at, entry.user_id))
        return entries

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        """The user's entries in (granted_at, workspace_id) order."""
        entries = await self._entries("user_id", str(user_id))
        entries.sort(key=lambda entry: (entry.granted_at, entry.workspace_id))
        return entries

    async def _entries(self, field: str, value: str) -> builtins.list[AclEntry]:
        collection = self._scope.client.db.collection(ACL_COLLECTION)
        query = collection.where(filter=FieldFilter(field, "==", value))
        found = await self._scope.reader().documents(
            query, collection_path(collection), lambda data: data.get(field) == value
        )
        return [ACL.decode(data) for _, data in found]


__all__ = ["FirestoreWorkspaceAcl"]
