"""Deleting a declared entity on DynamoDB: its items, and what refers to it by ``Ref``.

Every entity that refers to the deleted one is found on the GSI slot of its
reference field (a reference is an index): ``begins_with(X<n>SK, <id>!)``. A
``restrict`` reference raises ``InUseError`` before anything is written; a
``cascade`` one deletes the referring entity too, recursively (references form
no cycle: a ``Ref`` names a class declared before). The plan deletes children
before parents, each with its body parts and guard items, and the deleted
entity last, on the condition that it is still there.

Items of repokit's own that go with an entity but are not declared entities
(a user's ACL entries, a workspace's documents) are the ``dependents`` the
store names (:data:`.cascade.BUILT_IN_DEPENDENTS`); they are deleted with it.

The plan is one ``TransactWriteItems`` when it fits (and always inside a unit of
work); a bigger one goes through :func:`.cascade.finish`: the entity is marked
deleted first (readers no longer see it), then the rest goes in batches,
children before parents, and the entity last, so a failure half-way leaves no
child without its parent and running the delete again finishes it. GSIs are
read eventually consistently: a referring entity written a moment before the
delete may not be seen yet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from repokit.domain.entity import Entity, declared_entities
from repokit.domain.entity_spec import RefSpec, spec_of
from repokit.domain.errors import InUseError
from repokit.infrastructure.dynamodb.cascade import Dependents, finish
from repokit.infrastructure.dynamodb.entity_items import EntityItems, items_of
from repokit.infrastructure.dynamodb.entity_keys import SEPARATOR, order_key
from repokit.infrastructure.dynamodb.entity_layout import part_key
from repokit.infrastructure.dynamodb.items import Item, Key, live, part_count
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope

NO_DEPENDENTS: Dependents = {}


def referring(collection: str) -> list[tuple[type[Entity], RefSpec]]:
    """Every declared reference to entities of ``collection``, with the referring class."""
    found: list[tuple[type[Entity], RefSpec]] = []
    for model in declared_entities():
        for ref in spec_of(model).refs:
            if ref.target_spec.collection == collection:
                found.append((model, ref))
    return found


class DeletePlan:
    """The items a delete removes, children first (see the module docs)."""

    def __init__(self, scope: Scope, dependents: Dependents = NO_DEPENDENTS) -> None:
        self._scope = scope
        self._dependents = dependents
        self.keys: dict[Key, None] = {}  # insertion-ordered: children before their parents

    async def follow(self, items: EntityItems[Any], stored: Item) -> None:
        """Plan the delete of the entity stored as ``stored`` and of what refers to it.

        Raises:
            InUseError: a ``restrict`` reference still names it (or a cascaded entity).
        """
        layout = items.layout
        id_ = stored["SK"]["S"]
        key = layout.key(id_)
        if key in self.keys:
            return
        what = f"{layout.spec.noun} {id_}"
        for guard in items.held_guards(stored):  # first: a marked entity's guards go at once
            self.keys[guard] = None
        for model, ref in referring(layout.collection):
            child_items = items_of(model)
            async for child in self._children(child_items, ref, UUID(id_)):
                if ref.on_delete == "restrict":
                    raise InUseError(
                        f"{what} is still referenced by {child_items.layout.spec.noun} "
                        f"{child['SK']['S']}; delete or reassign it first"
                    )
                await self.follow(child_items, child)
        dependents = self._dependents.get(layout.collection)
        if dependents is not None:
            self.keys.update(dict.fromkeys(await dependents(self._scope, UUID(id_))))
        self.keys.update(
            dict.fromkeys(part_key(layout.collection, id_, i) for i in range(part_count(stored)))
        )
        self.keys[key] = None

    async def _children(
        self, items: EntityItems[Any], ref: RefSpec, target: UUID
    ) -> AsyncIterator[Item]:
        slot = items.layout.slot_of(ref.field)
        if slot is None:  # a reference always has an index: its field starts one
            raise RuntimeError(f"{items.layout.spec.name}.{ref.field} has no index slot")
        query = QuerySpec(
            partition=slot.partition,
            index=slot.index,
            prefix=order_key(slot.fields[0], target) + SEPARATOR,
        )
        async for item in self._scope.query(query):
            if live(item) is not None:
                yield item

    async def run(self, root: EntityItems[Any], stored: Item) -> bool:
        """Delete everything planned for the entity stored as ``stored`` (the one
        :meth:`follow` was called with first); True unless it was already marked deleted."""
        key = root.layout.key(stored["SK"]["S"])
        what = f"{root.layout.spec.noun} {stored['SK']['S']}"
        rest = [planned for planned in self.keys if planned != key]
        return await finish(self._scope, key, stored, what, rest)


__all__ = ["DeletePlan", "referring"]
