"""MySQL / MariaDB adapter beside raw asyncmy and raw PyMySQL on the same server.

Run: ``repokit bench mysql [--url mysql://user@host:3306/db] [--quick]`` (or
``python -m benchmarks.mysql_bench``). Without ``--url`` it uses the local server
of ``REPOKIT_TEST_MYSQL_URL`` (default ``mysql://root@127.0.0.1:3306/test``); either
way it works in a scratch database of its own on that server, dropped at the end.
It times, in both forms,

* ``get_by_id`` (median latency): the adapter against a raw ``SELECT ... WHERE id =
  %s`` that builds the ``Document`` by hand (``model_construct``), the same work;
* ``save_many`` of new documents (insert rate): the adapter against a raw
  multi-row ``INSERT`` (the driver's ``executemany``) of rows encoded by hand, into
  a table made ``LIKE documents`` (same indexes, so writes cost the same),

raw asyncmy beside the async store and raw PyMySQL beside the sync store, rounds
interleaved, and prints the ratios against the aims: at most 1.25x raw latency,
at least 0.8x raw insert rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from uuid import UUID

import asyncmy
import pymysql
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.engine import URL, make_url

from benchmarks import document_rounds
from benchmarks.document_rounds import Results, Sizes, sample_documents, timed, timed_async
from repokit.domain.entities import Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.mysql import open_mysql_store
from repokit.infrastructure.sql.sync.mysql import open_mysql_store as open_sync_mysql_store

DEFAULT_SERVER = "mysql://root@127.0.0.1:3306/test"
COLUMNS = "id, workspace_id, title, content, metadata, created_at, updated_at, version"
SELECT_BY_ID = f"SELECT {COLUMNS} FROM documents WHERE id = %s"
INSERT = f"INSERT INTO raw_documents ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"


@dataclass
class BenchOptions:
    """What ``repokit bench mysql`` passes: a MySQL server URL (None: the local one) and
    the size."""

    url: str | None = None
    quick: bool = False


def raw_document(row: tuple[Any, ...]) -> Document:
    """What a hand-written raw reader does: the columns into a ``Document``."""
    id_, workspace_id, title, content, metadata, created_at, updated_at, version = row
    return Document.model_construct(
        id=UUID(bytes=id_),
        workspace_id=None if workspace_id is None else UUID(bytes=workspace_id),
        title=title,
        content=content,
        metadata=json.loads(metadata),
        created_at=created_at.replace(tzinfo=UTC),
        updated_at=updated_at.replace(tzinfo=UTC),
        version=version,
    )


def raw_row(document: Document) -> tuple[Any, ...]:
    """What a hand-written raw writer stores: the row the adapter stores."""
    return (
        document.id.bytes,
        None,
        document.title,
        document.content,
        json.dumps(document.metadata, separators=(",", ":"), ensure_ascii=False),
        document.created_at.astimezone(UTC).replace(tzinfo=None),
        document.updated_at.astimezone(UTC).replace(tzinfo=None),
        1,
    )


def connect_args(url: URL) -> dict[str, Any]:
    """The raw drivers' connect arguments for ``url`` (autocommit, as the adapter runs)."""
    return {
        "host": url.host or "127.0.0.1",
        "port": url.port or 3306,
        "user": url.username or "root",
        "password": url.password or "",
        "database": url.database,
        "charset": "utf8mb4",
        "autocommit": True,
    }


async def async_round(store: Any, raw: Any, ids: list[UUID], size: Sizes, results: Results) -> None:
    """One interleaved round of the async measures (``raw``: an asyncmy connection)."""

    async def adapter_reads() -> None:
        for id_ in ids:
            await store.documents.get_by_id(id_)

    async def raw_reads() -> None:
        async with raw.cursor() as cursor:
            for id_ in ids:
                await cursor.execute(SELECT_BY_ID, (id_.bytes,))
                raw_document(await cursor.fetchone())

    async def raw_insert(batch: list[Document]) -> None:
        async with raw.cursor() as cursor:
            await cursor.executemany(INSERT, [raw_row(d) for d in batch])

    batch, raw_batch = sample_documents(size.batch), sample_documents(size.batch)
    results.add("get_by_id", "async raw", await timed_async(raw_reads) / len(ids))
    results.add("get_by_id", "async repokit", await timed_async(adapter_reads) / len(ids))
    results.add(
        "save_many", "async raw", size.batch / await timed_async(lambda: raw_insert(raw_batch))
    )
    results.add(
        "save_many",
        "async repokit",
        size.batch / await timed_async(lambda: store.documents.save_many(batch)),
    )


