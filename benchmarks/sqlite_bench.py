"""SQLite adapter beside raw drivers doing the same work on the same kind of file.

Run: ``python benchmarks/sqlite_bench.py`` (``--help`` for sizes). It prints, in one
run, ``get_by_id`` and ``save_many`` (1,000 documents) for

* raw ``sqlite3`` (synchronous, the floor),
* repokit's sync SQLite adapter (``connect_sync``, on sqlite3),
* raw ``aiosqlite`` (the same driver hop the async adapter pays),
* repokit's async SQLite adapter,

with the ratios. Every database file is created by the adapter's ``migrate()`` (same
tables and indexes) and opened with the adapter's settings (WAL, synchronous=NORMAL,
foreign keys on). Raw ``get_by_id`` fetches the row and builds the ``Document`` by
hand (``model_construct``), the same work as the adapter; a second line shows raw
drivers fetching the row tuple only. ``save_many`` inserts 1,000 new documents in
one ``BEGIN IMMEDIATE`` transaction; the raw drivers encode the rows by hand.

``--vectors N`` adds an exact-search comparison on N chunks: the adapter (numpy over
candidate rows) against sqlite-vec's ``vec_distance_cosine`` on a sqlean connection,
when the ``sqlite_vec`` and ``sqlean`` modules can be imported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosqlite
import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from repokit.domain.entities import Chunk, Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import open_sqlite_store
from repokit.infrastructure.sql.sync.sqlite import open_sqlite_store as open_sync_sqlite_store
from repokit.infrastructure.sql.types import datetime_to_micros, micros_to_datetime

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)
SELECT_BY_ID = (
    "SELECT id, workspace_id, title, content, metadata, created_at, updated_at, version "
    "FROM documents WHERE id = ?"
)
INSERT = (
    "INSERT INTO documents (id, workspace_id, title, content, metadata, created_at, "
    "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)

console = Console(width=120)
ROW_ONLY = "get_by_id, raw fetches the row only"


def make_documents(count: int, rng: random.Random) -> list[Document]:
    """Documents of a typical shape: a title, ~500 characters, small metadata."""
    return [
        Document(
            title=f"document {rng.random():.6f}",
            content="lorem ipsum " * 40,
            metadata={"year": 2000 + i % 25, "tags": ["a", "b"], "score": rng.random()},
        )
        for i in range(count)
    ]


def to_document(row: Sequence[Any]) -> Document:
    """A row decoded by hand into a ``Document``: the work the adapter does after fetching."""
    id_, workspace_id, title, content, metadata, created_at, updated_at, version = row
    return Document.model_construct(
        id=UUID(bytes=id_),
        workspace_id=None if workspace_id is None else UUID(bytes=workspace_id),
        title=title,
        content=content,
        metadata=json.loads(metadata),
        created_at=micros_to_datetime(created_at),
        updated_at=micros_to_datetime(updated_at),
        version=version,
    )


def encode(document: Document) -> tuple[Any, ...]:
    """The row raw drivers insert: what the adapter stores, encoded by hand."""
    return (
        document.id.bytes,
        None if document.workspace_id is None else document.workspace_id.bytes,
        document.title,
        document.content,
        json.dumps(document.metadata, separators=(",", ":"), ensure_ascii=False),
        datetime_to_micros(document.created_at),
        datetime_to_micros(document.updated_at),
        1,
    )


async def create_schema(path: Path) -> None:
    store = await open_sqlite_store(f"sqlite:///{path}", Settings())
    await store.migrate()
    await store.close()


def timed(function: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


async def atimed(function: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await function()
        samples.append(time.perf_counter() - start)
    return samples


class Results:
    """Median seconds per operation, by (operation, contender)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], float] = {}

    def add(self, operation: str, contender: str, samples: Sequence[float], per: int) -> None:
        self.values[(operation, contender)] = statistics.median(samples) / per


