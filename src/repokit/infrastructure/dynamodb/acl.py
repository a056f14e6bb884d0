"""The DynamoDB workspace ACL: ``WS#<ws>`` / ``ACL#<user>``, and G2 by user."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.clock import utc_now
from repokit.domain.entities import AclEntry, Role
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import WorkspaceAclPort
from repokit.infrastructure.dynamodb.items import live
from repokit.infrastructure.dynamodb.layout import (
    G2,
    acl_attrs,
    acl_key,
    acl_of,
    user_key,
    workspace_acl,
    workspace_key,
)
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import EntityKind, Scope, entity_writes, read_entity
from repokit.infrastructure.dynamodb.writes import PRESENT, check, delete
from repokit.infrastructure.write_checks import checked_role

ACL = EntityKind("ACL entry", AclEntry, lambda key: key, acl_attrs)


class DynamoWorkspaceAcl(WorkspaceAclPort):
    """ACL entries under their workspace's partition."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        """Give the user ``role``, replacing any previous one and stamping a new ``granted_at``.

        Raises:
            NotFoundError: the workspace or the user does not exist.
        """
        chosen = checked_role(role)
        entry = AclEntry(
            workspace_id=workspace_id, user_id=user_id, role=chosen, granted_at=utc_now()
        )
        key = acl_key(entry.workspace_id, entry.user_id)
        writes = entity_writes(ACL, key, entry, None)
        writes.append(
            check(workspace_key(entry.workspace_id), f"workspace {workspace_id}", PRESENT)
        )
        writes.append(check(user_key(entry.user_id), f"user {user_id}", PRESENT))
        await self._scope.apply(writes)
        return entry.model_copy(deep=True)

    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        """Remove the user's role; True if they had one."""
        key = acl_key(workspace_id, user_id)
        try:
            await self._scope.apply([delete(key, "ACL entry", PRESENT)])
        except NotFoundError:
            return False
        return True

    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        """The user's role in the workspace, or None."""
        item = live(await self._scope.get(acl_key(workspace_id, user_id)))
        if item is None:
            return None
        return (await read_entity(self._scope, AclEntry, item)).role

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        """The workspace's entries in (granted_at, user_id) order."""
        spec = QuerySpec(partition=workspace_acl(workspace_id), prefix="ACL#")
        entries = [
            await read_entity(self._scope, AclEntry, item) async for item in self._scope.query(spec)
        ]
        entries.sort(key=lambda entry: (entry.granted_at, entry.user_id))
        return entries

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        """The user's entries in (granted_at, workspace_id) order (G2 is in that order)."""
        spec = QuerySpec(partition=acl_of(user_id), index=G2)
        entries = [
            await read_entity(self._scope, AclEntry, item) async for item in self._scope.query(spec)
        ]
        entries.sort(key=lambda entry: (entry.granted_at, entry.workspace_id))
        return entries
