"""Use cases: create a workspace, share it."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from repokit.application.access import require_role
from repokit.application.units import first_write, undo_on_failure, write_unit
from repokit.domain.entities import AclEntry, AuditEvent, Role, Workspace
from repokit.domain.errors import NotFoundError, PermissionDeniedError
from repokit.domain.ids import uuid7
from repokit.domain.ports import StorePort


async def create_workspace(
    store: StorePort, *, owner_id: UUID, name: str, workspace_id: UUID | None = None
) -> Workspace:
    """Store a workspace whose creator becomes its OWNER, audited, in one unit of work.

    Raises:
        NotFoundError: the owner does not exist.
        DuplicateError: ``workspace_id`` is already used.
    """
    workspace = Workspace(id=workspace_id or uuid7(), name=name, owner_id=owner_id)
    async with write_unit(store) as repositories:
        # Without transactions: deleting the workspace takes its ACL with it.
        forget = partial(store.workspaces.delete, workspace.id)
        saved = await first_write(store, partial(repositories.workspaces.save, workspace), forget)
        async with undo_on_failure(store, forget):
            await repositories.acl.grant(saved.id, owner_id, Role.OWNER)
            await repositories.audit.append(
                AuditEvent(
                    actor_id=owner_id,
                    action="workspace.created",
                    entity_type="workspace",
                    entity_id=str(saved.id),
                    payload={"name": saved.name},
                )
            )
    return saved


async def share_workspace(
    store: StorePort, *, actor_id: UUID, workspace_id: UUID, user_id: UUID, role: Role
) -> AclEntry:
    """Give ``user_id`` the ``role`` in the workspace; the actor must be its OWNER.

    Raises:
        PermissionDeniedError: the actor is not OWNER, or the change would take the
            OWNER role from the workspace's owner.
        NotFoundError: the user to share with does not exist.
    """
    role = Role(role)
    async with write_unit(store) as repositories:
        await require_role(
            repositories,
            user_id=actor_id,
            workspace_id=workspace_id,
            needed=Role.OWNER,
            to="share it",
        )
        workspace = await repositories.workspaces.get_by_id(workspace_id)
        if workspace is not None and workspace.owner_id == user_id and role is not Role.OWNER:
            # The owner's OWNER entry is what lets anyone manage the workspace at all.
            raise PermissionDeniedError(
                f"the owner of workspace {workspace_id} keeps the owner role"
            )
        if await repositories.users.get_by_id(user_id) is None:
            raise NotFoundError(f"no user with id {user_id}")
        previous = await repositories.acl.role_of(workspace_id, user_id)
        restore = partial(_restore_role, store, workspace_id, user_id, previous)
        entry = await first_write(
            store, partial(repositories.acl.grant, workspace_id, user_id, role), restore
        )
        async with undo_on_failure(store, restore):
            await repositories.audit.append(
                AuditEvent(
                    actor_id=actor_id,
                    action="workspace.shared",
                    entity_type="workspace",
                    entity_id=str(workspace_id),
                    payload={"user_id": str(user_id), "role": role.value},
                )
            )
    return entry


async def _restore_role(
    store: StorePort, workspace_id: UUID, user_id: UUID, role: Role | None
) -> None:
    """Put back the role ``user_id`` had before a failed share (None: no role)."""
    if role is None:
        await store.acl.revoke(workspace_id, user_id)
    else:
        await store.acl.grant(workspace_id, user_id, role)


__all__ = ["create_workspace", "share_workspace"]
