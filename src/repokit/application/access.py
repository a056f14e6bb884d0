"""Role checks shared by the use cases."""

from __future__ import annotations

from uuid import UUID

from repokit.domain.entities import Role
from repokit.domain.errors import PermissionDeniedError
from repokit.domain.ports import RepositoriesPort


async def require_role(
    repositories: RepositoriesPort, *, user_id: UUID, workspace_id: UUID, needed: Role, to: str
) -> Role:
    """The user's role in the workspace, if it is at least ``needed``.

    Raises:
        PermissionDeniedError: naming the role needed, the action and the role held.
            A workspace that does not exist gives the same error, so a user
            without access learns nothing about which workspaces exist.
    """
    role = await repositories.acl.role_of(workspace_id, user_id)
    if role is None or role < needed:
        held = f"the {role.value} role" if role is not None else "no role"
        raise PermissionDeniedError(
            f"user {user_id} needs at least the {needed.value} role in workspace "
            f"{workspace_id} to {to}, and has {held}"
        )
    return role


async def readable_workspaces(repositories: RepositoriesPort, user_id: UUID) -> list[UUID]:
    """The workspaces where the user is at least VIEWER, in the order access was granted."""
    entries = await repositories.acl.workspaces_of(user_id)
    return [entry.workspace_id for entry in entries if entry.role >= Role.VIEWER]


__all__ = ["readable_workspaces", "require_role"]