def sync_round(store: Any, raw: Any, ids: list[UUID], size: Sizes, results: Results) -> None:
    """One interleaved round of the sync measures (``raw``: a PyMySQL connection)."""

    def adapter_reads() -> None:
        for id_ in ids:
            store.documents.get_by_id(id_)

    def raw_reads() -> None:
        with raw.cursor() as cursor:
            for id_ in ids:
                cursor.execute(SELECT_BY_ID, (id_.bytes,))
                raw_document(cursor.fetchone())

    def raw_insert(batch: list[Document]) -> None:
        with raw.cursor() as cursor:
            cursor.executemany(INSERT, [raw_row(d) for d in batch])

    batch, raw_batch = sample_documents(size.batch), sample_documents(size.batch)
    results.add("get_by_id", "sync raw", timed(raw_reads) / len(ids))
    results.add("get_by_id", "sync repokit", timed(adapter_reads) / len(ids))
    results.add("save_many", "sync raw", size.batch / timed(lambda: raw_insert(raw_batch)))
    results.add(
        "save_many", "sync repokit", size.batch / timed(lambda: store.documents.save_many(batch))
    )


async def measure(url: str, size: Sizes, results: Results, progress: Progress) -> None:
    settings = Settings(database_url=None, embedding_dim=384)
    store = await open_mysql_store(url, settings)
    sync_store = open_sync_mysql_store(url, settings)
    args = connect_args(make_url(url))
    raw_async = await asyncmy.connect(**args)
    raw_sync = pymysql.connect(**args)
    try:
        await store.migrate()
        task = progress.add_task("seeding", total=1 + 2 * size.rounds)
        seeded = await store.documents.save_many(sample_documents(size.documents))
        ids = [seeded[i % len(seeded)].id for i in range(size.reads)]
        with raw_sync.cursor() as cursor:
            # The raw sides insert into a copy of the table: same columns and indexes.
            cursor.execute("CREATE TABLE raw_documents LIKE documents")
        progress.advance(task)
        await document_rounds.alternate_rounds(
            progress,
            task,
            size.rounds,
            lambda: async_round(store, raw_async, ids, size, results),
            lambda: sync_round(sync_store, raw_sync, ids, size, results),
        )
    finally:
        await store.close()
        sync_store.close()
        raw_async.close()
        raw_sync.close()


def report(results: Results, size: Sizes, server: str, console: Console) -> None:
    document_rounds.report(
        results,
        size,
        f"MySQL: repokit vs raw asyncmy / PyMySQL (same server: {server})",
        (("async", "async (asyncmy)"), ("sync", "sync (PyMySQL)")),
        console,
    )


@contextmanager
def scratch_database(url: str | None) -> Iterator[tuple[str, str]]:
    """``(database URL, where)``: a scratch database on the server of ``url`` (default the
    local one), created ``utf8mb4_bin`` and dropped when the block ends."""
    server = make_url(url or os.environ.get("REPOKIT_TEST_MYSQL_URL") or DEFAULT_SERVER)
    name = f"repokit_bench_{uuid.uuid4().hex[:8]}"
    admin = pymysql.connect(**{**connect_args(server), "database": None})
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        where = f"{server.host}:{server.port or 3306}"
        yield server.set(drivername="mysql", database=name).render_as_string(False), where
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Time the adapter beside raw asyncmy and PyMySQL, print the table (``repokit bench
    mysql``)."""
    size = Sizes.of(options.quick, rounds=7)
    results = Results()
    with (
        Progress(console=console, transient=True) as progress,
        scratch_database(options.url) as (url, where),
    ):
        await measure(url, size, results, progress)
    report(results, size, where, console)


def main() -> None:
    """``python -m benchmarks.mysql_bench [--url URL] [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=None, help="a MySQL URL (default: the local server)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (seconds)")
    args = parser.parse_args()
    asyncio.run(run_benchmark(BenchOptions(url=args.url, quick=args.quick), Console()))


if __name__ == "__main__":
    main()
