"""What a delete of a declared entity removes, as the cache keys to invalidate.

The entity itself (its id and unique-value keys), and whatever goes with it:

* through ``Ref(..., on_delete="cascade")``, recursively: every declared entity
  referring to it with a cascading reference, found page by page through its
  (indexed) reference field, then what refers to those, and so on;
* through a :data:`CascadeHook` declared for its class: what the backend's own
  tables drop with it (a workspace's documents and its members' roles, a
  user's roles; see :mod:`.builtin_cascades`).

The reads run where the caller runs them: in the unit (the transaction) of the
delete where the backend has transactions (see :class:`~.invalidation.Cascades`).
References that ``restrict`` are not followed: while one exists the delete is
refused and removes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

from repokit.domain.entity import Entity, declared_entities
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import CapabilityError
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.cache.entity_keys import EntityKeys
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys

CASCADE_PAGE = 500
"""Entities read per page while collecting what a cascade removes."""

CascadeHook = Callable[[RepositoriesPort, CacheKeys, UUID], Awaitable[list[CacheKey]]]
"""The keys of what a backend drops with an entity beyond its ``Ref`` cascades."""


def cascading_references(model: type[Entity]) -> list[tuple[type[Entity], str]]:
    """``(entity class, field)`` of every declared reference to ``model`` that cascades."""
    return [
        (referrer, ref.field)
        for referrer in declared_entities()
        for ref in spec_of(referrer).refs
        if ref.target is model and ref.on_delete == "cascade"
    ]


class Removals:
    """Collects the keys a delete makes stale (see the module docs).

    Args:
        keys: the namespace's keys.
        hooks: a :data:`CascadeHook` per entity class whose backend tables cascade
            beyond its references (the built-ins').
    """

    def __init__(self, keys: CacheKeys, hooks: Mapping[type[Entity], CascadeHook]) -> None:
        self._keys = keys
        self._hooks = hooks

    def keys_of(self, model: type[Entity]) -> EntityKeys:
        """The cache keys of ``model``'s entities."""
        return EntityKeys.of_spec(self._keys, spec_of(model))

    async def removed(
        self, repositories: RepositoriesPort, model: type[Entity], entity_id: UUID
    ) -> list[CacheKey]:
        """The keys of ``model``'s entity ``entity_id`` and of everything its delete removes."""
        entity: Entity | None = None
        if spec_of(model).unique:
            # Its unique-value keys need its values, which only the stored row has.
            entity = await repositories.repository(model).get_by_id(entity_id)
        found: list[CacheKey] = []
        await self._collect(repositories, model, entity_id, entity, found, set())
        return found

    async def _collect(
        self,
        repositories: RepositoriesPort,
        model: type[Entity],
        entity_id: UUID,
        entity: Entity | None,
        found: list[CacheKey],
        seen: set[tuple[type[Entity], UUID]],
    ) -> None:
        if (model, entity_id) in seen:
            return  # a cycle of cascading references
        seen.add((model, entity_id))
        entity_keys = self.keys_of(model)
        found.append(entity_keys.by_id(entity_id))
        if entity is not None:
            found.extend(map(entity_keys.by_unique, entity_keys.unique_values(entity)))
        hook = self._hooks.get(model)
        if hook is not None:
            found.extend(await hook(repositories, self._keys, entity_id))
        for referrer, field in cascading_references(model):
            async for children in _referring(repositories, referrer, field, entity_id):
                for child in children:
                    await self._collect(repositories, referrer, child.id, child, found, seen)


async def _referring(
    repositories: RepositoriesPort, model: type[Entity], field: str, target_id: UUID
) -> AsyncIterator[list[Any]]:
    """The entities of ``model`` whose ``field`` holds ``target_id``, a page at a time."""
    try:
        entities = repositories.repository(model)
    except CapabilityError:
        return  # the backend cannot store them, so none refers to anything
    cursor: str | None = None
    while True:
        page = await entities.page(CASCADE_PAGE, cursor, where={field: target_id})
        yield page.items
        cursor = page.next_cursor
        if cursor is None:
            return


__all__ = ["CASCADE_PAGE", "CascadeHook", "Removals", "cascading_references"]
