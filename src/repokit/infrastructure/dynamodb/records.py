"""Entity items every repository shares: build, read back, and the ``save`` rules.

The one place where this backend applies docs/semantics.md's ``save`` table
(insert with ``attribute_not_exists``, update conditioned on the version) and
maps an entity to its item (:mod:`.items` body, :mod:`.layout` keys) and back,
including the part items of a large body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from repokit.domain.clock import utc_now
from repokit.domain.entities import StoredModel, VersionedModel
from repokit.domain.errors import ConcurrencyError, NotFoundError
from repokit.infrastructure.dynamodb.items import (
    Item,
    Key,
    decode_body,
    encode_body,
    live,
    n,
    parse_ts,
    part_count,
    version_of,
)
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.scope import AutocommitScope, UnitScope
from repokit.infrastructure.dynamodb.writes import ABSENT, Write, at_version, delete, put

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=StoredModel)
V = TypeVar("V", bound=VersionedModel)

Scope = AutocommitScope | UnitScope


@dataclass(frozen=True, slots=True)
class EntityKind(Generic[M]):
    """How one entity type is stored: its model, key and index attributes."""

    name: str
    model: type[M]
    key: Callable[[Any], Key]
    attrs: Callable[[M], Item]


def part_key_of(key: Key, index: int) -> Key:
    """Part ``index`` of the body of the item under ``key``."""
    return (key[0], f"PART#{index:04d}")


def entity_writes(
    kind: EntityKind[M], key: Key, entity: M, condition: Any, old_parts: int = 0
) -> list[Write]:
    """The writes that store ``entity`` under ``key``: its item, its parts, stale parts removed."""
    body, parts = encode_body(entity)
    item: Item = {**kind.attrs(entity), **body}
    version = getattr(entity, "version", None)
    if version is not None:
        item["v"] = n(version)
    what = f"{kind.name} {key[0].partition('#')[2]}"
    writes = [put(key, item, what, condition)]
    writes += [
        put(part_key_of(key, i), {"p": {"B": payload}}, f"part {i} of {what}")
        for i, payload in enumerate(parts)
    ]
    writes += [delete(part_key_of(key, i), what) for i in range(len(parts), old_parts)]
    return writes


async def read_entity(scope: Scope, model: type[M], item: Item) -> M:
    """The entity of a stored ``item``, reading its parts when the body is split."""
    parts = None
    count = part_count(item)
    if count:
        spec = QuerySpec(partition=item["PK"]["S"], prefix="PART#")
        parts = [part["p"]["B"] async for part in scope.query(spec)][:count]
    return decode_body(model, item, parts)


async def load(scope: Scope, kind: EntityKind[M], id_: Any) -> M | None:
    """The entity stored under ``id_``, or None (also while it is being deleted)."""
    item = live(await scope.get(kind.key(id_)))
    return None if item is None else await read_entity(scope, kind.model, item)


async def plan_save(
    scope: Scope, kind: EntityKind[V], entity: V
) -> tuple[V, list[Write], Item | None]:
    """The row to store, its conditional writes, and the stored item an update replaces.

    Version 0 inserts (stored as 1) under ``attribute_not_exists``; version n
    updates an item stored at n (stored as n + 1) under a condition on ``v``, and
    keeps the stored ``created_at`` (read from the item, which an update needs anyway).
    """
    key = kind.key(entity.id)
    update: dict[str, Any] = {}
    if "updated_at" in type(entity).model_fields:
        update["updated_at"] = utc_now()
    if entity.version == 0:
        row = entity.model_copy(update={**update, "version": 1}, deep=True)
        return row, entity_writes(kind, key, row, ABSENT), None
    stored = live(await scope.get(key))
    if stored is None:
        raise NotFoundError(f"{kind.name} {entity.id} does not exist")
    if version_of(stored) != entity.version:
        raise ConcurrencyError(
            f"{kind.name} {entity.id} is at version {version_of(stored)}, not {entity.version}"
        )
    update["version"] = entity.version + 1
    if "created_at" in type(entity).model_fields:
        update["created_at"] = parse_ts(stored["ca"]["S"])
    row = entity.model_copy(update=update, deep=True)
    writes = entity_writes(kind, key, row, at_version(entity.version), part_count(stored))
    return row, writes, stored


def removal(kind: EntityKind[M], key: Key, stored: Item, condition: Any) -> list[Write]:
    """The writes that delete a stored entity item and its body parts."""
    what = f"{kind.name} {key[0].partition('#')[2]}"
    return [
        delete(key, what, condition),
        *(delete(part_key_of(key, i), what) for i in range(part_count(stored))),
    ]


async def insert(scope: Scope, kind: EntityKind[E], entity: E) -> E:
    """Store an append-only entity (audit event, chat message); a taken id is a DuplicateError."""
    row = entity.model_copy(deep=True)
    await scope.apply(entity_writes(kind, kind.key(row.id), row, ABSENT))
    return row
