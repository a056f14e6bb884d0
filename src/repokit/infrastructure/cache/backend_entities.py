"""The backend repository the cache wraps for a declared entity.

``repositories.repository(Model)``, the backend's generic repository. A backend
that does not store declared entities yet (``capabilities.entities`` False)
still has its ``users`` and ``workspaces`` ports; for ``User`` and
``Workspace`` those are seen as the generic repository here, so the cache serves
the built-ins through the one mechanism on every backend.

Transitional: once every backend stores declared entities, the two adapters
below (and the fallback in :func:`backend_repository`) can go.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

from repokit.domain.entities import User, Workspace
from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER
from repokit.domain.errors import CapabilityError
from repokit.domain.paging import Page
from repokit.domain.ports import (
    EntityRepositoryPort,
    RepositoriesPort,
    UserRepositoryPort,
    WorkspaceRepositoryPort,
)
from repokit.domain.query import Filter

E = TypeVar("E", bound=Entity)

_CREATION_ORDER = "created_at"


def backend_repository(repositories: RepositoriesPort, model: type[E]) -> EntityRepositoryPort[E]:
    """The generic repository of ``model`` in ``repositories`` (a store or a unit).

    Raises:
        CapabilityError: the backend does not store ``model``.
    """
    try:
        return repositories.repository(model)
    except CapabilityError:
        if model is User:
            return cast(EntityRepositoryPort[E], UsersAsEntities(repositories.users))
        if model is Workspace:
            return cast(EntityRepositoryPort[E], WorkspacesAsEntities(repositories.workspaces))
        raise


class _PortAsEntities(EntityRepositoryPort[E], Generic[E]):
    """The calls ``EntityUserRepository``/``EntityWorkspaceRepository`` never make."""

    def _unsupported(self, call: str) -> CapabilityError:
        return CapabilityError(f"{call} needs a backend that stores declared entities")

    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        raise self._unsupported("save_many")

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> Page[E]:
        raise self._unsupported("page")

    async def count(self, *, where: Filter | None = None) -> int:
        raise self._unsupported("count")

    def _check_listing(self, order_by: str, descending: bool) -> None:
        if order_by != _CREATION_ORDER or descending:
            raise self._unsupported(f"list(order_by={order_by!r}, descending={descending!r})")


class UsersAsEntities(_PortAsEntities[User]):
    """A backend's ``users`` port as the generic repository of ``User``."""

    def __init__(self, users: UserRepositoryPort) -> None:
        self._users = users

    async def save(self, entity: User) -> User:
        return await self._users.save(entity)

    async def get_by_id(self, id: UUID) -> User | None:
        return await self._users.get_by_id(id)

    async def get_by(self, **unique: Any) -> User | None:
        if set(unique) == {"id"}:
            return await self._users.get_by_id(unique["id"])
        if set(unique) == {"email"}:
            return await self._users.find_by_email(unique["email"])
        raise self._unsupported(f"get_by({', '.join(unique)})")

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[User]:
        self._check_listing(order_by, descending)
        if where:
            raise self._unsupported("list(where=...)")
        return await self._users.list(offset, limit)

    async def delete(self, id: UUID) -> bool:
        return await self._users.delete(id)


class WorkspacesAsEntities(_PortAsEntities[Workspace]):
    """A backend's ``workspaces`` port as the generic repository of ``Workspace``."""

    def __init__(self, workspaces: WorkspaceRepositoryPort) -> None:
        self._workspaces = workspaces

    async def save(self, entity: Workspace) -> Workspace:
        return await self._workspaces.save(entity)

    async def get_by_id(self, id: UUID) -> Workspace | None:
        return await self._workspaces.get_by_id(id)

    async def get_by(self, **unique: Any) -> Workspace | None:
        if set(unique) == {"id"}:
            return await self._workspaces.get_by_id(unique["id"])
        raise self._unsupported(f"get_by({', '.join(unique)})")

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[Workspace]:
        self._check_listing(order_by, descending)
        owner_id = (where or {}).get("owner_id")
        if set(where or {}) - {"owner_id"}:
            raise self._unsupported("list(where=...) beyond owner_id")
        return await self._workspaces.list(offset, limit, owner_id=owner_id)

    async def delete(self, id: UUID) -> bool:
        return await self._workspaces.delete(id)


__all__ = ["UsersAsEntities", "WorkspacesAsEntities", "backend_repository"]
