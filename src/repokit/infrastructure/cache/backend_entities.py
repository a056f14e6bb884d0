"""The backend repository the cache wraps for a declared entity.

``repositories.repository(Model)``, the backend's generic repository. A backend
whose generic repository does not store ``User`` and ``Workspace`` yet (today
DynamoDB, where they keep classes of their own) still has its ``users`` and
``workspaces`` ports; for ``User`` and ``Workspace`` those are seen as the
generic repository here, so the cache serves the built-ins through the one
mechanism on every backend.

Transitional: once DynamoDB's built-ins move onto its generic repository, the
two adapters below (and the fallback in :func:`backend_repository`) can go.
"""

from __future__ import annotations

import builtins
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar, cast
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


class _Port(Protocol[E]):
    """What the users and workspaces ports have in common."""

    async def save(self, entity: E, /) -> E: ...

    async def get_by_id(self, id: UUID, /) -> E | None: ...

    async def delete(self, id: UUID, /) -> bool: ...


class _PortAsEntities(EntityRepositoryPort[E], Generic[E]):
    """A built-in port as a generic repository: the calls its ``Entity*Repository`` makes
    (save, reads by id and unique value, listings in creation order, delete)."""

    def __init__(self, port: _Port[E]) -> None:
        self._port = port

    async def save(self, entity: E) -> E:
        return await self._port.save(entity)

    async def get_by_id(self, id: UUID) -> E | None:
        return await self._port.get_by_id(id)

    async def get_by(self, **unique: Any) -> E | None:
        if set(unique) == {"id"}:
            return await self._port.get_by_id(unique["id"])
        return await self._get_by(unique)

    async def _get_by(self, unique: dict[str, Any]) -> E | None:
        raise _unsupported(f"get_by({', '.join(unique)})")

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[E]:
        if order_by != _CREATION_ORDER or descending:
            raise _unsupported(f"list(order_by={order_by!r}, descending={descending!r})")
        return await self._list(offset, limit, dict(where or {}))

    @abstractmethod
    async def _list(self, offset: int, limit: int, where: dict[str, Any]) -> builtins.list[E]:
        """The port's listing in creation order, filtered by ``where``."""

    async def delete(self, id: UUID) -> bool:
        return await self._port.delete(id)

    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        raise _unsupported("save_many")

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> Page[E]:
        raise _unsupported("page")

    async def count(self, *, where: Filter | None = None) -> int:
        raise _unsupported("count")


class UsersAsEntities(_PortAsEntities[User]):
    """A backend's ``users`` port as the generic repository of ``User``."""

    def __init__(self, users: UserRepositoryPort) -> None:
        super().__init__(users)
        self._users = users

    async def _get_by(self, unique: dict[str, Any]) -> User | None:
        if set(unique) == {"email"}:
            return await self._users.find_by_email(unique["email"])
        return await super()._get_by(unique)

    async def _list(self, offset: int, limit: int, where: dict[str, Any]) -> builtins.list[User]:
        if where:
            raise _unsupported("list(where=...)")
        return await self._users.list(offset, limit)


class WorkspacesAsEntities(_PortAsEntities[Workspace]):
    """A backend's ``workspaces`` port as the generic repository of ``Workspace``."""

    def __init__(self, workspaces: WorkspaceRepositoryPort) -> None:
        super().__init__(workspaces)
        self._workspaces = workspaces

    async def _list(
        self, offset: int, limit: int, where: dict[str, Any]
    ) -> builtins.list[Workspace]:
        owner_id = where.pop("owner_id", None)
        if where:
            raise _unsupported("list(where=...) beyond owner_id")
        return await self._workspaces.list(offset, limit, owner_id=owner_id)


def _unsupported(call: str) -> CapabilityError:
    return CapabilityError(f"{call} needs a backend that stores declared entities")


__all__ = ["UsersAsEntities", "WorkspacesAsEntities", "backend_repository"]
