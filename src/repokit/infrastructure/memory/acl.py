"""The in-memory workspace ACL: one role per (workspace, user)."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.clock import utc_now
from repokit.domain.entities import AclEntry, Role
from repokit.domain.ports import WorkspaceAclPort
from repokit.infrastructure.memory.rows import delete_row, put_row, to_entity
from repokit.infrastructure.memory.schema import ACL
from repokit.infrastructure.memory.transaction import TransactionScope
from repokit.infrastructure.write_checks import checked_role


class MemoryWorkspaceAcl(WorkspaceAclPort):
    """ACL entries held in memory, keyed by ``(workspace_id, user_id)``."""

    def __init__(self, scope: TransactionScope) -> None:
        self._scope = scope

    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        """Give the user ``role``, replacing any previous one and stamping a new ``granted_at``.

        Raises:
            NotFoundError: the workspace or the user does not exist.
        """
        with self._scope.transaction() as transaction:
            chosen = checked_role(role)
            entry = AclEntry(
                workspace_id=workspace_id, user_id=user_id, role=chosen, granted_at=utc_now()
            )
            put_row(transaction, ACL, (entry.workspace_id, entry.user_id), entry)
            return to_entity(entry)

    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        """Remove the user's role; True if they had one."""
        with self._scope.transaction() as transaction:
            return delete_row(transaction, ACL, (workspace_id, user_id))

    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        """The user's role in the workspace, or None."""
        with self._scope.transaction() as transaction:
            entry = transaction.rows(ACL).get((workspace_id, user_id))
            return None if entry is None else entry.role

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        """The workspace's entries in (granted_at, user_id) order."""
        with self._scope.transaction() as transaction:
            entries = [e for e in transaction.rows(ACL).values() if e.workspace_id == workspace_id]
            entries.sort(key=lambda entry: (entry.granted_at, entry.user_id))
            return [to_entity(entry) for entry in entries]

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        """The user's entries in (granted_at, workspace_id) order."""
        with self._scope.transaction() as transaction:
            entries = [e for e in transaction.rows(ACL).values() if e.user_id == user_id]
            entries.sort(key=lambda entry: (entry.granted_at, entry.workspace_id))
            return [to_entity(entry) for entry in entries]
