"""MongoDB adapter beside raw PyMongo doing the same operations on the same server.

Run: ``repokit bench mongo [--url mongodb://host/db] [--quick]`` (or
``python -m benchmarks.mongo_bench``). Without ``--url`` it starts the nx-27017
stand-in on a free port. It times, in both forms,

* ``get_by_id`` (median latency): the adapter against raw ``find_one`` by ``_id``
  that builds the ``Document`` by hand (``model_construct``), the same work;
* ``save_many`` of new documents (insert rate): the adapter against raw
  ``insert_many(ordered=True)`` of documents encoded by hand,

raw ``AsyncMongoClient`` beside the async store and raw ``MongoClient`` beside the
sync store, rounds interleaved, and prints the ratios against the aims: at most
1.25x raw latency, at least 0.8x raw insert rate. Each side writes to its own
collection of one scratch database, dropped at the end (``--url`` names it).
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pymongo
from rich.console import Console
from rich.progress import Progress

from benchmarks import document_rounds
from benchmarks.document_rounds import Results, Sizes, sample_documents, timed, timed_async
from repokit.domain.entities import Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.mongo.codec import decode_json, decode_time
from repokit.infrastructure.mongo.standin import StandInServer
from repokit.infrastructure.mongo.store import client_options, open_mongo_store
from repokit.infrastructure.mongo.sync.store import open_mongo_store as open_sync_mongo_store


@dataclass
class BenchOptions:
    """What ``repokit bench mongo`` (and ``bench entities``) passes: a MongoDB URL (None: a
    stand-in) and the size."""

    url: str | None = None
    quick: bool = False


def raw_document(doc: dict[str, Any]) -> Document:
    """What a hand-written raw PyMongo reader does: the fields into a ``Document``."""
    return Document.model_construct(
        id=UUID(doc["_id"]),
        workspace_id=None if doc["workspace_id"] is None else UUID(doc["workspace_id"]),
        title=doc["title"],
        content=doc["content"],
        metadata=decode_json(doc["metadata"]),
        created_at=decode_time(doc["created_at"]),
        updated_at=decode_time(doc["updated_at"]),
        version=doc["version"],
    )


def raw_row(document: Document) -> dict[str, Any]:
    """What a hand-written raw PyMongo writer stores: the same document the adapter stores."""
    return {
        "_id": str(document.id),
        "workspace_id": None,
        "title": document.title,
        "content": document.content,
        "metadata": document.metadata,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "version": 1,
    }


def database_url(base: str, name: str) -> str:
    head, _, query = base.partition("?")
    scheme, rest = head.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


async def async_round(store: Any, raw: Any, ids: list[UUID], size: Sizes, results: Results) -> None:
    """One interleaved round of the async measures."""

    async def adapter_reads() -> None:
        for id_ in ids:
            await store.documents.get_by_id(id_)

    async def raw_reads() -> None:
        for id_ in ids:
            raw_document(await raw.find_one({"_id": str(id_)}))

    batch = sample_documents(size.batch)
    raw_batch = sample_documents(size.batch)
    results.add("get_by_id", "async raw", await timed_async(raw_reads) / len(ids))
    results.add("get_by_id", "async repokit", await timed_async(adapter_reads) / len(ids))
    results.add(
        "save_many",
        "async raw",
        size.batch
        / await timed_async(lambda: raw.insert_many([raw_row(d) for d in raw_batch], ordered=True)),
    )
    results.add(
        "save_many",
        "async repokit",
        size.batch / await timed_async(lambda: store.documents.save_many(batch)),
    )


def sync_round(store: Any, raw: Any, ids: list[UUID], size: Sizes, results: Results) -> None:
    """One interleaved round of the sync measures."""

    def adapter_reads() -> None:
        for id_ in ids:
            store.documents.get_by_id(id_)

    def raw_reads() -> None:
        for id_ in ids:
            raw_document(raw.find_one({"_id": str(id_)}))

    batch = sample_documents(size.batch)
    raw_batch = sample_documents(size.batch)
    results.add("get_by_id", "sync raw", timed(raw_reads) / len(ids))
    results.add("get_by_id", "sync repokit", timed(adapter_reads) / len(ids))
    results.add(
        "save_many",
        "sync raw",
        size.batch / timed(lambda: raw.insert_many([raw_row(d) for d in raw_batch], ordered=True)),
    )
    results.add(
        "save_many", "sync repokit", size.batch / timed(lambda: store.documents.save_many(batch))
    )


async def measure(url: str, size: Sizes, results: Results, progress: Progress) -> None:
    settings = Settings(embedding_dim=384)
    store = await open_mongo_store(url, settings)
    sync_store = open_sync_mongo_store(url, settings)
    raw_async: pymongo.AsyncMongoClient[dict[str, Any]] = pymongo.AsyncMongoClient(
        url, **client_options(settings)
    )
    raw_sync: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        url, **client_options(settings)
    )
    try:
        await store.migrate()
        task = progress.add_task("seeding", total=1 + 2 * size.rounds)
        seeded = await store.documents.save_many(sample_documents(size.documents))
        ids = [seeded[i % len(seeded)].id for i in range(size.reads)]
        raw_async_docs = raw_async.get_default_database()["documents"]
        raw_sync_docs = raw_sync.get_default_database()["documents"]
        # The raw sides insert into scratch collections, so both start from the same state.
        raw_async_writes = raw_async.get_default_database()["raw_async"]
        raw_sync_writes = raw_sync.get_default_database()["raw_sync"]
        # ... with the indexes of the adapter's documents collection, so writes cost the same.
        for index in (await raw_async_docs.index_information()).values():
            if index["key"] != [("_id", 1)]:
                await raw_async_writes.create_index(index["key"])
                raw_sync_writes.create_index(index["key"])
        await raw_async_docs.find_one({})  # connect before the clock starts
        raw_sync_docs.find_one({})
        progress.advance(task)
        await document_rounds.alternate_rounds(
            progress,
            task,
            size.rounds,
            lambda: async_round(
                store, _ReadWrite(raw_async_docs, raw_async_writes), ids, size, results
            ),
            lambda: sync_round(
                sync_store, _ReadWrite(raw_sync_docs, raw_sync_writes), ids, size, results
            ),
        )
    finally:
        await store.close()
        sync_store.close()
        await raw_async.drop_database(raw_async.get_default_database().name)
        await raw_async.close()
        raw_sync.close()


class _ReadWrite:
    """Reads from the adapter's collection, writes to a scratch one (no id clashes)."""

    def __init__(self, reads: Any, writes: Any) -> None:
        self.find_one = reads.find_one
        self.insert_many = writes.insert_many