async def bench_crud(args: argparse.Namespace, folder: Path, results: Results) -> None:
    rng = random.Random(1)
    names = ("sqlite3", "repokit sync", "aiosqlite", "repokit")
    paths = {name: folder / f"{name.replace(' ', '-')}.db" for name in names}
    for path in paths.values():
        await create_schema(path)
    seed = make_documents(args.rows, rng)
    ids = [document.id for document in seed]
    lookups = [rng.choice(ids) for _ in range(args.lookups)]
    batches = [make_documents(args.batch, rng) for _ in range(args.rounds)]
    rounds = args.rounds

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("sqlite3 and repokit sync, rounds interleaved", total=rounds + 1)
        raw = sqlite3.connect(paths["sqlite3"], isolation_level=None)
        for pragma in PRAGMAS:
            raw.execute(pragma)
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(INSERT, [encode(d) for d in seed])
        raw.execute("COMMIT")
        sync_store = open_sync_sqlite_store(f"sqlite:///{paths['repokit sync']}", Settings())
        sync_store.documents.save_many(seed)
        progress.advance(task)

        def raw_gets() -> None:
            for key in lookups:
                to_document(raw.execute(SELECT_BY_ID, (key.bytes,)).fetchone())

        def raw_rows() -> None:
            for key in lookups:
                raw.execute(SELECT_BY_ID, (key.bytes,)).fetchone()

        def sync_gets() -> None:
            for key in lookups:
                sync_store.documents.get_by_id(key)

        def raw_save_many(batch: list[Document]) -> None:
            rows = [encode(d) for d in batch]
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(INSERT, rows)
            raw.execute("COMMIT")

        sync_samples: dict[tuple[str, str], list[float]] = {}
        for batch in batches:
            for who, get, rows, save in (
                ("sqlite3", raw_gets, raw_rows, raw_save_many),
                ("repokit sync", sync_gets, sync_gets, sync_store.documents.save_many),
            ):
                sync_samples.setdefault(("get_by_id", who), []).extend(timed(get, 1))
                sync_samples.setdefault((ROW_ONLY, who), []).extend(timed(rows, 1))
                start = time.perf_counter()
                save(batch)
                sync_samples.setdefault(("save_many", who), []).append(time.perf_counter() - start)
            progress.advance(task)
        for (operation, who), values in sync_samples.items():
            results.add(operation, who, values, 1 if operation == "save_many" else len(lookups))
        raw.close()
        sync_store.close()

        task = progress.add_task("aiosqlite and repokit, rounds interleaved", total=2 * rounds + 1)
        adb = await aiosqlite.connect(paths["aiosqlite"], isolation_level=None)
        for pragma in PRAGMAS:
            await adb.execute_fetchall(pragma)
        await adb.execute_fetchall("BEGIN IMMEDIATE")
        await adb.executemany(INSERT, [encode(d) for d in seed])
        await adb.execute_fetchall("COMMIT")
        store = await open_sqlite_store(f"sqlite:///{paths['repokit']}", Settings())
        await store.documents.save_many(seed)
        progress.advance(task)

        async def aio_gets() -> None:
            # aiosqlite's fastest form: one worker-thread hop per query.
            for key in lookups:
                to_document((await adb.execute_fetchall(SELECT_BY_ID, (key.bytes,)))[0])

        async def aio_rows() -> None:
            for key in lookups:
                await adb.execute_fetchall(SELECT_BY_ID, (key.bytes,))

        async def repokit_gets() -> None:
            for key in lookups:
                await store.documents.get_by_id(key)

        async def aio_save_many(batch: list[Document]) -> None:
            rows = [encode(d) for d in batch]
            await adb.execute_fetchall("BEGIN IMMEDIATE")
            await adb.executemany(INSERT, rows)
            await adb.execute_fetchall("COMMIT")

        samples: dict[tuple[str, str], list[float]] = {}
        # Alternate the two async contenders round by round, so a noisy moment on the
        # machine hits both alike.
        for batch in batches:
            for who, get, rows, save in (
                ("aiosqlite", aio_gets, aio_rows, aio_save_many),
                ("repokit", repokit_gets, repokit_gets, store.documents.save_many),
            ):
                samples.setdefault(("get_by_id", who), []).extend(await atimed(get, 1))
                samples.setdefault((ROW_ONLY, who), []).extend(await atimed(rows, 1))
                start = time.perf_counter()
                await save(batch)
                samples.setdefault(("save_many", who), []).append(time.perf_counter() - start)
                progress.advance(task)
        for (operation, who), values in samples.items():
            per = 1 if operation == "save_many" else len(lookups)
            results.add(operation, who, values, per)
        await adb.close()
        await store.close()


async def bench_vectors(args: argparse.Namespace, folder: Path, results: Results) -> None:
    count, dim, k = args.vectors, args.dim, 10
    rng = np.random.default_rng(7)
    path = folder / "vectors.db"
    settings = Settings(embedding_dim=dim)
    store = await open_sqlite_store(f"sqlite:///{path}", settings)
    await store.migrate()
    documents = [
        Document(title=f"d{i}", content="", metadata={"tag": "rare" if i % 50 == 0 else "common"})
        for i in range(count // 10)
    ]
    await store.documents.save_many(documents)
    matrix = rng.standard_normal((count, dim)).astype(np.float32)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"loading {count} chunks", total=len(documents))
        for i, document in enumerate(documents):
            rows = range(i * 10, i * 10 + 10)
            chunks = [
                Chunk(document_id=document.id, ordinal=j, content="", embedding=matrix[r].tolist())
                for j, r in enumerate(rows)
            ]
            await store.documents.add_chunks(document.id, chunks)
            progress.advance(task)
    query = rng.standard_normal(dim).astype(np.float32)
    filters: dict[str, dict[str, Any] | None] = {
        "unfiltered": None,
        "2% filter": {"metadata.tag": "rare"},
    }
    for label, where in filters.items():

        async def numpy_search(where: dict[str, Any] | None = where) -> None:
            await store.documents.search_similar(query.tolist(), k=k, where=where)

        results.add(f"search {label}", "repokit", await atimed(numpy_search, args.rounds), 1)
    await store.close()
    await bench_sqlite_vec(args, path, query, k, results)


