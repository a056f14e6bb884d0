"""The cache keys of one declared entity: by id, and by the values of each unique group.

``get_by(**values)`` is cached under a digest of the group's field names and
values in a canonical form, so values that ``get_by`` treats as equal share one
key (``1`` and ``1.0``, ``Decimal("1.0")`` and ``Decimal("1.00")``, one instant
written in two zones), and a write, which invalidates the keys of the values it
stores, reaches every spelling a reader could have used. The digest keeps the
values out of key names.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Context, Decimal
from typing import Any
from uuid import UUID

import msgspec

from repokit.domain.entity import MAX_DECIMAL_DIGITS
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import EntitySpec
from repokit.domain.json_values import INT64_LIMIT
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys

_DECIMALS = Context(prec=MAX_DECIMAL_DIGITS)
"""Enough precision to normalise every storable decimal exactly."""
_ENCODE = msgspec.json.Encoder().encode


@dataclass(frozen=True, slots=True)
class EntityKeys:
    """The keys of one declared entity's cached lookups, in one namespace.

    ``collection`` is the spec's, which the keys carry; it is also the lookup kind
    of ``get_by_id`` in the counters and the TTL settings.
    """

    keys: CacheKeys
    spec: EntitySpec
    collection: str
    unique_kinds: Mapping[tuple[str, ...], str]

    @classmethod
    def of_spec(cls, keys: CacheKeys, spec: EntitySpec) -> EntityKeys:
        """The keys of the storable entity ``spec`` describes."""
        collection = spec.table()
        kinds = {group: f"{collection}:{'+'.join(group)}" for group in spec.unique}
        return cls(keys, spec, collection, kinds)

    def unique_kind(self, values: Mapping[str, Any]) -> str:
        """The lookup kind of ``get_by(**values)``, e.g. ``orders:customer_id+number``."""
        return self.unique_kinds[tuple(values)]

    def by_id(self, entity_id: UUID) -> CacheKey:
        """The key of ``get_by_id(entity_id)``."""
        return self.keys.entity(self.collection, entity_id)

    def by_unique(self, values: Mapping[str, Any]) -> CacheKey:
        """The key of ``get_by(**values)``, ``values`` as ``EntityQueries.unique_key`` returns
        them (one unique group's fields, in the group's order, none null; not ``id``, whose
        lookup is :meth:`by_id`'s)."""
        canonical = [[name, _canonical(value)] for name, value in values.items()]
        digest = hashlib.blake2s(_ENCODE(canonical), digest_size=16).hexdigest()
        return self.keys.unique(self.collection, digest)

    def unique_values(self, entity: Any) -> list[dict[str, Any]]:
        """The values of each unique group of ``entity`` that has no null among them."""
        groups = []
        for group in self.spec.unique:
            values = {name: EntityQueries.order_value_of(entity, name) for name in group}
            if all(value is not None for value in values.values()):
                groups.append(values)
        return groups

    def keys_of(self, entities: Iterable[Any]) -> set[CacheKey]:
        """Every key a write of ``entities`` touches: each one's id and unique values."""
        found: set[CacheKey] = set()
        for entity in entities:
            found.add(self.by_id(entity.id))
            found.update(self.by_unique(values) for values in self.unique_values(entity))
        return found


def _canonical(value: Any) -> Any:
    """One JSON value per class of values that compare equal (see the module docs)."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, float):
        # An integral float equals that int (no stored int lies beyond 64 bits).
        return int(value) if value.is_integer() and -INT64_LIMIT <= value < INT64_LIMIT else value
    if isinstance(value, Decimal):
        return "0" if value.is_zero() else str(value.normalize(_DECIMALS))
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    return value  # int


__all__ = ["EntityKeys"]
