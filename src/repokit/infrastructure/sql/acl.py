"""Workspace ACL on SQL: one row per (workspace, user)."""

from __future__ import annotations

import builtins
from uuid import UUID

from sqlalchemy import ColumnElement, delete, select

from repokit.domain.clock import utc_now
from repokit.domain.entities import AclEntry, Role
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import WorkspaceAclPort
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.repository import as_uuid
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.write_checks import checked_role

_acl = tables.workspace_acl


class SqlWorkspaceAcl(WorkspaceAclPort):
    """Who may do what in which workspace."""

    def __init__(self, scope: Scope, catalog: Catalog) -> None:
        self._scope = scope
        self._catalog = catalog
        self._mapping = catalog.acl

    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        """Give the user ``role`` in the workspace, replacing any earlier role."""
        chosen = checked_role(role)
        entry = AclEntry.model_construct(
            workspace_id=as_uuid(workspace_id, "workspace_id"),
            user_id=as_uuid(user_id, "user_id"),
            role=chosen,
            granted_at=utc_now(),
        )
        catalog = self._catalog
        params = dict(zip(self._mapping.columns, self._mapping.encode(entry), strict=True))
        workspace_key, user_key = params["workspace_id"], params["user_id"]
        missing = ErrorContext(
            foreign_key=lambda: NotFoundError("the workspace or the user was not found")
        )
        async with self._scope.write(missing) as connection:
            # Checked first so the error names what is missing.
            if await connection.fetch_one(catalog.workspace_exists.sql, (workspace_key,)) is None:
                raise NotFoundError(f"workspace {entry.workspace_id} not found")
            if await connection.fetch_one(catalog.user_exists.sql, (user_key,)) is None:
                raise NotFoundError(f"user {entry.user_id} not found")
            await connection.fetch_all(
                catalog.acl_upsert.sql, [params[name] for name in catalog.acl_upsert.params]
            )
        return entry

    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        """Remove the user's role; True if they had one."""
        statement = delete(_acl).where(self._key(workspace_id, user_id))
        async with self._scope.write(atomic=False) as connection:
            result = await connection.run(statement)
        return bool(result.rowcount)

    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        """The user's role in the workspace, or None."""
        statement = select(_acl.c.role).where(self._key(workspace_id, user_id))
        async with self._scope.read() as connection:
            value = (await connection.run(statement)).scalar()
        return None if value is None else Role(value)

    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        """The workspace's entries in (granted_at, user_id) order."""
        statement = (
            select(_acl)
            .where(_acl.c.workspace_id == as_uuid(workspace_id, "workspace_id"))
            .order_by(_acl.c.granted_at, _acl.c.user_id)
        )
        return await self._entries(statement)

    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        """The user's entries in (granted_at, workspace_id) order."""
        statement = (
            select(_acl)
            .where(_acl.c.user_id == as_uuid(user_id, "user_id"))
            .order_by(_acl.c.granted_at, _acl.c.workspace_id)
        )
        return await self._entries(statement)

    async def _entries(self, statement: object) -> builtins.list[AclEntry]:
        async with self._scope.read() as connection:
            rows = (await connection.run(statement)).all()  # type: ignore[arg-type]
        return [self._mapping.from_row(row) for row in rows]

    @staticmethod
    def _key(workspace_id: UUID, user_id: UUID) -> ColumnElement[bool]:
        return (_acl.c.workspace_id == as_uuid(workspace_id, "workspace_id")) & (
            _acl.c.user_id == as_uuid(user_id, "user_id")
        )


__all__ = ["SqlWorkspaceAcl"]
