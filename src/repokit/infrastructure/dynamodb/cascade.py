"""Deletes and their cascades: one transaction when they fit, else mark, batch, finish.

A delete that fits one ``TransactWriteItems`` (100 items) is one. A bigger one
outside a unit of work (a document with many chunks, a workspace with thousands
of documents) first marks the parent item ``gone`` under its version condition,
so readers treat it as deleted at once; then deletes the children in batches;
then the parent. A delete that was interrupted leaves the mark, and running it
again finishes the job. Inside a unit of work every delete is part of the
unit's one transaction (more than 100 items raise ``CapabilityError``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from uuid import UUID

from repokit.infrastructure.dynamodb.items import GONE, Item, Key, key_of, version_of
from repokit.infrastructure.dynamodb.layout import (
    G2,
    acl_of,
    chunk_guard_key,
    document_key,
    workspace_acl,
    workspace_documents,
)
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.dynamodb.writes import (
    MAX_TRANSACTION_ITEMS,
    PRESENT,
    at_version,
    delete,
    put,
)

Dependents = Mapping[str, Callable[[Scope, UUID], Awaitable[list[Key]]]]
"""Per collection: the keys of items no entity declares that go with an entity of it."""


async def document_children(scope: Scope, document_id: UUID) -> list[Key]:
    """Every item that goes with a document: body parts, chunks and chunk-id guards."""
    partition = document_key(document_id)[0]
    keys: list[Key] = []
    async for item in scope.query(QuerySpec(partition=partition)):
        key = key_of(item)
        if key[1] == "DOC":
            continue
        keys.append(key)
        if key[1].startswith("CHUNK#"):
            keys.append(chunk_guard_key(UUID(item["cid"]["S"])))
    return keys


async def finish(scope: Scope, key: Key, stored: Item, what: str, children: list[Key]) -> bool:
    """Delete ``key`` and ``children`` atomically, or mark-then-batch when they are too many.

    Returns True when the item was live (not already marked by an interrupted delete).
    """
    existed = GONE not in stored
    main = delete(key, what, PRESENT if existed else None)
    rest = [delete(child, what) for child in children]
    if scope.in_unit or len(rest) < MAX_TRANSACTION_ITEMS:
        await scope.apply([main, *rest])
        return existed
    if existed:
        marked = {**stored, GONE: {"BOOL": True}}
        await scope.apply([put(key, marked, what, at_version(version_of(stored)))])
    await scope.delete_unconditionally(children)
    await scope.apply([delete(key, what)])
    return existed


async def delete_document(scope: Scope, document_id: UUID) -> bool:
    """Delete a document with its parts and chunks; True if it existed."""
    key = document_key(document_id)
    stored = await scope.get(key)
    if stored is None:
        return False
    children = await document_children(scope, document_id)
    return await finish(scope, key, stored, f"document {document_id}", children)


async def user_dependents(scope: Scope, user_id: UUID) -> list[Key]:
    """The items that go with a user: their ACL entries (G2)."""
    return [
        key_of(entry) async for entry in scope.query(QuerySpec(partition=acl_of(user_id), index=G2))
    ]


async def workspace_dependents(scope: Scope, workspace_id: UUID) -> list[Key]:
    """The items that go with a workspace: its ACL entries, its documents and theirs.

    Each document's items come before the document, so a delete interrupted half-way
    leaves no chunk without its document, and running it again finds the rest.
    """
    spec = QuerySpec(partition=workspace_acl(workspace_id), prefix="ACL#")
    keys = [key_of(entry) async for entry in scope.query(spec)]
    documents = QuerySpec(partition=workspace_documents(workspace_id), index=G2)
    async for item in scope.query(documents):
        document_id = UUID(item["PK"]["S"].partition("#")[2])
        keys += await document_children(scope, document_id)
        keys.append(document_key(document_id))
    return keys


BUILT_IN_DEPENDENTS: Dependents = {"users": user_dependents, "workspaces": workspace_dependents}
"""What goes with a user and a workspace: items of repokit's own that no entity declares."""
