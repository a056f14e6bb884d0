"""The save rules on Firestore, once for every collection with versions.

:func:`save_all` runs inside a step (:mod:`.scope`), so its reads come first and
its writes go out together, atomically:

1. reads: the stored documents of updates (version and kept fields), the
   referenced documents (``Ref`` targets, a document's workspace), the guard
   documents of unique values; inside a unit of work the documents of inserts too;
2. checks: ``ConcurrencyError`` for a stale version, ``NotFoundError`` for a
   missing target or updated entity, ``DuplicateError`` for a taken id or value;
3. writes: inserts as ``create`` (which Firestore refuses for an existing id, so
   autocommit needs no read for them), updates as ``set``, a guard ``create`` per
   new unique value and a delete per value given up.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from repokit.domain.clock import utc_now
from repokit.domain.errors import (
    ConcurrencyError,
    DuplicateError,
    NotFoundError,
    RepokitError,
)
from repokit.infrastructure.firestore.scope import Step
from repokit.infrastructure.firestore.tables import GUARDS, Table, split_content
from repokit.infrastructure.firestore.values import from_store
from repokit.infrastructure.firestore.writes import Write
from repokit.infrastructure.write_checks import reject_repeated_ids

M = TypeVar("M", bound=BaseModel)


def _refused(error: RepokitError) -> Any:
    def make() -> RepokitError:
        return error

    return make


async def save_all(step: Step, table: Table[M], entities: Sequence[M]) -> builtins.list[M]:
    """Save ``entities`` by the ``save`` rules; all land with the step or none does."""
    reject_repeated_ids(table.noun, (e.__dict__["id"] for e in entities))
    db = step.client.db
    collection = db.collection(table.name)
    refs = [collection.document(str(e.__dict__["id"])) for e in entities]
    read_stored = [e.__dict__["version"] != 0 or step_in_unit(step) for e in entities]
    stored_docs = await step.get_all([r for r, read in zip(refs, read_stored, strict=True) if read])
    stored_iter = iter(stored_docs)
    stored = [next(stored_iter) if read else None for read in read_stored]
    await _check_targets(step, table, entities)
    results: list[M] = []
    writes: list[Write] = []
    guard_writes: dict[str, tuple[Write, str]] = {}
    given_up: list[Any] = []
    now = utc_now()
    for entity, ref, old in zip(entities, refs, stored, strict=True):
        values = entity.__dict__
        version = values["version"]
        update: dict[str, Any] = {}
        if version == 0:
            if old is not None:
                raise DuplicateError(f"{table.noun} {values['id']} already exists")
            update["version"] = 1
        elif old is None:
            raise NotFoundError(f"{table.noun} {values['id']} does not exist")
        elif old.get("version") != version:
            raise ConcurrencyError(
                f"{table.noun} {values['id']} is at version {old.get('version')}, not {version}"
            )
        else:
            update["version"] = version + 1
            for name in table.kept_on_update:
                update[name] = from_store(table.codec.kinds[name], name, old)
        if table.stamps_updated_at:
            update["updated_at"] = now
        # A shallow copy with the mutable (JSON) fields copied: the caller's entity and
        # the one returned share nothing mutable (a deep copy costs 3x as much).
        for name in table.codec.json_fields:
            if name not in update:
                update[name] = copy_json(values[name])
        result = entity.model_copy(update=update)
        data = table.codec.encode(result)
        duplicate = DuplicateError(f"{table.noun} {values['id']} already exists")
        if table.split:
            writes.extend(Write(part, fields) for part, fields in split_content(ref, data))
        if version == 0:
            writes.append(Write(ref, data, "create", _refused(duplicate)))
        else:
            writes.append(Write(ref, data))
        for group in table.unique:
            new_id = table.guard_id(group, data)
            old_id = None if old is None else table.guard_id(group, old)
            if new_id == old_id:
                continue
            if old_id is not None:
                given_up.append(db.collection(GUARDS).document(old_id))
            if new_id is not None:
                taken = DuplicateError(_taken(table, group, result))
                if new_id in guard_writes:
                    raise taken
                guard = Write(
                    db.collection(GUARDS).document(new_id),
                    {"owner": str(values["id"]), "collection": table.name},
                    "create",
                    _refused(taken),
                )
                guard_writes[new_id] = (guard, str(values["id"]))
        results.append(result)
    await _check_guards(step, [w for w, _ in guard_writes.values()])
    step.write([*writes, *(w for w, _ in guard_writes.values())])
    step.write([Write(ref, None) for ref in given_up])
    return results


def copy_json(value: Any) -> Any:
    """A copy of a JSON value (nested models copied deep)."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_copy(deep=True)
    return value


def step_in_unit(step: Step) -> bool:
    """Inside a unit of work, inserts are checked when made (not only at commit)."""
    return step.in_unit


async def _check_guards(step: Step, guards: Sequence[Write]) -> None:
    """``DuplicateError`` for a unique value another entity holds (read with the step)."""
    if not guards:
        return
    found = await step.get_all([guard.ref for guard in guards])
    for guard, data in zip(guards, found, strict=True):
        if data is not None and guard.data is not None and data.get("owner") != guard.data["owner"]:
            assert guard.refused is not None
            raise guard.refused()


async def _check_targets(step: Step, table: Table[Any], entities: Sequence[BaseModel]) -> None:
    """``NotFoundError`` unless every reference names a stored document."""
    db = step.client.db
    for rule in table.refs:
        wanted = sorted({str(v) for e in entities if (v := e.__dict__[rule.field]) is not None})
        if not wanted:
            continue
        refs = [db.collection(rule.target).document(key) for key in wanted]
        for key, data in zip(wanted, await step.get_all(refs), strict=True):
            if data is None:
                raise NotFoundError(f"{rule.noun} {key} does not exist")


def _taken(table: Table[Any], group: tuple[str, ...], entity: BaseModel) -> str:
    values = entity.__dict__
    shown = ", ".join(repr(getattr(values[name], "value", values[name])) for name in group)
    label = group[0] if len(group) == 1 else f"({', '.join(group)})"
    return f"{table.noun} {label} {shown} is taken"


async def insert_all(
    step: Step, collection: str, noun: str, items: Sequence[Any], data: Any
) -> None:
    """Insert append-only records (audit events, chat messages): a repeated id is a
    ``DuplicateError``. ``data(item)`` gives a record's fields."""
    reject_repeated_ids(noun, (item.id for item in items))
    refs = [step.client.db.collection(collection).document(str(item.id)) for item in items]
    if step_in_unit(step):
        for item, found in zip(items, await step.get_all(refs), strict=True):
            if found is not None:
                raise DuplicateError(f"{noun} {item.id} already exists")
    step.write(
        [
            Write(
                ref,
                data(item),
                "create",
                _refused(DuplicateError(f"{noun} {item.id} already exists")),
            )
            for ref, item in zip(refs, items, strict=True)
        ]
    )


__all__ = ["copy_json", "insert_all", "save_all", "step_in_unit"]
