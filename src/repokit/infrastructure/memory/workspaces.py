"""The in-memory workspace repository."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import Workspace
from repokit.domain.paging import validate_window
from repokit.domain.ports import WorkspaceRepositoryPort
from repokit.infrastructure.memory.listing import as_uuid, offset_window
from repokit.infrastructure.memory.rows import delete_row, get_entity, save_versioned, to_entity
from repokit.infrastructure.memory.schema import WORKSPACES
from repokit.infrastructure.memory.transaction import TransactionScope


class MemoryWorkspaceRepository(WorkspaceRepositoryPort):
    """Workspaces held in memory; the schema checks owners and cascades deletes."""

    def __init__(self, scope: TransactionScope) -> None:
        self._scope = scope

    async def save(self, workspace: Workspace) -> Workspace:
        """Insert or update a workspace; a missing owner raises ``NotFoundError``."""
        with self._scope.transaction() as transaction:
            return save_versioned(transaction, WORKSPACES, workspace)

    async def get_by_id(self, id: UUID) -> Workspace | None:
        """The workspace with this id, or None."""
        with self._scope.transaction() as transaction:
            return get_entity(transaction, WORKSPACES, id)

    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        """Workspaces in (created_at, id) order, optionally of one owner."""
        with self._scope.transaction() as transaction:
            validate_window(offset, limit)
            owner = None if owner_id is None else as_uuid(owner_id, "owner_id")
            rows = [
                workspace
                for workspace in transaction.rows(WORKSPACES).values()
                if owner is None or workspace.owner_id == owner
            ]
            window = offset_window(rows, lambda ws: (ws.created_at, ws.id), offset, limit)
            return [to_entity(workspace) for workspace in window]

    async def delete(self, id: UUID) -> bool:
        """Delete a workspace with its ACL entries, documents and chunks; True if it existed."""
        with self._scope.transaction() as transaction:
            return delete_row(transaction, WORKSPACES, id)
