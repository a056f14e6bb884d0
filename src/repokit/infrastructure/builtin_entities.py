"""The user and workspace ports on the declared-entity layer, for every backend.

``User`` and ``Workspace`` are declared entities, stored by each backend's generic
entity repository; these small classes add their ports' special rules on top:

* users: the email is stored lower-cased (also for an unvalidated copy, since
  ``model_copy(update=...)`` skips the validator); ``find_by_email`` is
  ``get_by(email=...)``; listings run in ``(created_at, id)`` order;
* workspaces: listings in ``(created_at, id)`` order, optionally of one owner.

Deletes are the generic ones: ``Ref`` rules (a user who owns a workspace is
refused) and the backend's cascades of the built-in tables (ACL entries,
documents) apply there. Driver-free, so the sync twin is generated.
"""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import User, Workspace, normalize_email
from repokit.domain.ports import EntityRepositoryPort, UserRepositoryPort, WorkspaceRepositoryPort

_CREATION_ORDER = "created_at"


class EntityUserRepository(UserRepositoryPort):
    """``users`` over the generic repository of ``User``."""

    def __init__(self, entities: EntityRepositoryPort[User]) -> None:
        self.entities = entities

    async def save(self, user: User) -> User:
        """Insert or update a user; an email used by another user raises ``DuplicateError``."""
        email = normalize_email(user.email)
        if email != user.email:
            user = user.model_copy(update={"email": email})
        return await self.entities.save(user)

    async def get_by_id(self, id: UUID) -> User | None:
        """The user with this id, or None."""
        return await self.entities.get_by_id(id)

    async def find_by_email(self, email: str) -> User | None:
        """The user with this email, compared without regard to case or surrounding spaces."""
        return await self.entities.get_by(email=normalize_email(email))

    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        """Users in (created_at, id) order."""
        return await self.entities.list(offset, limit, order_by=_CREATION_ORDER)

    async def delete(self, id: UUID) -> bool:
        """Delete a user and their ACL entries; ``InUseError`` while they own a workspace."""
        return await self.entities.delete(id)


class EntityWorkspaceRepository(WorkspaceRepositoryPort):
    """``workspaces`` over the generic repository of ``Workspace``."""

    def __init__(self, entities: EntityRepositoryPort[Workspace]) -> None:
        self.entities = entities

    async def save(self, workspace: Workspace) -> Workspace:
        """Insert or update a workspace; a missing owner raises ``NotFoundError``."""
        return await self.entities.save(workspace)

    async def get_by_id(self, id: UUID) -> Workspace | None:
        """The workspace with this id, or None."""
        return await self.entities.get_by_id(id)

    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        """Workspaces in (created_at, id) order, optionally of one owner."""
        where = None if owner_id is None else {"owner_id": owner_id}
        return await self.entities.list(offset, limit, where=where, order_by=_CREATION_ORDER)

    async def delete(self, id: UUID) -> bool:
        """Delete a workspace with its ACL entries, documents and chunks; True if it existed."""
        return await self.entities.delete(id)


__all__ = ["EntityUserRepository", "EntityWorkspaceRepository"]
