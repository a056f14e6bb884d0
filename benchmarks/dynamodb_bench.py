"""DynamoDB adapter beside raw aioboto3 / boto3 calls on the same endpoint.

Run: ``repokit bench dynamodb [--url dynamodb://host:port?region=..&table=..] [--quick]``.
Without ``--url`` a private ``moto_server`` is started on a free port (and stopped
at the end). With one, the named table is created if needed and written to: give
it a scratch table.

It prints, in one table, the median latency of

* ``get_by_id``: repokit (async and sync) against a raw consistent ``GetItem`` on
  the same key that builds the ``Document`` from the stored JSON by hand (the same
  work), and against a raw ``GetItem`` alone;
* ``save_many`` of 25 new documents: repokit against a raw ``TransactWriteItems``
  of the same 25 items (hand-encoded, each with ``attribute_not_exists``);

and the exact vector search time (cosine, k=10, 384 dimensions) over 10,000 and
100,000 chunks on an endpoint given by ``--url`` (dynalite or AWS; 10,000
and 25,000 on moto, see :data:`MOTO_VECTORS`; 1,000 with ``--quick``), beside
the raw paging floor; each size's medians are also printed as soon as they are
measured.
Rounds of the contenders are interleaved so a slow moment of the machine hits
them alike.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aioboto3  # type: ignore[import-untyped]
import boto3  # type: ignore[import-untyped]
import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from repokit.domain.entities import Chunk, Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.dynamodb.chunks import chunk_item
from repokit.infrastructure.dynamodb.client_options import client_config, session_options
from repokit.infrastructure.dynamodb.emulator import MotoServer
from repokit.infrastructure.dynamodb.layout import chunk_key
from repokit.infrastructure.dynamodb.store import DynamoStore, open_dynamodb_store
from repokit.infrastructure.dynamodb.sync.store import DynamoStore as SyncDynamoStore
from repokit.infrastructure.dynamodb.sync.store import (
    open_dynamodb_store as open_sync_dynamodb_store,
)
from repokit.infrastructure.dynamodb.url import DynamoTarget, parse_dynamodb_url

DIM = 384
BATCH = 25
CHUNKS_PER_DOCUMENT = 40


@dataclass
class BenchOptions:
    """``url``: a DynamoDB endpoint (None: a private moto_server); ``quick``: a smoke run.

    ``vectors``: the search sizes instead of the defaults; ``vectors_only``: skip
    ``get_by_id``/``save_many`` (their raw side needs ``TransactWriteItems``, which
    dynalite lacks; the vector part uses ``PutItem``, ``BatchWriteItem`` and ``Query``).
    """

    url: str | None = None
    quick: bool = False
    vectors: tuple[int, ...] | None = None
    vectors_only: bool = False


@dataclass
class Sizes:
    seed: int
    lookups: int
    rounds: int
    vectors: tuple[int, ...]
    searches: int


MOTO_VECTORS = (10_000, 25_000)
"""On moto: every GSI ``Query`` page re-reads the whole index partition, so a full
streamed search is quadratic in the chunks (a 100,000-chunk search did not end in
30 minutes); 100,000 is measured on an endpoint that pages a GSI linearly
(``--url``: dynalite, or AWS; DynamoDB Local pages quadratically too, see docs/backends.md)."""


def sizes(quick: bool, emulator: bool) -> Sizes:
    if quick:
        return Sizes(seed=50, lookups=20, rounds=2, vectors=(1_000,), searches=2)
    vectors = MOTO_VECTORS if emulator else (10_000, 100_000)
    return Sizes(seed=200, lookups=100, rounds=15, vectors=vectors, searches=3)


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


def stamp(moment: Any) -> str:
    """The adapter's millisecond sort-key timestamp, written by hand."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def raw_item(document: Document) -> dict[str, Any]:
    """The item the adapter stores for a new document, encoded by hand."""
    stored = document.model_copy(update={"version": 1})
    at = f"{stamp(stored.created_at)}#{stored.id}"
    return {
        "PK": {"S": f"DOC#{stored.id}"},
        "SK": {"S": "DOC"},
        "G1PK": {"S": "DOCS"},
        "G1SK": {"S": at},
        "ca": {"S": stamp(stored.created_at)},
        "ua": {"S": stamp(stored.updated_at)},
        "v": {"N": "1"},
        "d": {"S": stored.model_dump_json()},
    }


def raw_put(table: str, document: Document) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": raw_item(document),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": "PK"},
        }
    }


def key_of(id_: Any) -> dict[str, Any]:
    return {"PK": {"S": f"DOC#{id_}"}, "SK": {"S": "DOC"}}


