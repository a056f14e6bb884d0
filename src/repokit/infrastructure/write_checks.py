"""What every adapter checks in a write's arguments before it touches the store."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from uuid import UUID

from repokit.domain.entities import Chunk, Role
from repokit.domain.errors import DuplicateError, InvalidQueryError
from repokit.domain.vectors import validate_embedding


def reject_repeated_ids(noun: str, ids: Iterable[Hashable]) -> None:
    """Raise ``DuplicateError`` when a batch names one entity twice (so nothing is written)."""
    seen: set[Hashable] = set()
    for key in ids:
        if key in seen:
            raise DuplicateError(f"{noun} {key} appears twice in the batch")
        seen.add(key)


def checked_role(role: str) -> Role:
    """``role`` as a :class:`Role` (a member or its value), else ``InvalidQueryError``."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidQueryError(f"unknown role {role!r}") from None


def check_chunk_batch(document_id: UUID, chunks: Iterable[Chunk]) -> None:
    """Raise before anything is written when a chunk belongs to another document
    (``InvalidQueryError``) or an id or an ordinal is given twice (``DuplicateError``)."""
    ids: set[UUID] = set()
    ordinals: set[int] = set()
    for chunk in chunks:
        if chunk.document_id != document_id:
            raise InvalidQueryError(
                f"chunk {chunk.id} belongs to document {chunk.document_id}, not {document_id}"
            )
        if chunk.id in ids:
            raise DuplicateError(f"chunk id {chunk.id} is given twice")
        if chunk.ordinal in ordinals:
            raise DuplicateError(f"chunk ({document_id}, {chunk.ordinal}) is given twice")
        ids.add(chunk.id)
        ordinals.add(chunk.ordinal)


def checked_chunks(document_id: UUID, chunks: Sequence[Chunk], dim: int) -> list[Chunk]:
    """The chunks to store, with float32 embeddings, after the argument checks
    (:func:`check_chunk_batch`, and each embedding ``dim`` long), before anything is
    written."""
    check_chunk_batch(document_id, chunks)
    return [
        chunk.model_copy(
            update={
                "embedding": validate_embedding(
                    chunk.embedding, dim, what=f"embedding of chunk {chunk.id}"
                )
            },
            deep=True,
        )
        for chunk in chunks
    ]


__all__ = ["check_chunk_batch", "checked_chunks", "checked_role", "reject_repeated_ids"]
