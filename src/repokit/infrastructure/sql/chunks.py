"""Writing and reading a document's chunks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import numpy as np

from repokit.domain.entities import Chunk
from repokit.domain.errors import DuplicateError, InvalidQueryError, NotFoundError
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.repository import COPY_MIN_ROWS
from repokit.infrastructure.sql.scopes import Scope

_FLOAT32_MAX = 3.4e38


def embedding_matrix(chunks: Sequence[Chunk], dim: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The chunks' embeddings as one float32 matrix, after validating them.

    Vectorised: one numpy conversion for the whole batch instead of a check and
    a conversion per float.
    """
    for chunk in chunks:
        if len(chunk.embedding) != dim:
            raise InvalidQueryError(
                f"chunk {chunk.id}: embedding has {len(chunk.embedding)} dimensions, expected {dim}"
            )
    if not chunks:
        return np.empty((0, dim), dtype=np.float32)
    try:
        matrix = np.asarray([chunk.embedding for chunk in chunks], dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidQueryError("embeddings must contain only numbers") from None
    if not bool(np.all(np.isfinite(matrix) & (np.abs(matrix) < _FLOAT32_MAX))):
        raise InvalidQueryError("an embedding contains NaN, infinity or a value beyond float32")
    return matrix.astype(np.float32)


def pack_embeddings(chunks: Sequence[Chunk], dim: int) -> list[bytes]:
    """Each chunk's embedding as packed little-endian float32 (SQLite's storage)."""
    packed = embedding_matrix(chunks, dim).astype("<f4")
    return [row.tobytes() for row in packed]


async def add_chunks(
    scope: Scope, catalog: Catalog, dim: int, document_id: UUID, chunks: Sequence[Chunk]
) -> None:
    """Store ``chunks`` of document ``document_id``, all or none (see docs/semantics.md)."""
    batch = list(chunks)
    ids: set[UUID] = set()
    ordinals: set[int] = set()
    for chunk in batch:
        if chunk.document_id != document_id:
            raise InvalidQueryError(
                f"chunk {chunk.id} belongs to document {chunk.document_id}, not {document_id}"
            )
        if chunk.id in ids:
            raise DuplicateError(f"chunk {chunk.id} appears twice in the batch")
        if chunk.ordinal in ordinals:
            raise DuplicateError(f"ordinal {chunk.ordinal} appears twice in the batch")
        ids.add(chunk.id)
        ordinals.add(chunk.ordinal)
    matrix = embedding_matrix(batch, dim)
    vectors = catalog.embedding_values(matrix)
    statements = catalog.chunks
    mapping = statements.mapping
    encoders = [(name, mapping.encoder(name)) for name in statements.insert.params]
    rows: list[tuple[Any, ...]] = []
    for chunk, vector in zip(batch, vectors, strict=True):
        data = chunk.__dict__
        rows.append(
            tuple(
                vector if name == "embedding" else encode(data[name]) for name, encode in encoders
            )
        )
    document_key = statements.encode_id(document_id)
    context = ErrorContext(
        duplicate="a chunk id of the batch is already stored",
        unique={
            "uq_chunks_document_ordinal": (
                f"a chunk ordinal of the batch is already stored for document {document_id}"
            )
        },
        foreign_key=lambda: NotFoundError(f"document {document_id} not found"),
    )
    async with scope.write(context) as connection:
        if await connection.fetch_one(catalog.document_exists.sql, (document_key,)) is None:
            raise NotFoundError(f"document {document_id} not found")
        if len(rows) >= COPY_MIN_ROWS and connection.supports_copy:
            # One atomic statement: a repeated id or ordinal fails it whole.
            await connection.prepare_vectors()
            await connection.copy_rows(
                statements.mapping.table.name, statements.insert.params, rows
            )
        elif rows:
            await connection.prepare_vectors()
            await connection.execute_many(statements.insert.sql, rows)


async def get_chunks(scope: Scope, catalog: Catalog, document_id: UUID) -> list[Chunk]:
    """The chunks of ``document_id`` by ordinal."""
    statements = catalog.chunks
    async with scope.read() as connection:
        await connection.prepare_vectors()
        rows = await connection.fetch_all(
            catalog.chunks_of_document.sql, (statements.encode_id(document_id),)
        )
    decode = statements.mapping.decode
    return [decode(row) for row in rows]


__all__ = ["add_chunks", "embedding_matrix", "get_chunks", "pack_embeddings"]
