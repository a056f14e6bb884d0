"""Small builders the contract tests share: entities, timestamps, ids and exact vectors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from repokit.domain.entities import Chunk, Document, User

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
