"""Small builders the contract tests share: entities, stored fixtures and exact vectors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from repokit.domain.entities import Chunk, Document, User, Workspace
from repokit.domain.ports import StorePort

T0 = datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
"""A fixed moment (millisecond precision) that tests build timestamps from."""

MIN_DIM = 4
"""The contract's vector tests need at least this many dimensions."""


def at(seconds: float = 0.0) -> datetime:
    """``T0`` shifted by ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def uid(n: int) -> UUID:
    """A small, readable UUID whose order is the order of ``n``."""
    return UUID(int=n)


def vector(dim: int, values: Mapping[int, float] | None = None) -> list[float]:
    """A ``dim``-long vector of zeros with ``values`` at the given indices."""
    if dim < MIN_DIM:
        raise AssertionError(f"the contract needs embedding_dim >= {MIN_DIM}, got {dim}")
    out = [0.0] * dim
    for index, value in (values or {}).items():
        out[index] = float(value)
    return out


def basis(dim: int, index: int, scale: float = 1.0) -> list[float]:
    """The unit vector along ``index``, times ``scale``."""
    return vector(dim, {index: scale})


def document(title: str = "doc", **fields: Any) -> Document:
    """An unsaved document; ``content`` defaults to the title."""
    fields.setdefault("content", title)
    return Document(title=title, **fields)


def user(name: str = "ann", **fields: Any) -> User:
    """An unsaved user with the address ``<name>@example.com``."""
    return User(email=f"{name}@example.com", display_name=name.title(), **fields)


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


def chunk(
    document: Document, ordinal: int, embedding: list[float], content: str = "", **fields: Any
) -> Chunk:
    """An unsaved chunk of ``document``."""
    return Chunk(
        document_id=document.id,
        ordinal=ordinal,
        content=content or f"{document.title}#{ordinal}",
        embedding=embedding,
        **fields,
    )


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