class Results:
    """Median seconds per operation, by (operation, contender)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], float] = {}
        self.notes: list[str] = []

    def add(self, operation: str, contender: str, samples: Sequence[float], per: int) -> None:
        self.values[(operation, contender)] = statistics.median(samples) / per


async def atimed(function: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await function()
    return time.perf_counter() - start


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


async def bench_async(
    target: DynamoTarget, url: str, size: Sizes, results: Results, progress: Progress
) -> None:
    settings = Settings(database_url=None, cache_url=None, embedding_dim=DIM)
    store = await open_dynamodb_store(url, settings)
    await store.migrate()
    rng = random.Random(1)
    seed = make_documents(size.seed, rng)
    for start in range(0, len(seed), BATCH):
        await store.documents.save_many(seed[start : start + BATCH])
    lookups = [rng.choice(seed).id for _ in range(size.lookups)]
    task = progress.add_task("async: repokit vs aioboto3, rounds interleaved", total=size.rounds)
    session = aioboto3.Session(**session_options(target))
    table = target.table
    async with session.client(
        "dynamodb", endpoint_url=target.endpoint_url, config=client_config(target, settings)
    ) as raw:

        async def raw_gets() -> None:
            for id_ in lookups:
                response = await raw.get_item(TableName=table, Key=key_of(id_), ConsistentRead=True)
                Document.model_validate_json(response["Item"]["d"]["S"])

        async def raw_items() -> None:
            for id_ in lookups:
                await raw.get_item(TableName=table, Key=key_of(id_), ConsistentRead=True)

        async def repokit_gets() -> None:
            for id_ in lookups:
                await store.documents.get_by_id(id_)

        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(size.rounds):
            batch_raw, batch_repokit = make_documents(BATCH, rng), make_documents(BATCH, rng)
            for who, get in (("aioboto3", raw_gets), ("repokit", repokit_gets)):
                samples.setdefault(("get_by_id", who), []).append(await atimed(get))
            samples.setdefault(("get_by_id, raw GetItem only", "aioboto3"), []).append(
                await atimed(raw_items)
            )
            samples.setdefault(("save_many 25", "aioboto3"), []).append(
                await atimed(
                    lambda batch=batch_raw: raw.transact_write_items(
                        TransactItems=[raw_put(table, d) for d in batch]
                    )
                )
            )
            samples.setdefault(("save_many 25", "repokit"), []).append(
                await atimed(lambda batch=batch_repokit: store.documents.save_many(batch))
            )
            progress.advance(task)
    for (operation, who), values in samples.items():
        results.add(operation, who, values, 1 if operation.startswith("save") else len(lookups))
    await store.close()


def bench_sync(
    target: DynamoTarget, url: str, size: Sizes, results: Results, progress: Progress
) -> None:
    settings = Settings(database_url=None, cache_url=None, embedding_dim=DIM)
    store: SyncDynamoStore = open_sync_dynamodb_store(url, settings)
    store.migrate()
    rng = random.Random(2)
    seed = make_documents(size.seed, rng)
    for start in range(0, len(seed), BATCH):
        store.documents.save_many(seed[start : start + BATCH])
    lookups = [rng.choice(seed).id for _ in range(size.lookups)]
    raw = boto3.session.Session(**session_options(target)).client(
        "dynamodb", endpoint_url=target.endpoint_url, config=client_config(target, settings)
    )
    table = target.table
    task = progress.add_task("sync: repokit vs boto3, rounds interleaved", total=size.rounds)

    def raw_gets() -> None:
        for id_ in lookups:
            response = raw.get_item(TableName=table, Key=key_of(id_), ConsistentRead=True)
            Document.model_validate_json(response["Item"]["d"]["S"])

    def repokit_gets() -> None:
        for id_ in lookups:
            store.documents.get_by_id(id_)

    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(size.rounds):
        batch_raw, batch_repokit = make_documents(BATCH, rng), make_documents(BATCH, rng)
        samples.setdefault(("get_by_id", "boto3"), []).append(timed(raw_gets))
        samples.setdefault(("get_by_id", "repokit sync"), []).append(timed(repokit_gets))
        samples.setdefault(("save_many 25", "boto3"), []).append(
            timed(
                lambda batch=batch_raw: raw.transact_write_items(
                    TransactItems=[raw_put(table, d) for d in batch]
                )
            )
        )
        samples.setdefault(("save_many 25", "repokit sync"), []).append(
            timed(lambda batch=batch_repokit: store.documents.save_many(batch))
        )
        progress.advance(task)
    for (operation, who), values in samples.items():
        results.add(operation, who, values, 1 if operation.startswith("save") else len(lookups))
    raw.close()
    store.close()


async def bench_vectors(
    target: DynamoTarget, url: str, size: Sizes, results: Results, progress: Progress
) -> None:
    """Exact search time over growing numbers of chunks, beside the raw paging floor.

    The documents are saved 25 at a time, concurrently, each with ``PutItem``,
    and their chunks written with concurrent ``BatchWriteItem`` requests (the
    adapter's own item encoding, 25 items a request): loading goes through no
    transaction, because moto deep-copies its whole state
    for every ``TransactWriteItems``, which makes a large load through
    transactions quadratic on the emulator (not on DynamoDB).
    The raw floor pages through the same ``CHUNKS`` partition with aioboto3 and
    scores with numpy: the least any exact search on DynamoDB has to do.
    """
    vector_url = with_table(url, f"{target.table}-vectors")
    settings = Settings(database_url=None, cache_url=None, embedding_dim=DIM)
    store = await open_dynamodb_store(vector_url, settings)
    await store.migrate()
    table = store.client.table
    rng = np.random.default_rng(3)
    loaded = 0
    for wanted in size.vectors:
        task = progress.add_task(f"loading {wanted:,} chunks (BatchWriteItem)", total=wanted)
        progress.update(task, completed=loaded)
        while loaded < wanted:
            documents = await asyncio.gather(
                *(
                    store.documents.save(document)
                    for document in make_documents(25, random.Random(loaded))
                )
            )
            requests = []
            for document in documents:
                for ordinal in range(CHUNKS_PER_DOCUMENT):
                    chunk = Chunk(
                        document_id=document.id,
                        ordinal=ordinal,
                        content=f"chunk {ordinal} of {document.title}",
                        embedding=rng.standard_normal(DIM).astype(np.float32).tolist(),
                    )
                    pk, sk = chunk_key(document.id, ordinal)
                    item = {**chunk_item(chunk), "PK": {"S": pk}, "SK": {"S": sk}}
                    requests.append({"PutRequest": {"Item": item}})

            async def write(batch: list[dict[str, Any]]) -> None:
                pending: dict[str, Any] = {table: batch}
                while pending:
                    response = await store.client.call("batch_write_item", RequestItems=pending)
                    pending = response.get("UnprocessedItems") or {}

            await asyncio.gather(
                *(write(requests[start : start + 25]) for start in range(0, len(requests), 25))
            )
            loaded += len(requests)
            progress.update(task, completed=min(loaded, wanted))
        query = rng.standard_normal(DIM).tolist()
        label = f"search k=10 over {loaded:,} chunks"
        searching = progress.add_task(f"{label}, repokit and raw", total=size.searches)
        samples, floor = [], []
        for _ in range(size.searches):
            samples.append(await atimed(lambda q=query: store.documents.search_similar(q, k=10)))
            floor.append(await atimed(lambda q=query: raw_scan(store, q)))
            progress.advance(searching)
        results.add(label, "repokit", samples, 1)
        results.add(label, "aioboto3", floor, 1)
        progress.console.print(
            f"{label}: repokit {statistics.median(samples):.2f} s, "
            f"raw paging floor {statistics.median(floor):.2f} s "
            f"(medians of {size.searches})"
        )
    await store.close()


def with_table(url: str, table: str) -> str:
    """``url`` naming another table (the vectors get a table of their own)."""
    head, _, query = url.partition("?")
    options = [part for part in query.split("&") if part and not part.startswith("table=")]
    return f"{head}?{'&'.join([*options, f'table={table}'])}"


async def raw_scan(store: DynamoStore, query: list[float]) -> None:
    """Page through every chunk of the CHUNKS partition and score them (numpy, no top-k)."""
    vector = np.asarray(query, dtype=np.float64)
    params: dict[str, Any] = {
        "TableName": store.client.table,
        "IndexName": "GSI1",
        "KeyConditionExpression": "G1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "CHUNKS"}},
    }
    while True:
        page = await store.client.call("query", **params)
        blobs = b"".join(item["e"]["B"] for item in page["Items"])
        matrix = np.frombuffer(blobs, dtype="<f4").reshape(-1, DIM).astype(np.float64)
        np.argsort(-(matrix @ vector))[:10]
        if "LastEvaluatedKey" not in page:
            return
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def report(results: Results, console: Console, endpoint: str) -> None:
    table = Table(title=f"DynamoDB: repokit vs raw calls on the same endpoint ({endpoint})")
    table.add_column("operation")
    contenders = ("aioboto3", "repokit", "boto3", "repokit sync")
    for name in contenders:
        table.add_column(name, justify="right")
    table.add_column("repokit / aioboto3", justify="right")
    table.add_column("repokit sync / boto3", justify="right")

    def cell(op: str, who: str) -> str:
        value = results.values.get((op, who))
        return "" if value is None else f"{value * 1000:.2f} ms"

    def ratio(op: str, mine: str, raw: str) -> str:
        a, b = results.values.get((op, mine)), results.values.get((op, raw))
        return "" if a is None or b is None else f"{a / b:.2f}x"

    for op in dict.fromkeys(op for op, _ in results.values):
        table.add_row(
            op,
            *(cell(op, who) for who in contenders),
            ratio(op, "repokit", "aioboto3"),
            ratio(op, "repokit sync", "boto3"),
        )
    console.print(table)
    for note in results.notes:
        console.print(note)


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Run the comparison and print its table (see the module's docstring)."""
    size = sizes(options.quick, emulator=options.url is None)
    if options.vectors is not None:
        size.vectors = tuple(sorted(options.vectors))
    results = Results()
    server = None
    url = options.url
    if url is None:
        server = MotoServer().start()
        url = server.url("bench")
    try:
        target = parse_dynamodb_url(url)
        with Progress(console=console, transient=True) as progress:
            if not options.vectors_only:
                await bench_async(target, url, size, results, progress)
                await asyncio.to_thread(bench_sync, target, url, size, results, progress)
            await bench_vectors(target, url, size, results, progress)
        report(results, console, "moto_server" if server else target.redacted)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    asyncio.run(run_benchmark(BenchOptions(quick=True), Console(width=140)))
