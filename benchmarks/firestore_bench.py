"""Firestore adapter beside the raw google-cloud-firestore client, on the emulator.

Run: ``repokit bench firestore [--url firestore://PROJECT] [--quick]`` (or
``python -m benchmarks.firestore_bench``). Without ``--url`` it starts Google's
emulator on a free port (``FIRESTORE_EMULATOR_HOST`` set is used as it is) and
uses a scratch project on it. It times, in both forms,

* ``get_by_id`` (median latency): the adapter against a raw
  ``collection(...).document(id).get()`` that builds the ``Document`` by hand
  (``model_construct``), the same work;
* ``save_many`` of 500 new documents (insert rate): the adapter against a raw
  batch of 500 ``create`` writes of fields encoded by hand, committed once,

raw ``AsyncClient`` beside the async store and raw ``Client`` beside the sync
store, rounds interleaved, and prints the ratios against the aims: at most 1.25x
raw latency, at least 0.8x raw insert rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from google.cloud.firestore_v1.async_client import AsyncClient
from google.cloud.firestore_v1.client import Client
from rich.console import Console
from rich.progress import Progress

from benchmarks import document_rounds
from benchmarks.document_rounds import Results, Sizes, sample_documents, timed, timed_async
from repokit.domain.entities import Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.firestore.emulator import FirestoreEmulator
from repokit.infrastructure.firestore.store import open_firestore_store
from repokit.infrastructure.firestore.sync.store import open_firestore_store as open_sync_store
from repokit.infrastructure.firestore.url import EMULATOR_VARIABLE, parse_firestore_url


@dataclass
class BenchOptions:
    """What ``repokit bench firestore`` passes: a ``firestore://`` URL (None: a scratch
    project on an emulator of its own) and the size."""

    url: str | None = None
    quick: bool = False


def raw_document(data: dict[str, Any]) -> Document:
    """What a hand-written raw reader does: the fields into a ``Document``."""
    return Document.model_construct(
        id=UUID(data["id"]),
        workspace_id=None if data["workspace_id"] is None else UUID(data["workspace_id"]),
        title=data["title"],
        content=data["content"],
        metadata=data["metadata"],
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        version=data["version"],
    )


def raw_fields(document: Document) -> dict[str, Any]:
    """What a hand-written raw writer stores: the fields the adapter stores."""
    return {
        "id": str(document.id),
        "workspace_id": None,
        "title": document.title,
        "content": document.content,
        "metadata": document.metadata,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "version": 1,
        "content_parts": 0,
    }


async def async_round(store: Any, raw: Any, ids: list[UUID], size: Sizes, results: Results) -> None:
    """One interleaved round of the async measures (``raw``: an ``AsyncClient``)."""
    raw_documents = raw.collection("raw_documents")
    stored = raw.collection("documents")

    async def adapter_reads() -> None:
        for id_ in ids:
            await store.documents.get_by_id(id_)

    async def raw_reads() -> None:
        for id_ in ids:
            snap = await stored.document(str(id_)).get()
            raw_document(snap.to_dict())

    async def raw_insert(batch: list[Document]) -> None:
        writes = raw.batch()
        for document in batch:
            writes.create(raw_documents.document(str(document.id)), raw_fields(document))
        await writes.commit()

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
    """One interleaved round of the sync measures (``raw``: a ``Client``)."""
    raw_documents = raw.collection("raw_documents")
    stored = raw.collection("documents")

    def adapter_reads() -> None:
        for id_ in ids:
            store.documents.get_by_id(id_)

    def raw_reads() -> None:
        for id_ in ids:
            raw_document(stored.document(str(id_)).get().to_dict())

    def raw_insert(batch: list[Document]) -> None:
        writes = raw.batch()
        for document in batch:
            writes.create(raw_documents.document(str(document.id)), raw_fields(document))
        writes.commit()

    batch, raw_batch = sample_documents(size.batch), sample_documents(size.batch)
    results.add("get_by_id", "sync raw", timed(raw_reads) / len(ids))
    results.add("get_by_id", "sync repokit", timed(adapter_reads) / len(ids))
    results.add("save_many", "sync raw", size.batch / timed(lambda: raw_insert(raw_batch)))
    results.add(
        "save_many", "sync repokit", size.batch / timed(lambda: store.documents.save_many(batch))
    )


async def measure(url: str, size: Sizes, results: Results, progress: Progress) -> None:
    settings = Settings(database_url=None, embedding_dim=384)
    target = parse_firestore_url(url)
    store = await open_firestore_store(url, settings)
    sync_store = open_sync_store(url, settings)
    raw_async = AsyncClient(project=target.project, database=target.database)
    raw_sync = Client(project=target.project, database=target.database)
    try:
        task = progress.add_task("seeding", total=1 + 2 * size.rounds)
        seeded = await store.documents.save_many(sample_documents(size.documents))
        ids = [seeded[i % len(seeded)].id for i in range(size.reads)]
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


def report(results: Results, size: Sizes, where: str, console: Console) -> None:
    document_rounds.report(
        results,
        size,
        f"Firestore: repokit vs the raw client ({where})",
        (("async", "async (AsyncClient)"), ("sync", "sync (Client)")),
        console,
    )


@contextmanager
def scratch_project(url: str | None) -> Iterator[tuple[str, str]]:
    """``(firestore:// URL, where)``: ``url``, or a scratch project on the emulator of
    ``FIRESTORE_EMULATOR_HOST`` or, without one, on an emulator started for the run."""
    if url is not None:
        yield url, parse_firestore_url(url).redacted
        return
    project = f"bench-{uuid.uuid4().hex[:8]}"
    host = os.environ.get(EMULATOR_VARIABLE)
    if host:
        yield f"firestore://{project}", f"the emulator at {host}"
        return
    with FirestoreEmulator() as emulator:
        os.environ[EMULATOR_VARIABLE] = emulator.host
        try:
            yield f"firestore://{project}", f"an emulator of its own at {emulator.host}"
        finally:
            os.environ.pop(EMULATOR_VARIABLE, None)


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Time the adapter beside the raw clients, print the table (``repokit bench firestore``)."""
    size = Sizes(200, 200, 200, 2) if options.quick else Sizes(1000, 1000, 500, 5)
    results = Results()
    with (
        Progress(console=console, transient=True) as progress,
        scratch_project(options.url) as (url, where),
    ):
        await measure(url, size, results, progress)
    report(results, size, where, console)


def main() -> None:
    """``python -m benchmarks.firestore_bench [--url URL] [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=None, help="a firestore:// URL (default: the emulator)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (seconds)")
    args = parser.parse_args()
    asyncio.run(run_benchmark(BenchOptions(url=args.url, quick=args.quick), Console()))


if __name__ == "__main__":
    main()