async def bench_sqlite_vec(
    args: argparse.Namespace, path: Path, query: np.ndarray[Any, Any], k: int, results: Results
) -> None:
    try:
        import sqlean  # type: ignore[import-not-found]
        import sqlite_vec  # type: ignore[import-not-found]
    except ImportError:
        console.print("[yellow]sqlite_vec or sqlean not importable: sqlite-vec column skipped")
        return

    def connect() -> Any:
        connection = sqlean.connect(str(path), isolation_level=None)
        connection.enable_load_extension(True)
        sqlite_vec.load(connection)
        connection.enable_load_extension(False)
        return connection

    # aiosqlite over a sqlean connection: the same async hop the adapter pays.
    db = aiosqlite.Connection(connect, 64)
    await db
    blob = query.astype("<f4").tobytes()
    statements = {
        "unfiltered": (
            "SELECT id, 1 - vec_distance_cosine(embedding, ?) AS score FROM chunks "
            "ORDER BY score DESC, id LIMIT ?",
            (blob, k),
        ),
        "2% filter": (
            "SELECT id, 1 - vec_distance_cosine(embedding, ?) AS score FROM chunks "
            "WHERE document_id IN (SELECT id FROM documents "
            "WHERE json_extract(metadata, '$.\"tag\"') = ?) ORDER BY score DESC, id LIMIT ?",
            (blob, "rare", k),
        ),
    }
    for label, (sql, params) in statements.items():

        async def vec_search(sql: str = sql, params: tuple[Any, ...] = params) -> None:
            rows = await db.execute_fetchall(sql, params)
            ids = [row[0] for row in rows]
            marks = ",".join("?" * len(ids))
            await db.execute_fetchall(f"SELECT * FROM chunks WHERE id IN ({marks})", ids)

        results.add(f"search {label}", "sqlite-vec", await atimed(vec_search, args.rounds), 1)
    await db.close()


def report(results: Results) -> None:
    operations = list(dict.fromkeys(op for op, _ in results.values))
    contenders = [
        who
        for who in ("sqlite3", "repokit sync", "aiosqlite", "sqlite-vec", "repokit")
        if any(key[1] == who for key in results.values)
    ]
    table = Table(title="SQLite: repokit vs raw drivers (median per operation)")
    table.add_column("operation")
    for header in (*contenders, "sync / sqlite3", "repokit / aiosqlite", "repokit / sqlite3"):
        table.add_column(header, justify="right")

    def cell(op: str, who: str) -> str:
        value = results.values.get((op, who))
        if value is None:
            return "-"
        return f"{value * 1e6:,.1f} µs" if value < 1e-3 else f"{value * 1e3:,.2f} ms"

    def ratio(op: str, who: str, mine_is: str = "repokit") -> str:
        mine, base = results.values.get((op, mine_is)), results.values.get((op, who))
        return "-" if mine is None or base is None else f"{mine / base:.2f}x"

    for op in operations:
        cells = [cell(op, who) for who in contenders]
        table.add_row(
            op,
            *cells,
            ratio(op, "sqlite3", "repokit sync"),
            ratio(op, "aiosqlite"),
            ratio(op, "sqlite3"),
        )
    console.print(table)
    for op in operations:
        if (op, "sqlite-vec") in results.values:
            console.print(f"{op}: repokit (numpy) / sqlite-vec = {ratio(op, 'sqlite-vec')}")


async def main(args: argparse.Namespace) -> None:
    results = Results()
    with tempfile.TemporaryDirectory(prefix="repokit-bench-") as tmp:
        folder = Path(tmp)
        await bench_crud(args, folder, results)
        if args.vectors:
            await bench_vectors(args, folder, results)
    console.print(f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
    report(results)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1000, help="documents stored before reading")
    parser.add_argument("--lookups", type=int, default=2000, help="get_by_id calls per round")
    parser.add_argument("--batch", type=int, default=1000, help="documents per save_many")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; the median is reported")
    parser.add_argument("--vectors", type=int, default=0, help="chunks for the search comparison")
    parser.add_argument("--dim", type=int, default=384, help="embedding dimensions for --vectors")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
