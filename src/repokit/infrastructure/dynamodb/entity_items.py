"""Declared entities <-> DynamoDB items: the entity item, its body parts and guard items.

The body is the entity's pydantic JSON (:func:`.items.encode_body`), so every
field type round-trips exactly (``Decimal`` scale, 64-bit integers, floats,
millisecond datetimes, enums, nested models) and a field added since an item
was written takes its default. Filters and orderings never read the body's
attributes from DynamoDB: the pool keys (:mod:`.entity_layout`) narrow what is
read, and every entity read is checked by the reference evaluator.

Attributes of an entity item: ``d`` / ``z`` / ``parts`` (the body), ``v``
(version), ``uq`` (the keys of the guard items it holds, so an update or a
delete knows them without decoding), and the ``X<n>PK`` / ``X<n>SK`` pool keys.
A guard item holds ``owner`` (the entity's id) and, when the body is inline, a
copy of the body and version.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import spec_of
from repokit.infrastructure.dynamodb.entity_layout import GUARD_SK, EntityLayout, part_key
from repokit.infrastructure.dynamodb.items import Item, Key, decode_body, encode_body, n

E = TypeVar("E", bound=Entity)

BODY_ATTRIBUTES = ("d", "z")
"""Attributes that hold an inline body (plain or compressed JSON)."""
GUARDS = "uq"


class EntityItems(Generic[E]):
    """Build and read the items of one declared entity."""

    def __init__(self, layout: EntityLayout) -> None:
        self.layout = layout
        self.model: type[E] = layout.spec.model  # type: ignore[assignment]

    def encode(self, entity: E) -> tuple[Item, list[bytes]]:
        """The entity item of ``entity`` (without its key) and its body parts, if any."""
        values = entity.__dict__
        body, parts = encode_body(entity)
        item: Item = {**body, "v": n(values["version"]), **self.layout.index_attrs(values)}
        guards = self.layout.guards(values)
        if guards:
            item[GUARDS] = {"L": [{"S": guard[0]} for guard in guards]}
        return item, parts

    def part_writes(self, id_: Any, parts: Sequence[bytes]) -> list[tuple[Key, Item]]:
        """The part items of a body split into ``parts``."""
        collection = self.layout.collection
        return [(part_key(collection, id_, i), {"p": {"B": p}}) for i, p in enumerate(parts)]

    @staticmethod
    def guard_item(id_: Any, item: Item) -> Item:
        """The guard item of the entity ``id_`` stored as ``item``."""
        guard: Item = {"owner": {"S": str(id_)}, "v": item["v"]}
        for name in BODY_ATTRIBUTES:
            if name in item:
                guard[name] = item[name]
        return guard

    @staticmethod
    def held_guards(item: Item) -> list[Key]:
        """The guard keys a stored entity item holds."""
        return [(value["S"], GUARD_SK) for value in item.get(GUARDS, {}).get("L", [])]

    @staticmethod
    def inline(item: Item) -> bool:
        """The item holds the whole body (no part items to read)."""
        return any(name in item for name in BODY_ATTRIBUTES)

    def decode(self, item: Item, parts: list[bytes] | None = None) -> E:
        """The entity stored in ``item`` (with the payloads of its parts, when split)."""
        return decode_body(self.model, item, parts)


@functools.cache
def items_of(model: type[Entity]) -> EntityItems[Any]:
    """The :class:`EntityItems` of a declared entity class, made once per class.

    Raises:
        CapabilityError: the class needs more indexes than the GSI pool has.
    """
    return EntityItems(EntityLayout(spec_of(model)))


__all__ = ["BODY_ATTRIBUTES", "EntityItems", "items_of"]
