"""The save rules of declared entities as conditional writes for one ``TransactWriteItems``.

One save is: the entity item (``attribute_not_exists`` for version 0, else a
condition on the stored version), its body parts, its guard items (a newly held
unique value ``attribute_not_exists``, so a taken one is a ``DuplicateError``;
a kept one refreshed; a freed one deleted) and a ``ConditionCheck`` that each
referenced target exists (``NotFoundError``). A batch merges the saves' writes
(one check per target; two entities of the batch holding one unique value is a
``DuplicateError`` before anything is sent) and sends them as one transaction.
A batch bigger than one transaction (100 items) is sent in groups outside a unit
of work when it only inserts, and undoes the groups already written if one
fails, so it is all or nothing for every reader that comes after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from repokit.domain.entity import Entity
from repokit.domain.errors import CapabilityError, ConcurrencyError, DuplicateError, NotFoundError
from repokit.infrastructure.dynamodb.entity_items import EntityItems
from repokit.infrastructure.dynamodb.entity_layout import GUARD_SK, entity_key, part_key
from repokit.infrastructure.dynamodb.entity_reads import read_item
from repokit.infrastructure.dynamodb.items import Item, Key, live, part_count, version_of
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.dynamodb.writes import (
    ABSENT,
    MAX_TRANSACTION_ITEMS,
    PRESENT,
    Write,
    at_version,
    check,
    delete,
    put,
)

E = TypeVar("E", bound=Entity)


@dataclass(frozen=True, slots=True)
class PlannedSave(Generic[E]):
    """The entity as it will be stored and the writes that store it."""

    row: E
    writes: list[Write]
    insert: bool


async def plan_save(scope: Scope, items: EntityItems[E], entity: E) -> PlannedSave[E]:
    """The row and writes of saving ``entity``; raises the save rule it breaks, if it can
    tell by reading (an update of a missing id or of another version)."""
    layout = items.layout
    spec = layout.spec
    key = layout.key(entity.id)
    what = f"{spec.noun} {entity.id}"
    stored: Item | None = None
    if entity.version == 0:
        row = entity.model_copy(update={"version": 1}, deep=True)
        condition = ABSENT
    else:
        stored = live(await scope.get(key))
        if stored is None:
            raise NotFoundError(f"{what} does not exist")
        if version_of(stored) != entity.version:
            raise ConcurrencyError(
                f"{what} is at version {version_of(stored)}, not {entity.version}"
            )
        update: dict[str, Any] = {"version": entity.version + 1}
        if spec.immutable:
            kept = await read_item(scope, items, stored)
            update.update({name: kept.__dict__[name] for name in spec.immutable})
        row = entity.model_copy(update=update, deep=True)
        condition = at_version(entity.version)
    item, parts = items.encode(row)
    writes = [put(key, item, what, condition)]
    writes += [put(k, part, f"part of {what}") for k, part in items.part_writes(row.id, parts)]
    old_parts = 0 if stored is None else part_count(stored)
    writes += [
        delete(part_key(layout.collection, row.id, i), what) for i in range(len(parts), old_parts)
    ]
    writes += _guard_writes(items, row, item, stored)
    values = row.__dict__
    for ref in spec.refs:
        target_id = values[ref.field]
        if target_id is not None:
            target = ref.target_spec
            writes.append(
                check(entity_key(target.table(), target_id), f"{target.noun} {target_id}", PRESENT)
            )
    return PlannedSave(row, writes, stored is None)


def _guard_writes(items: EntityItems[E], row: E, item: Item, stored: Item | None) -> list[Write]:
    layout = items.layout
    values = row.__dict__
    held = set() if stored is None else set(items.held_guards(stored))
    guard = items.guard_item(row.id, item)
    writes: list[Write] = []
    wanted = layout.guards(values)
    for key, group in wanted.items():
        if key in held:
            writes.append(put(key, guard, f"{layout.spec.noun} {row.id}"))
        else:
            taken = f"{layout.spec.noun} {group.label} {group.shown(values)}"
            writes.append(put(key, guard, taken, ABSENT))
    writes += [delete(key, f"{layout.spec.noun} {row.id}") for key in held - wanted.keys()]
    return writes


def merge_batch(noun: str, saves: Sequence[PlannedSave[Any]]) -> list[Write]:
    """The writes of several saves as one transaction's actions (one per item).

    Raises:
        DuplicateError: two entities of the batch would hold one unique value.
    """
    merged: dict[Key, Write] = {}
    for save in saves:
        for write in save.writes:
            earlier = merged.get(write.key)
            if earlier is None:
                merged[write.key] = write
            elif write.check_only:
                continue  # several entities of the batch refer to one target: one check
            elif write.key[1] == GUARD_SK and earlier.delete and write.item is not None:
                # One entity frees the value, another takes it: the guard changes owner;
                # the freeing entity's version condition keeps this in order.
                merged[write.key] = put(write.key, write.item, write.what)
            else:
                raise DuplicateError(f"two {noun} entities of the batch hold {write.what}")
    return list(merged.values())


async def apply_batch(scope: Scope, saves: Sequence[PlannedSave[Any]], writes: list[Write]) -> None:
    """Send a batch's writes: one transaction, or groups that undo themselves (see above)."""
    if scope.in_unit or len(writes) <= MAX_TRANSACTION_ITEMS:
        await scope.apply(writes)
        return
    if not all(save.insert for save in saves):
        raise CapabilityError(
            f"this batch needs {len(writes)} items; DynamoDB writes at most "
            f"{MAX_TRANSACTION_ITEMS} in one transaction, and only a batch of new entities "
            "is split into several (save the updates in smaller batches)"
        )
    await scope.apply_large(writes, undo=True)


__all__ = ["PlannedSave", "apply_batch", "merge_batch", "plan_save"]