def report(results: Results, size: Sizes, server: str, console: Console) -> None:
    document_rounds.report(
        results,
        size,
        f"MongoDB: repokit vs raw PyMongo (same server: {server})",
        (("async", "async"), ("sync", "sync")),
        console,
    )


@contextmanager
def scratch_database(url: str | None) -> Iterator[tuple[str, str]]:
    """``(database URL, where)``: a scratch database on the server of ``url``, or on a
    stand-in started for the block when ``url`` is None."""
    name = f"repokit_bench_{uuid.uuid4().hex[:8]}"
    if url is None:
        with StandInServer() as server:
            yield server.url(name), "nx-27017 stand-in"
    else:
        yield database_url(url, name), "--url"


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Time the adapter beside raw PyMongo and print the table (``repokit bench mongo``)."""
    size = Sizes.of(options.quick, rounds=5)
    results = Results()
    with (
        Progress(console=console, transient=True) as progress,
        scratch_database(options.url) as (url, where),
    ):
        await measure(url, size, results, progress)
    report(results, size, where, console)


def command_line(run: Callable[[BenchOptions, Console], Awaitable[None]], doc: str | None) -> None:
    """Run a MongoDB benchmark from the command line: ``[--url URL] [--quick]``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--url", default=None, help="a MongoDB URL (default: start a stand-in)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (seconds)")
    args = parser.parse_args()
    asyncio.run(run(BenchOptions(url=args.url, quick=args.quick), Console()))


if __name__ == "__main__":
    command_line(run_benchmark, __doc__)
