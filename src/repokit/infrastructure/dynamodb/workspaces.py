"""The DynamoDB workspace repository."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import Workspace
from repokit.domain.paging import validate_window
from repokit.domain.ports import WorkspaceRepositoryPort
from repokit.infrastructure.dynamodb.cascade import delete_workspace
from repokit.infrastructure.dynamodb.layout import (
    G1,
    G2,
    WORKSPACES,
    owned_by,
    user_key,
    workspace_attrs,
    workspace_key,
)
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import EntityKind, Scope, load, plan_save, read_entity
from repokit.infrastructure.dynamodb.window import offset_items
from repokit.infrastructure.dynamodb.writes import PRESENT, check
from repokit.infrastructure.memory.listing import as_uuid

WORKSPACE = EntityKind("workspace", Workspace, workspace_key, workspace_attrs)


class DynamoWorkspaceRepository(WorkspaceRepositoryPort):
    """Workspaces in the single table; the owner is checked in the same transaction."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def save(self, workspace: Workspace) -> Workspace:
        """Insert or update a workspace; a missing owner raises ``NotFoundError``."""
        row, writes, _ = await plan_save(self._scope, WORKSPACE, workspace)
        owner = row.owner_id
        writes.append(check(user_key(owner), f"user {owner}", PRESENT))
        await self._scope.apply(writes)
        return row

    async def get_by_id(self, id: UUID) -> Workspace | None:
        """The workspace with this id, or None (also while its delete is in progress)."""
        return await load(self._scope, WORKSPACE, id)

    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        """Workspaces in (created_at, id) order, optionally of one owner (G2)."""
        validate_window(offset, limit)
        if owner_id is None:
            spec = QuerySpec(partition=WORKSPACES, index=G1)
        else:
            spec = QuerySpec(partition=owned_by(as_uuid(owner_id, "owner_id")), index=G2)
        items = await offset_items(self._scope, spec, offset, limit)
        return [await read_entity(self._scope, Workspace, item) for item in items]

    async def delete(self, id: UUID) -> bool:
        """Delete a workspace with its ACL entries, documents and chunks; True if it existed."""
        return await delete_workspace(self._scope, id)
