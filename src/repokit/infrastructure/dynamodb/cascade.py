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

from uuid import UUID

from repokit.domain.errors import InUseError
from repokit.infrastructure.dynamodb.items import GONE, Item, Key, key_of, live, version_of
from repokit.infrastructure.dynamodb.layout import (
    G2,
    acl_of,
    chunk_guard_key,
    document_key,
    email_key,
    owned_by,
    user_key,
    workspace_documents,
    workspace_key,
)
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.dynamodb.writes import (
    MAX_TRANSACTION_ITEMS,
    PRESENT,
    Write,
    at_version,
    delete,
    put,
)


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


async def delete_workspace(scope: Scope, workspace_id: UUID) -> bool:
    """Delete a workspace with its ACL entries, documents and their chunks."""
    key = workspace_key(workspace_id)
    stored = await scope.get(key)
    if stored is None:
        return False
    what = f"workspace {workspace_id}"
    acl = [key_of(item) async for item in scope.query(QuerySpec(partition=key[0], prefix="ACL#"))]
    documents = [
        UUID(item["PK"]["S"].partition("#")[2])
        async for item in scope.query(
            QuerySpec(partition=workspace_documents(workspace_id), index=G2)
        )
    ]
    children = list(acl)
    for document_id in documents:
        children.append(document_key(document_id))
        children += await document_children(scope, document_id)
        if not scope.in_unit and len(children) >= MAX_TRANSACTION_ITEMS:
            break  # too many for one transaction: no need to list them all now
    if scope.in_unit or len(children) < MAX_TRANSACTION_ITEMS:
        return await finish(scope, key, stored, what, children)
    existed = GONE not in stored
    if existed:
        marked = {**stored, GONE: {"BOOL": True}}
        await scope.apply([put(key, marked, what, at_version(version_of(stored)))])
    for document_id in documents:
        await delete_document(scope, document_id)
    await scope.delete_unconditionally(acl)
    await scope.apply([delete(key, what)])
    return existed


async def delete_user(scope: Scope, user_id: UUID) -> bool:
    """Delete a user, their email guard and ACL entries; ``InUseError`` if they own a workspace."""
    key = user_key(user_id)
    stored = live(await scope.get(key))
    if stored is None:
        return False
    async for workspace in scope.query(QuerySpec(partition=owned_by(user_id), index=G2)):
        if live(workspace) is not None:
            raise InUseError(
                f"user {user_id} still owns workspace {workspace['PK']['S'].partition('#')[2]}; "
                "delete or reassign it first"
            )
    writes: list[Write] = [
        delete(key, f"user {user_id}", PRESENT),
        delete(email_key(stored["email"]["S"]), f"user {user_id}"),
    ]
    async for entry in scope.query(QuerySpec(partition=acl_of(user_id), index=G2)):
        writes.append(delete(key_of(entry), f"ACL entry of user {user_id}"))
    if scope.in_unit or len(writes) <= MAX_TRANSACTION_ITEMS:
        await scope.apply(writes)
    else:
        await scope.apply_large(writes, undo=False)
    return True
