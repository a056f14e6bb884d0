"""Deletes and what goes with them: references followed, restrictions checked, in batches.

:func:`plan_delete` reads (inside the step) everything a delete implies: the
documents that refer to the deleted one through a ``cascade`` reference,
recursively (a workspace's documents and their chunks, a user's ACL entries, a
declared entity's children), and raises ``InUseError`` for a ``restrict``
reference (a user who owns a workspace) before anything is written. The writes
come back children first, the deleted document last, with the guard documents of
every deleted entity's unique values.

Up to :data:`~.writes.MAX_COMMIT_WRITES` writes the delete is one atomic commit.
A bigger one (outside a unit of work) is written in batches of that size, in
that order, so an interrupted delete never leaves a child without its parent;
running it again finishes it.
"""

from __future__ import annotations

import builtins
from typing import Any

from google.cloud.firestore_v1 import FieldFilter

from repokit.domain.errors import InUseError
from repokit.infrastructure.firestore.scope import Scope, Step, collection_path
from repokit.infrastructure.firestore.tables import (
    GUARDS,
    ChildLink,
    child_links,
    table_named,
)
from repokit.infrastructure.firestore.writes import MAX_COMMIT_WRITES, Write

_RESTRICT_PROBE = 1


async def plan_delete(
    step: Step, collection: str, noun: str, key: str
) -> builtins.list[Write] | None:
    """The writes deleting document ``key`` of ``collection`` and what goes with it;
    None when it does not exist."""
    ref = step.client.db.collection(collection).document(key)
    data = await step.get(ref)
    if data is None:
        return None
    writes: list[Write] = []
    await _follow(step, collection, noun, [(ref, data)], writes)
    writes.extend(_own_writes(collection, ref, data))
    return writes


def _own_writes(collection: str, ref: Any, data: dict[str, Any]) -> builtins.list[Write]:
    """The delete of one document and of its unique values' guards."""
    writes = [Write(ref, None)]
    table = table_named(collection)
    if table is not None:
        guards = ref._client.collection(GUARDS)
        for group in table.unique:
            guard = table.guard_id(group, data)
            if guard is not None:
                writes.append(Write(guards.document(guard), None))
    return writes


async def _follow(
    step: Step,
    collection: str,
    noun: str,
    parents: builtins.list[tuple[Any, dict[str, Any]]],
    writes: builtins.list[Write],
) -> None:
    for link in child_links(collection):
        for parent_ref, _data in parents:
            children = await _children(step, link, parent_ref)
            if not children:
                continue
            if link.on_delete == "restrict":
                child_ref = children[0][0]
                raise InUseError(
                    f"{noun} {parent_ref.id} is still referenced by {link.noun} "
                    f"{child_ref.id}; delete or reassign it first"
                )
            await _follow(step, link.child, link.noun, children, writes)
            for child_ref, child in children:
                writes.extend(_own_writes(link.child, child_ref, child))


async def _children(
    step: Step, link: ChildLink, parent_ref: Any
) -> builtins.list[tuple[Any, dict[str, Any]]]:
    if link.sub:
        collection = parent_ref.collection(link.child)
        query = collection
    else:
        collection = step.client.db.collection(link.child)
        query = collection.where(filter=FieldFilter(link.field, "==", parent_ref.id))
    if link.on_delete == "restrict":
        query = query.limit(_RESTRICT_PROBE)
    parent_id = parent_ref.id
    return await step.documents(
        query,
        collection_path(collection),
        lambda data: link.sub or data.get(link.field) == parent_id,
    )


async def delete_document(scope: Scope, collection: str, noun: str, key: str) -> bool:
    """Delete document ``key`` of ``collection`` and what goes with it; True if it existed."""

    async def step(tx: Step) -> builtins.list[Write] | None:
        writes = await plan_delete(tx, collection, noun, key)
        if writes is None:
            return None
        if len(writes) <= MAX_COMMIT_WRITES or tx.in_unit:
            tx.write(writes)
            return []
        return writes

    large = await scope.run(step)
    if large is None:
        return False
    if large:
        await scope.write_in_batches(large)
    return True


__all__ = ["delete_document", "plan_delete"]
