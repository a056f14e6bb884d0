"""Writing and reading a document's chunks."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy.schema import CreateIndex, DropIndex

from repokit.domain.entities import Chunk
from repokit.domain.errors import DuplicateError, InvalidQueryError, NotFoundError
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.repository import COPY_MIN_ROWS
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.sql.write_parts import write_in_parts
from repokit.infrastructure.write_checks import check_chunk_batch

HNSW_INDEX_NAME = "ix_chunks_embedding_hnsw"

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
    check_chunk_batch(document_id, batch)
    rows = _chunk_rows(catalog, batch, dim)
    statements = catalog.chunks
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
        if rows:
            await connection.prepare_vectors()
            # Each row is a search of the HNSW graph: a long batch runs as several
            # statements in this transaction, each well inside the statement timeout.
            await write_in_parts(
                connection, rows, _inserter(connection, catalog), rows_per_s=INDEXED_ROWS_PER_S
            )


def _inserter(
    connection: SqlConnection, catalog: Catalog
) -> Callable[[Sequence[tuple[Any, ...]]], Awaitable[None]]:
    """Inserts chunk rows: ``COPY`` for a long part where offered, else executemany.

    Either is one atomic statement: a repeated id or ordinal fails it whole.
    """
    statements = catalog.chunks
    table, columns = statements.mapping.table.name, statements.insert.params

    async def insert(part: Sequence[tuple[Any, ...]]) -> None:
        if len(part) >= COPY_MIN_ROWS and connection.supports_copy:
            await connection.copy_rows(table, columns, part)
        else:
            await connection.execute_many(statements.insert.sql, part)

    return insert


def _chunk_rows(catalog: Catalog, batch: Sequence[Chunk], dim: int) -> list[tuple[Any, ...]]:
    """The chunks as insert rows (validated embeddings, encoded columns)."""
    vectors = catalog.embedding_values(embedding_matrix(batch, dim))
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
    return rows


INDEXED_ROWS_PER_S = 200.0
"""A conservative rate of inserts into the live HNSW index (400-1,300 rows/s measured
on a busy 2-core machine): it sizes the first part of such a write (1,200 rows at the
default 30 s timeout); later parts follow the measured rate (:mod:`.write_parts`)."""

BULK_BATCH_ROWS = 5_000
"""Rows per ``COPY`` of :func:`bulk_load_chunks` into the table without its index (one
progress report each)."""

INDEX_BUILD_S_PER_ROW = 0.002
"""The statement time the HNSW build after a bulk load is given per row, on top of
the store's timeout: ten times the 0.17 ms/row measured for 20,000 x 384 (see
docs/vector-tuning.md), so a big load at the defaults completes and a runaway build
is still stopped."""

BULK_MAINTENANCE_WORK_MEM = "256MB"
"""``maintenance_work_mem`` for the index build after a bulk load (raised, never lowered)."""

_HNSW_INDEX = next(index for index in tables.chunks.indexes if index.name == HNSW_INDEX_NAME)

_HAS_HNSW_INDEX = (
    "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = $1::text::regclass AND c.relname = $2"
)


async def bulk_load_chunks(
    scope: Scope,
    catalog: Catalog,
    dim: int,
    chunks: Sequence[Chunk],
    progress: Callable[[int], None] | None,
    statement_timeout_s: float | None = None,
) -> int:
    """PostgreSQL: store the chunks of many documents in one transaction with ``COPY``.

    Everything is validated before anything is written (the checks of
    :func:`add_chunks`). When the chunks table is empty, the HNSW index is dropped,
    the rows are copied and the index is built once at the end with the DDL of
    :mod:`.tables` (several times faster than inserting into the graph row by row);
    the DDL is transactional, so a failure leaves nothing written and the index in
    place. The ``DROP INDEX`` locks the chunks table (reads included) until the
    load commits. On a table with rows, the rows are copied into the live index.

    ``statement_timeout_s`` replaces the store's ``REPOKIT_STATEMENT_TIMEOUT_S`` for
    each statement of this load (a ``COPY`` batch, the ``CREATE INDEX``), ``0`` for
    no limit; the client-side limit follows it. ``None`` keeps the store's limits.
    """
    if statement_timeout_s is not None:
        _milliseconds(statement_timeout_s)  # a bad value fails before anything is read
    batch = list(chunks)
    ids: set[UUID] = set()
    keys: set[tuple[UUID, int]] = set()
    document_ids: dict[UUID, None] = {}
    for chunk in batch:
        if chunk.id in ids:
            raise DuplicateError(f"chunk {chunk.id} appears twice in the batch")
        key = (chunk.document_id, chunk.ordinal)
        if key in keys:
            raise DuplicateError(
                f"ordinal {chunk.ordinal} appears twice in the batch for document "
                f"{chunk.document_id}"
            )
        ids.add(chunk.id)
        keys.add(key)
        document_ids[chunk.document_id] = None
    rows = _chunk_rows(catalog, batch, dim)
    if not rows:
        return 0
    statements = catalog.chunks
    table = statements.mapping.table.name
    context = ErrorContext(
        duplicate="a chunk id of the batch is already stored",
        unique={
            "uq_chunks_document_ordinal": "a chunk ordinal of the batch is already stored "
            "for its document"
        },
        foreign_key=lambda: NotFoundError("a document named by the batch was not found"),
    )
    dialect = catalog.dialect
    # Decided before the load's transaction, which then locks nothing before the DROP:
    # two loads that both read the table first would deadlock on the DROP's lock.
    async with scope.read() as connection:
        rebuild = (
            await connection.fetch_one(f"SELECT 1 FROM {table} LIMIT 1") is None
            and await connection.fetch_one(_HAS_HNSW_INDEX, (table, HNSW_INDEX_NAME)) is not None
        )
    async with scope.write(context) as connection:
        with _load_timeout(connection, statement_timeout_s):
            if statement_timeout_s is not None:
                # SET LOCAL: back to the store's limit when the load's transaction ends.
                await _set_local_timeout(connection, statement_timeout_s)
            if rebuild:
                # Holds the table's exclusive lock until commit (a concurrent load waits
                # here); rows committed since the check above are indexed by the build too.
                drop = DropIndex(_HNSW_INDEX, if_exists=True)
                await connection.fetch_all(str(drop.compile(dialect=dialect)))
            documents = catalog.documents.mapping.table.name
            found = {
                str(row[0])
                for row in await connection.fetch_all(
                    f"SELECT id FROM {documents} WHERE id = ANY($1::uuid[])", (list(document_ids),)
                )
            }
            for document_id in document_ids:
                if str(document_id) not in found:
                    raise NotFoundError(f"document {document_id} not found")
            await connection.prepare_vectors()
            columns = statements.insert.params

            async def copy(part: Sequence[tuple[Any, ...]]) -> None:
                await connection.copy_rows(table, columns, part)

            def report(done: int) -> None:
                if progress is not None and done < len(rows):
                    progress(done)

            if rebuild:
                # No index: a COPY of BULK_BATCH_ROWS takes tens of milliseconds.
                for start in range(0, len(rows), BULK_BATCH_ROWS):
                    await copy(rows[start : start + BULK_BATCH_ROWS])
                    report(min(start + BULK_BATCH_ROWS, len(rows)))
            else:
                # Into the live index each row is a graph search: parts sized by their
                # rate to stay well inside the statement timeout (write_parts).
                await write_in_parts(
                    connection, rows, copy, rows_per_s=INDEXED_ROWS_PER_S, progress=report
                )
            if rebuild:
                await connection.fetch_all(
                    "SELECT set_config('maintenance_work_mem', $1, true) "
                    "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) "
                    "< pg_size_bytes($1)",
                    (BULK_MAINTENANCE_WORK_MEM,),
                )
                build_limit = statement_timeout_s
                if build_limit is None and connection.statement_timeout_s:
                    # The build is one statement that grows with the table: its limit
                    # grows with it (still a limit, so a runaway build is stopped).
                    build_limit = connection.statement_timeout_s + len(rows) * (
                        INDEX_BUILD_S_PER_ROW
                    )
                    await _set_local_timeout(connection, build_limit)
                with connection.client_timeout(build_limit):
                    await connection.fetch_all(
                        str(CreateIndex(_HNSW_INDEX).compile(dialect=dialect))
                    )
    if progress is not None:
        progress(len(rows))
    return len(rows)


async def _set_local_timeout(connection: SqlConnection, seconds: float) -> None:
    """``statement_timeout`` for the rest of the transaction (``SET LOCAL``)."""
    await connection.fetch_all(
        "SELECT set_config('statement_timeout', $1, true)", (str(_milliseconds(seconds)),)
    )


@contextmanager
def _load_timeout(connection: SqlConnection, seconds: float | None) -> Iterator[None]:
    """The load's own statement limit (``None``: the store's) on the client side and in
    the connection's record, which sizes the load's parts."""
    if seconds is None:
        yield
        return
    kept = connection.statement_timeout_s
    connection.statement_timeout_s = seconds or None
    try:
        with connection.client_timeout(seconds):
            yield
    finally:
        connection.statement_timeout_s = kept


def _milliseconds(seconds: float) -> int:
    """``statement_timeout`` in ms for ``seconds`` (0: no limit; a positive value >= 1 ms)."""
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        raise InvalidQueryError(
            f"statement_timeout_s must be a number of seconds >= 0 (0: no limit), got {seconds!r}"
        )
    return 0 if seconds == 0 else max(1, round(seconds * 1000))


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


__all__ = [
    "BULK_BATCH_ROWS",
    "add_chunks",
    "bulk_load_chunks",
    "embedding_matrix",
    "get_chunks",
    "pack_embeddings",
]
