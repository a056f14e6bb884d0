"""Raw asyncpg + pgvector: the baseline the PostgreSQL adapter is measured against.

Nothing of repokit is used here except the embedded server launcher, so these
numbers are what the driver and the server give on their own.
"""

from __future__ import annotations

import asyncio
import struct
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np

from benchmarks.datasets import Matrix

_HEADER = struct.Struct(">HH")


def encode_vector(value: Any) -> bytes:
    """pgvector's binary form: dimensions (int16), unused (int16), big-endian float32s."""
    array = np.asarray(value, dtype=">f4")
    return _HEADER.pack(len(array), 0) + array.tobytes()


def decode_vector(data: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    dim, _ = _HEADER.unpack_from(data)
    return np.frombuffer(data, dtype=">f4", count=dim, offset=4).astype(np.float32)


async def init_connection(connection: asyncpg.Connection) -> None:
    """Binary codec for ``vector``: no text formatting of 384 floats per row."""
    await connection.set_type_codec(
        "vector", schema="public", encoder=encode_vector, decoder=decode_vector, format="binary"
    )


@asynccontextmanager
async def server_url(url: str | None) -> AsyncIterator[str]:
    """``url`` as given, or a throwaway embedded PostgreSQL 18 + pgvector for the run."""
    if url:
        yield url
        return
    from repokit.infrastructure.embedded import embedded_postgres_url, stop_embedded_postgres

    with tempfile.TemporaryDirectory(prefix="repokit-pgbench-") as tmp:
        folder = Path(tmp) / "pg"
        try:
            yield await asyncio.to_thread(embedded_postgres_url, folder)
        finally:
            stop_embedded_postgres(folder)


async def connect(url: str) -> asyncpg.Connection:
    connection = await asyncpg.connect(url)
    await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    await init_connection(connection)
    return connection


def hnsw_index_sql(table: str, m: int, ef_construction: int) -> str:
    return (
        f"CREATE INDEX {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops) "
        f"WITH (m = {m}, ef_construction = {ef_construction})"
    )


def ivfflat_index_sql(table: str, lists: int) -> str:
    return (
        f"CREATE INDEX {table}_ivf ON {table} USING ivfflat (embedding vector_cosine_ops) "
        f"WITH (lists = {lists})"
    )


async def create_vector_table(connection: asyncpg.Connection, table: str, dim: int) -> None:
    """A chunk-like table: integer key, parent document, the vector."""
    await connection.execute(f"DROP TABLE IF EXISTS {table}")
    await connection.execute(
        f"CREATE TABLE {table} (id integer PRIMARY KEY, document integer NOT NULL, "
        f"tagged boolean NOT NULL, embedding vector({dim}) NOT NULL)"
    )


async def copy_vectors(
    connection: asyncpg.Connection,
    table: str,
    vectors: Matrix,
    document_of: Sequence[int],
    tagged: Sequence[bool],
) -> float:
    """COPY the rows in (binary); returns the seconds it took."""
    records = [(i, int(document_of[i]), bool(tagged[i]), vectors[i]) for i in range(len(vectors))]
    start = time.perf_counter()
    await connection.copy_records_to_table(
        table, records=records, columns=["id", "document", "tagged", "embedding"]
    )
    return time.perf_counter() - start


async def timed_execute(connection: asyncpg.Connection, sql: str) -> float:
    start = time.perf_counter()
    await connection.execute(sql)
    return time.perf_counter() - start


async def search_all(
    connection: asyncpg.Connection,
    table: str,
    queries: Matrix,
    k: int,
    *,
    tagged_only: bool = False,
) -> tuple[list[list[int]], float]:
    """Top-k ids per query through whatever index the session settings allow.

    Returns the ids and the queries per second (one connection, one query at a
    time, a prepared statement: the per-query latency an application sees).
    """
    where = "WHERE tagged " if tagged_only else ""
    statement = await connection.prepare(
        f"SELECT id FROM {table} {where}ORDER BY embedding <=> $1 LIMIT {k}"
    )
    found: list[list[int]] = []
    start = time.perf_counter()
    for query in queries:
        rows = await statement.fetch(query)
        found.append([row[0] for row in rows])
    return found, len(queries) / (time.perf_counter() - start)
