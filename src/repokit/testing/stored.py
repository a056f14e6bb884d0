"""Store helpers the contract tests share: save sample entities, read what is stored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from repokit.domain.entities import Document, User, Workspace
from repokit.domain.ports import StorePort
from repokit.testing.samples import document, user


async def stored_user(store: StorePort, name: str = "ann", **fields: Any) -> User:
    """A saved user."""
    return await store.users.save(user(name, **fields))


async def stored_workspace(
    store: StorePort, name: str = "space", owner: User | None = None, **fields: Any
) -> Workspace:
    """A saved workspace, owned by ``owner`` or by a new user."""
    if owner is None:
        owner = await stored_user(store, f"owner-of-{name}")
    return await store.workspaces.save(Workspace(name=name, owner_id=owner.id, **fields))


async def stored_document(store: StorePort, title: str = "doc", **fields: Any) -> Document:
    """A saved document."""
    return await store.documents.save(document(title, **fields))


async def titles(
    store: StorePort, where: Mapping[str, Any] | None = None, **options: Any
) -> list[str]:
    """Titles of the documents ``list`` returns for ``where``, in list order, up to 10 000."""
    found = await store.documents.list(0, 10_000, where=where, **options)
    return [doc.title for doc in found]


async def snapshot(store: StorePort) -> list[tuple[UUID, int, datetime, int]]:
    """Every document's (id, version, updated_at, chunk count): what "nothing changed" compares."""
    documents = await store.documents.list(0, 10_000)
    return [
        (doc.id, doc.version, doc.updated_at, len(await store.documents.get_chunks(doc.id)))
        for doc in documents
    ]


__all__ = ["snapshot", "stored_document", "stored_user", "stored_workspace", "titles"]
