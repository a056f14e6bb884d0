"""Where a declared entity lives in the single table: its items, keys and GSI slots.

=====================================  ===================================  ==========
item                                   key (PK, SK)                         GSI pool
=====================================  ===================================  ==========
entity                                 ``E#<collection>``, ``<id>``         ``X<n>PK``
body part (bodies over 300 KB)         ``EP#<collection>#<id>``, ``PART#i``
unique guard (one per unique group)    ``EU#<collection>#<fields>#<key>``,
                                       ``EU``
=====================================  ===================================  ==========

* One partition per collection holds its entities, sorted by id (UUIDv7, so
  creation order): ``get_by_id`` is a ``GetItem``; a listing that no index
  serves is a ``Query`` of that partition (never a ``Scan`` of the table).
* Each index of the entity (``Indexed`` fields, references, compound indexes;
  at most :data:`POOL_SIZE`) takes one slot ``n`` of the GSI pool: the item
  carries ``X<n>PK = <collection>#<n>`` and ``X<n>SK = <order keys>!<id>``
  (:mod:`.entity_keys`), so equality on the index's first field is a
  ``begins_with``, a range or an ordering by it a sort-key range, on one GSI
  partition. Slots are assigned in the spec's order of indexes.
* A guard item per non-null unique group value (``attribute_not_exists`` when
  taken, deleted when freed) keeps the group unique inside the same
  ``TransactWriteItems``. It holds the owner's id, version and (inline) body,
  so ``get_by`` is one ``GetItem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from repokit.domain.entity import MAX_INDEXES
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import EntitySpec, FieldSpec
from repokit.domain.errors import CapabilityError
from repokit.infrastructure.dynamodb.entity_keys import (
    SEPARATOR,
    compound_order_key,
    unique_key,
)
from repokit.infrastructure.dynamodb.items import Key

POOL_SIZE = MAX_INDEXES
"""GSIs in the pool (``EX1`` .. ``EX5``) that serve every declared entity's indexes."""
POOL: tuple[str, ...] = tuple(f"EX{n}" for n in range(1, POOL_SIZE + 1))
"""The pool's index names, slot 1 first."""
GUARD_SK = "EU"


def pool_attributes(slot: int) -> tuple[str, str]:
    """The (partition, sort) key attributes of pool slot ``slot`` (1-based)."""
    return (f"X{slot}PK", f"X{slot}SK")


def pool_index(slot: int) -> str:
    """The GSI name of pool slot ``slot``."""
    return POOL[slot - 1]


def entity_partition(collection: str) -> str:
    """The partition holding every entity of ``collection``."""
    return f"E#{collection}"


def entity_key(collection: str, id_: UUID | str) -> Key:
    """The item of one entity."""
    return (entity_partition(collection), str(id_))


def part_partition(collection: str, id_: UUID | str) -> str:
    """The partition of an entity's body parts (apart, so listings never read them)."""
    return f"EP#{collection}#{id_}"


def part_key(collection: str, id_: UUID | str, index: int) -> Key:
    """Part ``index`` of a large body."""
    return (part_partition(collection, id_), f"PART#{index:04d}")


@dataclass(frozen=True, slots=True)
class IndexSlot:
    """One index of an entity and the pool slot that serves it."""

    slot: int
    fields: tuple[FieldSpec, ...]
    partition: str

    @property
    def index(self) -> str:
        """The GSI name."""
        return pool_index(self.slot)

    @property
    def first(self) -> str:
        """The name of the field the index is ordered by first."""
        return self.fields[0].name

    def sort_key(self, values: dict[str, Any]) -> str:
        """``X<n>SK`` of an entity with these values."""
        order = compound_order_key(self.fields, tuple(values[f.name] for f in self.fields))
        return f"{order}{SEPARATOR}{values['id']}"


@dataclass(frozen=True, slots=True)
class UniqueSlot:
    """One unique group and how its guard items are keyed."""

    names: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    collection: str

    @property
    def label(self) -> str:
        """``sku`` or ``(customer_id, number)``, for messages."""
        return self.names[0] if len(self.names) == 1 else f"({', '.join(self.names)})"

    def guard(self, values: dict[str, Any]) -> Key | None:
        """The guard key of these values (None when one is null: nulls never clash)."""
        wanted = tuple(values[name] for name in self.names)
        if any(value is None for value in wanted):
            return None
        group = "+".join(self.names)
        return (f"EU#{self.collection}#{group}#{unique_key(self.fields, wanted)}", GUARD_SK)

    def shown(self, values: dict[str, Any]) -> str:
        """The values, for messages."""
        return ", ".join(
            repr(EntityQueries.order_value(field, values[field.name])) for field in self.fields
        )


class EntityLayout:
    """The keys, GSI slots and guards of one declared entity."""

    def __init__(self, spec: EntitySpec) -> None:
        collection = spec.table()
        if len(spec.indexes) > POOL_SIZE:
            names = ", ".join("+".join(group) for group in spec.indexes[POOL_SIZE:])
            raise CapabilityError(
                f"{spec.name} needs {len(spec.indexes)} indexes, but DynamoDB serves them from "
                f"a pool of {POOL_SIZE} global secondary indexes; no slot is left for {names}"
            )
        self.spec = spec
        self.collection = collection
        self.partition = entity_partition(collection)
        self.slots = tuple(
            IndexSlot(n, tuple(spec.field(name) for name in group), f"{collection}#{n}")
            for n, group in enumerate(spec.indexes, start=1)
        )
        self.unique = tuple(
            UniqueSlot(group, tuple(spec.field(name) for name in group), collection)
            for group in spec.unique
        )

    def key(self, id_: UUID | str) -> Key:
        """The item key of entity ``id_``."""
        return entity_key(self.collection, id_)

    def slot_of(self, field: str) -> IndexSlot | None:
        """The index ordered by ``field`` first (one exists for each ``Indexed`` field and
        each reference), or None."""
        for slot in self.slots:
            if slot.first == field:
                return slot
        return None

    def index_attrs(self, values: dict[str, Any]) -> dict[str, Any]:
        """The pool key attributes of an entity with these values."""
        attrs: dict[str, Any] = {}
        for slot in self.slots:
            pk, sk = pool_attributes(slot.slot)
            attrs[pk] = {"S": slot.partition}
            attrs[sk] = {"S": slot.sort_key(values)}
        return attrs

    def guards(self, values: dict[str, Any]) -> dict[Key, UniqueSlot]:
        """The guard keys an entity with these values holds, with their groups."""
        held: dict[Key, UniqueSlot] = {}
        for group in self.unique:
            key = group.guard(values)
            if key is not None:
                held[key] = group
        return held


__all__ = [
    "POOL",
    "POOL_SIZE",
    "EntityLayout",
    "IndexSlot",
    "UniqueSlot",
    "entity_key",
    "entity_partition",
    "part_key",
    "pool_attributes",
    "pool_index",
]
