"""Workspaces on SQL; deleting one cascades to its ACL, documents and chunks."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from uuid import UUID

from repokit.domain.entities import Workspace
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import WorkspaceRepositoryPort
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.repository import VersionedSqlRepository, as_uuid
from repokit.infrastructure.sql.scopes import Scope


class SqlWorkspaceRepository(VersionedSqlRepository[Workspace], WorkspaceRepositoryPort):
    """Workspaces, each owned by an existing user."""

    noun = "workspace"

    def __init__(self, scope: Scope, catalog: Catalog) -> None:
        super().__init__(scope, catalog.workspaces)

    def _errors(self, entity: Workspace) -> ErrorContext:
        owner_id = entity.owner_id
        return ErrorContext(
            duplicate=f"workspace {entity.id} already exists",
            foreign_key=lambda: NotFoundError(f"user {owner_id} (the owner) not found"),
        )

    def _batch_errors(self, entities: Sequence[Workspace]) -> ErrorContext:
        return ErrorContext(
            duplicate="a workspace of the batch already exists",
            foreign_key=lambda: NotFoundError("an owner named by the batch was not found"),
        )

    async def save(self, workspace: Workspace) -> Workspace:
        """Insert or update a workspace; its owner must exist (``NotFoundError``)."""
        return await super().save(workspace)

    async def get_by_id(self, id: UUID) -> Workspace | None:
        """The workspace with this id, or None."""
        return await super().get_by_id(id)

    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        """Workspaces in (created_at, id) order, optionally of one owner."""
        where = None
        if owner_id is not None:
            where = tables.workspaces.c.owner_id == as_uuid(owner_id, "owner_id")
        return await self._window(offset, limit, where=where)

    async def delete(self, id: UUID) -> bool:
        """Delete a workspace with its ACL entries, documents and chunks (by cascade)."""
        return await super().delete(id)


__all__ = ["SqlWorkspaceRepository"]
