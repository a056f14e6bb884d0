"""Row operations shared by every in-memory repository: mapping, save rules, deletes.

This is the one place where the memory backend maps entities to rows and back,
applies the ``save`` rules of versioned entities, checks foreign keys and
unique constraints, and cascades or restricts deletes, all driven by
:mod:`.schema`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel

from repokit.domain.clock import utc_now
from repokit.domain.entities import Entity, StoredModel, VersionedModel
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import ConcurrencyError, DuplicateError, InUseError, NotFoundError
from repokit.infrastructure.memory.schema import OnDelete
from repokit.infrastructure.memory.state import K, R, Table
from repokit.infrastructure.memory.transaction import MemoryTransaction
from repokit.infrastructure.write_checks import reject_repeated_ids

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=StoredModel)
V = TypeVar("V", bound=VersionedModel)


def to_row(entity: M) -> M:
    """The private copy that is stored: deep, so the caller's dicts and lists stay theirs."""
    return entity.model_copy(deep=True)


def to_entity(row: M) -> M:
    """A copy of a stored row for the caller, who may mutate it freely."""
    return row.model_copy(deep=True)


def get_entity(transaction: MemoryTransaction, table: Table[K, M], key: K) -> M | None:
    """A copy of the row under ``key``, or None."""
    row = transaction.rows(table).get(key)
    return None if row is None else to_entity(row)


def check_row(transaction: MemoryTransaction, table: Table[K, R], key: K, row: R) -> None:
    """Raise unless ``row`` may be stored under ``key``: references exist, unique values are free.

    Raises:
        NotFoundError: a referenced row (workspace, owner, document, user) is missing.
        DuplicateError: a unique value (email, chunk id, ...) is used by another row.
    """
    for fk in transaction.schema.foreign_keys:
        if fk.child == table:
            parent = fk.reference(key, row)
            if parent is not None and parent not in transaction.rows(fk.parent):
                raise NotFoundError(f"{fk.parent.entity} {parent} does not exist")
    for unique in transaction.schema.unique:
        if unique.table != table:
            continue
        values: list[Hashable] = list(unique.values(row))
        taken: set[Hashable] = set()
        for value in values:
            if value in taken:
                raise DuplicateError(f"{unique.what} {value} is given twice")
            taken.add(value)
        for other_key, other in transaction.rows(table).items():
            clash = taken.intersection(unique.values(other)) if other_key != key else None
            if clash:
                raise DuplicateError(f"{unique.what} {next(iter(clash))} is already used")


def put_row(transaction: MemoryTransaction, table: Table[K, R], key: K, row: R) -> None:
    """Store ``row`` under ``key`` after checking references and unique values."""
    check_row(transaction, table, key, row)
    transaction.put(table, key, row)


def insert_row(transaction: MemoryTransaction, table: Table[K, R], key: K, row: R) -> None:
    """Store a new row; ``DuplicateError`` if ``key`` is taken."""
    if key in transaction.rows(table):
        raise DuplicateError(f"{table.entity} {key} already exists")
    put_row(transaction, table, key, row)


def insert_entity(transaction: MemoryTransaction, table: Table[UUID, E], entity: E) -> E:
    """Store an append-only entity (audit event, chat message) under its ``id``."""
    row = to_row(entity)
    insert_row(transaction, table, row.id, row)
    return to_entity(row)


def delete_row(transaction: MemoryTransaction, table: Table[K, Any], key: K) -> bool:
    """Delete a row, cascading or restricting along the schema's foreign keys.

    Returns:
        True if the row existed.

    Raises:
        InUseError: a RESTRICT reference still points at the row (the caller's
            statement is undone, so nothing changes).
    """
    if key not in transaction.rows(table):
        return False
    for fk in transaction.schema.foreign_keys:
        if fk.parent != table:
            continue
        children = [
            child_key
            for child_key, child in transaction.rows(fk.child).items()
            if fk.reference(child_key, child) == key
        ]
        if children and fk.on_delete is OnDelete.RESTRICT:
            raise InUseError(
                f"{table.entity} {key} is still referenced by {len(children)} "
                f"{fk.child.entity}(s); delete or reassign them first"
            )
        for child_key in children:
            delete_row(transaction, fk.child, child_key)
    transaction.remove(table, key)
    return True


def save_versioned(transaction: MemoryTransaction, table: Table[UUID, V], entity: V) -> V:
    """Apply the ``save`` rules of docs/semantics.md and store the result.

    Version 0 inserts (stored as 1), version n updates a row stored at n (stored as
    n + 1). The kept fields (a declared entity's ``Immutable`` ones, a document's
    ``created_at``) come from the entity on insert and from the stored row on
    update; a document's ``updated_at`` is set to now.
    """
    stored = transaction.rows(table).get(entity.id)
    update: dict[str, Any]
    if entity.version == 0:
        if stored is not None:
            raise DuplicateError(f"{table.entity} {entity.id} already exists")
        update = {"version": 1}
    elif stored is None:
        raise NotFoundError(f"{table.entity} {entity.id} does not exist")
    elif stored.version != entity.version:
        raise ConcurrencyError(
            f"{table.entity} {entity.id} is at version {stored.version}, not {entity.version}"
        )
    else:
        update = {"version": entity.version + 1}
        for name in kept_on_update(type(entity)):
            update[name] = stored.__dict__[name]
    if stamps_updated_at(type(entity)):
        update["updated_at"] = utc_now()
    row = entity.model_copy(update=update, deep=True)
    put_row(transaction, table, row.id, row)
    return to_entity(row)


def kept_on_update(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields an update keeps from the stored row: ``Immutable`` ones, or ``created_at``."""
    if issubclass(model, Entity):
        return spec_of(model).immutable
    return tuple(name for name in ("created_at",) if name in model.model_fields)


def stamps_updated_at(model: type[BaseModel]) -> bool:
    """Documents get ``updated_at`` set on every save; declared entities set their own."""
    return not issubclass(model, Entity) and "updated_at" in model.model_fields


def save_all(
    transaction: MemoryTransaction, table: Table[UUID, V], entities: Sequence[V]
) -> list[V]:
    """Save several entities in one statement; a repeated id raises ``DuplicateError``."""
    reject_repeated_ids(table.entity, (entity.id for entity in entities))
    return [save_versioned(transaction, table, entity) for entity in entities]
