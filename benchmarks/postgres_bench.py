"""PostgreSQL adapter beside raw asyncpg doing the same work on the same server.

Run: ``repokit bench postgres`` or ``python -m benchmarks.postgres_bench`` from the
repository root (``--quick`` for a smoke run of a few thousand rows, ``--url`` for a
server of your own: it must be a scratch database, the run truncates repokit's
tables). Without ``--url`` a throwaway embedded PostgreSQL 18 + pgvector is started
in a temporary folder and removed afterwards.

In one run, on the synthetic set of :mod:`benchmarks.datasets` (20,000 chunks x 384
in 2,000 documents; ~10% of the documents carry the tag the filtered searches
select), it prints one table with the ratios against raw asyncpg:

* ``get_by_id``: best latency of ``store.documents.get_by_id`` against a raw
  prepared ``SELECT`` by primary key on the same ``documents`` table, decoded by
  hand into a ``Document`` (the same work). Rounds alternate, so a noisy moment on
  the machine hits both alike; the best round of each side is shown (timings
  here are best-of-``--rounds``).
* ``add_chunks``: the chunks stored one document (10 chunks) per call, against one
  raw binary ``COPY`` of all rows into a table with the same columns, constraints
  and HNSW index; both tables start empty, the two loads alternate for
  ``--ingest-rounds`` rounds and the best of each is kept. The same load over the pool
  (``--workers`` concurrent calls) is shown too, and the adapter's bulk-load path
  when it offers one (against raw ``COPY`` then ``CREATE INDEX``): a callable
  ``bulk_add_chunks``, ``bulk_load_chunks`` or ``load_chunks`` on
  ``store.documents`` or the store, taking all the chunks in one list.
* ``search_similar``: queries per second, one query at a time, against a raw
  prepared ``ORDER BY embedding <=> $1 LIMIT 10`` on the adapter's own ``chunks``
  table (same rows, same index) at the adapter's default ``hnsw.ef_search`` and
  iterative-scan mode, fetching the same columns and building the same hits; the
  filtered one with the adapter's filter semantics (``metadata @> $2 OR metadata @>
  $3``: the tag is "blue" or an array holding it, both forms bound, as the adapter's
  compiled filter is).
* recall@10 against exact (numpy over the same float32 vectors) at the adapter's
  *default* settings, unfiltered and with the document filter; ``exact=True`` as a
  check of the ground truth.

A second table runs the adapter on a differently generated set
(:mod:`benchmarks.second_set`, ``--second-rows``; 0 leaves it out): recall@10 and
q/s at the defaults and after ``tune_search``, beside raw pgvector at the
``ef_search`` that reaches the same recall.

If the adapter cannot be opened (not installed yet, migrations missing, ...) the raw
side still runs and the adapter cells say why.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from benchmarks import pgvector_raw as raw
from benchmarks.datasets import Dataset, exact_top_k, make_dataset, recall_at_k
from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.infrastructure.config import Settings

K = 10
NOT_AVAILABLE = "adapter not available"
TAG_FILTER = {"metadata.tag": "blue"}
TAG_FORMS = ({"tag": "blue"}, {"tag": ["blue"]})
"""The two containments that ``TAG_FILTER`` means on PostgreSQL (a value, or an array
holding it): the raw filtered search tests both, as the adapter does."""


@dataclass(slots=True)
class BenchOptions:
    """Sizes of one run; :meth:`quick` is the smoke-test size."""

    url: str | None = None
    rows: int = 20_000
    queries: int = 200
    lookups: int = 2_000
    rounds: int = 5
    workers: int = 4
    ingest_rounds: int = 2
    second_rows: int = 10_000
    """Chunks of the second data set (``benchmarks.second_set``); 0 leaves it out."""
    second_queries: int = 200

    @classmethod
    def quick(cls, url: str | None = None) -> BenchOptions:
        return cls(
            url=url,
            rows=2_000,
            queries=30,
            lookups=200,
            rounds=3,
            workers=2,
            ingest_rounds=1,
            second_rows=1_000,
            second_queries=20,
        )


@dataclass(slots=True)
class Line:
    """One row of the result table."""

    measure: str
    raw: str
    repokit: str
    ratio: str = "-"
    target: str = ""
    met: bool | None = None


@dataclass(slots=True)
class BenchReport:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    adapter_error: str | None = None

    def add(self, line: Line) -> None:
        self.lines.append(line)


# -- data --------------------------------------------------------------------------------


@dataclass(slots=True)
class Corpus:
    """The dataset as repokit entities, with the same ids on the raw side."""

    data: Dataset
    documents: list[Document]
    chunks: list[list[Chunk]]
    """Chunks per document, in dataset row order."""
    row_of: dict[uuid.UUID, int]
    """Chunk id -> dataset row, to score recall."""


def build_corpus(data: Dataset) -> Corpus:
    ids = uuid.UUID(int=0)  # deterministic ids: uuid4 would make runs differ in order
    now = datetime(2026, 1, 1, tzinfo=UTC)
    documents = [
        Document(
            id=uuid.UUID(int=ids.int + 1 + i),
            title=f"document {i}",
            content=f"synthetic document {i}",
            metadata={"tag": "blue" if tagged else "grey", "n": i},
            created_at=now,
            updated_at=now,
        )
        for i, tagged in enumerate(data.tagged_documents.tolist())
    ]
    chunks: list[list[Chunk]] = [[] for _ in documents]
    row_of: dict[uuid.UUID, int] = {}
    vectors = data.vectors.tolist()
    for row, parent in enumerate(data.document_of.tolist()):
        chunk = Chunk(
            id=uuid.UUID(int=(1 << 64) + row),
            document_id=documents[parent].id,
            ordinal=len(chunks[parent]),
            content=f"chunk {row}",
            embedding=vectors[row],
        )
        chunks[parent].append(chunk)
        row_of[chunk.id] = row
    return Corpus(data, documents, chunks, row_of)


# -- raw asyncpg -------------------------------------------------------------------------

RAW_DOCUMENTS = "bench_raw_documents"
RAW_CHUNKS = "bench_raw_chunks"
DOCUMENT_COLUMNS = ("id", "workspace_id", "title", "content", "metadata", "created_at")
DOCUMENT_COLUMNS += ("updated_at", "version")
CHUNK_COLUMNS = ("id", "document_id", "ordinal", "content", "embedding", "metadata")


def hnsw_options() -> dict[str, int]:
    """The adapter's HNSW build parameters (pgvector's defaults if it does not say)."""
    try:
        from repokit.infrastructure.sql.tables import HNSW_OPTIONS
    except ImportError:
        return {"m": 16, "ef_construction": 64}
    return dict(HNSW_OPTIONS)


def search_defaults() -> tuple[int, str]:
    """The adapter's default ``hnsw.ef_search`` and iterative-scan mode."""
    settings = Settings()
    ef_search = int(getattr(settings, "hnsw_ef_search", 40))
    return ef_search, str(getattr(settings, "hnsw_iterative_scan", "off"))


async def create_raw_tables(connection: asyncpg.Connection, dim: int, index: bool) -> None:
    """The adapter's PostgreSQL schema for documents and chunks, under other names."""
    await connection.execute(f"DROP TABLE IF EXISTS {RAW_CHUNKS}, {RAW_DOCUMENTS}")
    await connection.execute(
        f"CREATE TABLE {RAW_DOCUMENTS} (id uuid PRIMARY KEY, workspace_id uuid, "
        "title text NOT NULL, content text NOT NULL, metadata jsonb NOT NULL, "
        "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, "
        "version integer NOT NULL)"
    )
    await connection.execute(f"CREATE INDEX ON {RAW_DOCUMENTS} USING gin (metadata jsonb_path_ops)")
    await connection.execute(
        f"CREATE TABLE {RAW_CHUNKS} (id uuid PRIMARY KEY, "
        f"document_id uuid NOT NULL REFERENCES {RAW_DOCUMENTS} ON DELETE CASCADE, "
        f"ordinal integer NOT NULL, content text NOT NULL, embedding vector({dim}) NOT NULL, "
        "metadata jsonb NOT NULL, UNIQUE (document_id, ordinal))"
    )
    if index:
        await connection.execute(raw_index_sql())


def raw_index_sql() -> str:
    options = hnsw_options()
    return (
        f"CREATE INDEX {RAW_CHUNKS}_hnsw ON {RAW_CHUNKS} USING hnsw "
        f"(embedding vector_cosine_ops) WITH (m = {options['m']}, "
        f"ef_construction = {options['ef_construction']})"
    )


def document_record(document: Document) -> tuple[Any, ...]:
    return (
        document.id,
        document.workspace_id,
        document.title,
        document.content,
        json.dumps(document.metadata, separators=(",", ":")),
        document.created_at,
        document.updated_at,
        1,
    )


def chunk_records(corpus: Corpus) -> list[tuple[Any, ...]]:
    vectors = corpus.data.vectors
    return [
        (
            chunk.id,
            chunk.document_id,
            chunk.ordinal,
            chunk.content,
            vectors[corpus.row_of[chunk.id]],
            "{}",
        )
        for group in corpus.chunks
        for chunk in group
    ]


def row_to_document(row: asyncpg.Record) -> Document:
    """A row decoded by hand into a ``Document``: the work the adapter does after fetching."""
    return Document.model_construct(
        id=row[0],
        workspace_id=row[1],
        title=row[2],
        content=row[3],
        metadata=json.loads(row[4]),
        created_at=row[5],
        updated_at=row[6],
        version=row[7],
    )


def row_to_hit(row: asyncpg.Record) -> ScoredChunk:
    chunk = Chunk.model_construct(
        id=row[0],
        document_id=row[1],
        ordinal=row[2],
        content=row[3],
        embedding=row[4].tolist(),
        metadata=json.loads(row[5]),
    )
    return ScoredChunk.model_construct(chunk=chunk, score=1.0 - row[6])


def search_sql(chunks: str, documents: str, filtered: bool) -> str:
    """The raw search; filtered, with the semantics of the adapter's ``{"metadata.tag":
    "blue"}``: the tag equals "blue" or is an array holding it (jsonb containment
    needs one ``@>`` per form, as the adapter's compiled filter has; see
    ``TAG_FORMS``)."""
    where = (
        f"WHERE document_id IN (SELECT id FROM {documents} "
        "WHERE metadata @> $2::jsonb OR metadata @> $3::jsonb) "
        if filtered
        else ""
    )
    return (
        f"SELECT id, document_id, ordinal, content, embedding, metadata, "
        f"embedding <=> $1 AS distance FROM {chunks} {where}"
        f"ORDER BY embedding <=> $1 LIMIT {K}"
    )


# -- timing ------------------------------------------------------------------------------


async def timed(work: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await work()
    return time.perf_counter() - start


def fmt_latency(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"


def fmt_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s ({seconds:.2f} s)"


# -- the run -----------------------------------------------------------------------------


class Bench:
    def __init__(self, options: BenchOptions, dim: int, progress: Progress) -> None:
        self.options = options
        self.dim = dim
        self.progress = progress
        self.report = BenchReport()
        self.ef_search, self.iterative_scan = search_defaults()
        self.failures: list[str] = []
        self.raw_records: list[tuple[Any, ...]] = []

    def step(self, description: str, total: int) -> Any:
        return self.progress.add_task(description, total=total)

    async def run(self, url: str, corpus: Corpus) -> BenchReport:
        connection = await raw.connect(url)
        try:
            await self._run(connection, url, corpus)
        finally:
            await connection.execute(f"DROP TABLE IF EXISTS {RAW_CHUNKS}, {RAW_DOCUMENTS}")
            await connection.close()
        return self.report

    async def _run(self, connection: asyncpg.Connection, url: str, corpus: Corpus) -> None:
        version = await connection.fetchval("SHOW server_version")
        vector = await connection.fetchval(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        )
        options = hnsw_options()
        self.report.notes.append(
            f"PostgreSQL {version}, pgvector {vector}; {len(corpus.data.vectors):,} chunks x "
            f"{corpus.data.spec.dim} in {len(corpus.documents):,} documents, "
            f"{len(corpus.data.queries)} queries; HNSW m={options['m']}, "
            f"ef_construction={options['ef_construction']}; adapter defaults "
            f"ef_search={self.ef_search}, iterative_scan={self.iterative_scan}"
        )
        store = await self.open_adapter(url)
        try:
            store, raw_ingest, adapter_ingest = await self.ingest(store, connection, corpus)
            self.ingest_lines(corpus, raw_ingest, adapter_ingest)
            await self.get_by_id(store, connection, corpus)
            await self.search(store, connection, corpus)
        finally:
            if store is not None:
                await store.close()

    async def open_adapter(self, url: str) -> Any:
        try:
            from repokit.infrastructure.sql.postgres import open_postgres_store

            settings = Settings(
                embedding_dim=self.dim,
                pool_max_size=max(self.options.workers, 2),
            )
            store = await open_postgres_store(url, settings)
        except Exception as exc:  # any failure makes the adapter column say why
            self.report.adapter_error = f"{NOT_AVAILABLE}: {type(exc).__name__}: {exc}"
            return None
        try:
            await store.migrate()
        except Exception as exc:
            await store.close()
            self.report.adapter_error = (
                f"{NOT_AVAILABLE}: migrate() failed: {type(exc).__name__}: {exc}"
            )
            return None
        return store

    # ingest ------------------------------------------------------------------------------

    async def raw_ingest(self, connection: asyncpg.Connection, corpus: Corpus) -> float:
        """COPY into the bare table, then CREATE INDEX; leaves the indexed table empty."""
        task = self.step("raw COPY into a bare table, then CREATE INDEX", 1)
        await create_raw_tables(connection, corpus.data.spec.dim, index=False)
        await connection.copy_records_to_table(
            RAW_DOCUMENTS,
            records=[document_record(d) for d in corpus.documents],
            columns=DOCUMENT_COLUMNS,
        )
        self.raw_records = chunk_records(corpus)

        async def load() -> None:
            await connection.copy_records_to_table(
                RAW_CHUNKS, records=self.raw_records, columns=CHUNK_COLUMNS
            )
            await connection.execute(raw_index_sql())

        seconds = await timed(load)
        await connection.execute(f"TRUNCATE {RAW_CHUNKS}")
        await connection.execute(f"ANALYZE {RAW_DOCUMENTS}")
        self.progress.advance(task)
        return seconds

    async def raw_indexed_copy(self, connection: asyncpg.Connection) -> float:
        """One COPY of all chunks into the (emptied) table that carries the HNSW index."""
        await connection.execute(f"TRUNCATE {RAW_CHUNKS}")

        async def load() -> None:
            await connection.copy_records_to_table(
                RAW_CHUNKS, records=self.raw_records, columns=CHUNK_COLUMNS
            )

        seconds = await timed(load)
        await connection.execute(f"ANALYZE {RAW_CHUNKS}")
        return seconds

    async def adapter_ingest(
        self, store: Any, connection: asyncpg.Connection, corpus: Corpus
    ) -> dict[str, float]:
        """The adapter's bulk path (if any) and the load over the pool, once each."""
        if store is None:
            return {}
        seconds: dict[str, float] = {}
        # A scratch database by contract: rows of an earlier run would collide.
        await connection.execute("TRUNCATE chunks, documents")
        await store.documents.save_many(corpus.documents)
        groups = corpus.chunks
        bulk = bulk_loader(store)
        if bulk is not None:
            await connection.execute("TRUNCATE chunks")
            task = self.step("repokit bulk load (empty table)", 1)
            seconds["bulk"] = await timed(lambda: bulk([c for g in groups for c in g]))
            self.progress.advance(task)

        await connection.execute("TRUNCATE chunks")
        task = self.step(f"repokit add_chunks over {self.options.workers} tasks", len(groups))
        queue = iter(groups)

        async def worker() -> None:
            for group in queue:
                await store.documents.add_chunks(group[0].document_id, group)
                self.progress.advance(task)

        seconds["parallel"] = await timed(
            lambda: asyncio.gather(*(worker() for _ in range(self.options.workers)))
        )
        return seconds

    async def adapter_sequential(
        self, store: Any, connection: asyncpg.Connection, corpus: Corpus
    ) -> float:
        """``add_chunks`` one document per call into the emptied, indexed ``chunks``."""
        await connection.execute("TRUNCATE chunks")

        async def sequential() -> None:
            for group in corpus.chunks:
                await store.documents.add_chunks(group[0].document_id, group)

        seconds = await timed(sequential)
        # Fresh statistics, as autovacuum would give a settled table: the planner's
        # choice between the HNSW index and an exact plan depends on them.
        await connection.execute("ANALYZE chunks")
        await connection.execute("ANALYZE documents")
        return seconds

    async def ingest(
        self, store: Any, connection: asyncpg.Connection, corpus: Corpus
    ) -> tuple[Any, dict[str, float], dict[str, float]]:
        """All loads; returns the store (None if it failed) and the best seconds of each.

        The two loads of the headline ratio alternate for ``ingest_rounds`` rounds and
        keep their best: a single 15-second load on a shared machine is easily hit by
        other work. Both end with their tables loaded through the index, so the searches
        run on graphs built by inserts on both sides.
        """
        raw_s = {"bare+index": await self.raw_ingest(connection, corpus)}
        repokit_s: dict[str, float] = {}
        try:
            repokit_s = await self.adapter_ingest(store, connection, corpus)
        except Exception as exc:
            # Without its chunks the adapter cannot be searched: the raw side goes on alone.
            self.adapter_failed("ingest", exc)
            await store.close()
            store = None
        rounds = self.options.ingest_rounds
        task = self.step("COPY into the HNSW table vs add_chunks, alternating", rounds)
        for _ in range(rounds):
            seconds = await self.raw_indexed_copy(connection)
            raw_s["indexed"] = min(raw_s.get("indexed", seconds), seconds)
            if store is not None:
                try:
                    seconds = await self.adapter_sequential(store, connection, corpus)
                except Exception as exc:
                    self.adapter_failed("add_chunks", exc)
                    await store.close()
                    store = None
                else:
                    repokit_s["sequential"] = min(repokit_s.get("sequential", seconds), seconds)
            self.progress.advance(task)
        return store, raw_s, repokit_s

    def ingest_lines(
        self, corpus: Corpus, raw_s: dict[str, float], repokit_s: dict[str, float]
    ) -> None:
        n = len(corpus.data.vectors)

        def line(measure: str, key: str, raw_key: str, target: float | None = None) -> None:
            mine = repokit_s.get(key)
            ratio = "-" if mine is None else f"{raw_s[raw_key] / mine:.2f}x"
            met = None if mine is None or target is None else raw_s[raw_key] / mine >= target
            self.report.add(
                Line(
                    measure,
                    fmt_rate(n, raw_s[raw_key]),
                    self.missing
                    if self.report.adapter_error or self.failures
                    else ("not offered" if mine is None else fmt_rate(n, mine)),
                    ratio,
                    "" if target is None else f"≥ {target}x",
                    met,
                )
            )

        line(
            f"add_chunks {n:,} (10/call) vs COPY → HNSW",
            "sequential",
            "indexed",
            0.8,
        )
        line(
            f"add_chunks, {self.options.workers} tasks vs COPY → HNSW",
            "parallel",
            "indexed",
        )
        line("bulk load vs COPY + CREATE INDEX", "bulk", "bare+index")

    # get_by_id ---------------------------------------------------------------------------

    async def get_by_id(self, store: Any, connection: asyncpg.Connection, corpus: Corpus) -> None:
        rng = np.random.default_rng(3)
        ids = [
            corpus.documents[i].id
            for i in rng.integers(0, len(corpus.documents), self.options.lookups)
        ]
        table = "documents" if store is not None else RAW_DOCUMENTS
        statement = await connection.prepare(
            f"SELECT {', '.join(DOCUMENT_COLUMNS)} FROM {table} WHERE id = $1"
        )

        async def raw_gets() -> None:
            for key in ids:
                row_to_document(await statement.fetchrow(key))

        async def raw_rows() -> None:
            for key in ids:
                await statement.fetchrow(key)

        async def repokit_gets() -> None:
            for key in ids:
                await store.documents.get_by_id(key)

        contenders: dict[str, Callable[[], Awaitable[None]]] = {"raw": raw_gets, "row": raw_rows}
        if store is not None:
            contenders["repokit"] = repokit_gets
        task = self.step("get_by_id, rounds interleaved", self.options.rounds)
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for name, work in list(contenders.items()):  # warm-up: statement caches, buffers
            try:
                await work()
            except Exception as exc:
                if name != "repokit":
                    raise
                self.adapter_failed("get_by_id", exc)
                del contenders[name]
                del samples[name]
        for _ in range(self.options.rounds):
            for name, work in contenders.items():
                samples[name].append(await timed(work) / len(ids))
            self.progress.advance(task)
        # The best round of each: on a shared machine the slow rounds measure the
        # neighbours; the rounds alternate, so both sides get the same chances.
        best = {name: min(values) for name, values in samples.items()}
        mine = best.get("repokit")
        self.report.add(
            Line(
                "get_by_id vs prepared SELECT + decode",
                fmt_latency(best["raw"]),
                self.adapter_cell(mine, fmt_latency),
                "-" if mine is None else f"{mine / best['raw']:.2f}x",
                "≤ 1.25x",
                None if mine is None else mine / best["raw"] <= 1.25,
            )
        )
        self.report.add(
            Line(
                "get_by_id vs prepared SELECT, row only",
                fmt_latency(best["row"]),
                self.adapter_cell(mine, fmt_latency),
                "-" if mine is None else f"{mine / best['row']:.2f}x",
            )
        )

    def adapter_cell(self, value: float | None, fmt: Callable[[float], str]) -> str:
        if value is None:
            return self.missing
        return fmt(value)

    @property
    def missing(self) -> str:
        """What an adapter cell without a value says."""
        return NOT_AVAILABLE if self.report.adapter_error or not self.failures else "adapter failed"

    def adapter_failed(self, operation: str, exc: Exception) -> None:
        self.failures.append(f"{operation} failed: {type(exc).__name__}: {exc}")

    # search ------------------------------------------------------------------------------

    async def search(self, store: Any, connection: asyncpg.Connection, corpus: Corpus) -> None:
        data = corpus.data
        queries = data.queries
        allowed = data.tagged_documents[data.document_of]
        truth = {
            False: exact_top_k(data.vectors, queries, K),
            True: exact_top_k(data.vectors, queries, K, allowed),
        }
        # The raw side searches the adapter's own table when there is one: same rows,
        # same index graph, so the difference is the adapter's own work.
        chunks, documents = (
            ("chunks", "documents") if store is not None else (RAW_CHUNKS, RAW_DOCUMENTS)
        )
        await connection.execute(f"SET hnsw.ef_search = {self.ef_search}")
        await connection.execute(f"SET hnsw.iterative_scan = {self.iterative_scan}")
        query_lists = [q.tolist() for q in queries]
        tag = tuple(json.dumps(form) for form in TAG_FORMS)
        for filtered in (False, True):
            label = "10% filter" if filtered else "unfiltered"
            statement = await connection.prepare(search_sql(chunks, documents, filtered))
            extra = tag if filtered else ()

            async def raw_search(
                statement: asyncpg.prepared_stmt.PreparedStatement = statement,
                extra: tuple[str, ...] = extra,
            ) -> list[list[int]]:
                found = []
                for query in queries:
                    hits = [row_to_hit(row) for row in await statement.fetch(query, *extra)]
                    found.append([self.row(corpus, hit.chunk.id) for hit in hits])
                return found

            async def repokit_search(
                filtered: bool = filtered, exact: bool = False
            ) -> list[list[int]]:
                where = TAG_FILTER if filtered else None
                found = []
                for query in query_lists:
                    hits = await store.documents.search_similar(
                        query, k=K, where=where, exact=exact
                    )
                    found.append([corpus.row_of[hit.chunk.id] for hit in hits])
                return found

            task = self.step(f"search_similar, {label}", self.options.rounds)
            contenders: dict[str, Callable[[], Awaitable[list[list[int]]]]] = {"raw": raw_search}
            if store is not None:
                contenders["repokit"] = repokit_search
            results: dict[str, list[list[int]]] = {}
            for name, work in list(contenders.items()):  # warm-up, and the hits for recall
                try:
                    results[name] = await work()
                except Exception as exc:
                    if name == "raw":
                        raise
                    self.adapter_failed("search_similar", exc)
                    del contenders[name]
            samples: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(self.options.rounds):
                for name, work in contenders.items():
                    samples[name].append(await timed(work))
                self.progress.advance(task)
            qps = {name: len(queries) / min(v) for name, v in samples.items()}
            mine = qps.get("repokit")
            store_ok = "repokit" in results
            self.report.add(
                Line(
                    f"search q/s, {label}, ef_search={self.ef_search}",
                    f"{qps['raw']:,.0f} q/s",
                    self.adapter_cell(mine, lambda v: f"{v:,.0f} q/s"),
                    "-" if mine is None else f"{mine / qps['raw']:.2f}x",
                    "≥ 0.85x",
                    None if mine is None else mine / qps["raw"] >= 0.85,
                )
            )
            raw_recall = recall_at_k(results["raw"], truth[filtered])
            recall = recall_at_k(results["repokit"], truth[filtered]) if store_ok else None
            self.report.add(
                Line(
                    f"recall@{K}, {label}, defaults",
                    f"{raw_recall:.3f}",
                    self.adapter_cell(recall, lambda v: f"{v:.3f}"),
                    "",
                    "≥ 0.95",
                    None if recall is None else recall >= 0.95,
                )
            )
            if store_ok and not filtered:
                exact = recall_at_k(await repokit_search(exact=True), truth[False])
                self.report.add(Line(f"recall@{K}, exact=True", "-", f"{exact:.3f}"))

    def row(self, corpus: Corpus, chunk_id: uuid.UUID) -> int:
        return corpus.row_of[chunk_id]


def bulk_loader(store: Any) -> Callable[[Sequence[Chunk]], Awaitable[Any]] | None:
    """The adapter's bulk-load entry for chunks, if it offers one."""
    for owner in (store.documents, store):
        for name in ("bulk_add_chunks", "bulk_load_chunks", "load_chunks"):
            function = getattr(owner, name, None)
            if callable(function):
                return function  # type: ignore[no-any-return]
    return None


def render(report: BenchReport, console: Console) -> None:
    table = Table(title="PostgreSQL: repokit vs raw asyncpg (same server)", title_justify="left")
    table.add_column("measure")
    table.add_column("raw asyncpg", justify="right")
    table.add_column("repokit", justify="right")
    table.add_column("repokit / raw", justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")
    for line in report.lines:
        mark = "" if line.met is None else ("[green]✓[/]" if line.met else "[red]✗[/]")
        table.add_row(line.measure, line.raw, line.repokit, line.ratio, line.target, mark)
    console.print(table)
    for note in report.notes:
        console.print(f"[dim]{note}[/]")
    if report.adapter_error:
        console.print(f"[yellow]{report.adapter_error}[/]")


async def run_benchmark(options: BenchOptions, console: Console) -> BenchReport:
    """Run everything with a rich progress display, print the table, return the report."""
    data = await asyncio.to_thread(make_dataset, options.rows, options.queries)
    corpus = await asyncio.to_thread(build_corpus, data)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        async with raw.server_url(options.url) as url:
            bench = Bench(options, data.spec.dim, progress)
            report = await bench.run(url, corpus)
            report.notes += bench.failures
            second = await _second_set(url, options, progress, report)
    render(report, console)
    if second is not None:
        from benchmarks import second_set

        second_set.render(second, console)
    return report


async def _second_set(
    url: str, options: BenchOptions, progress: Progress, report: BenchReport
) -> Any:
    """The run on the second data set (``benchmarks.second_set``), or None with a note."""
    if options.second_rows <= 0 or report.adapter_error:
        return None
    # Imported here: second_set builds on this module's corpus and raw statements.
    from benchmarks import second_set

    task = progress.add_task(f"second data set, {options.second_rows:,} chunks", total=1)
    try:
        result = await second_set.run_second_set(
            url, options.second_rows, options.second_queries, min(options.rounds, 3)
        )
    except Exception as exc:  # the main table stands on its own
        report.notes.append(f"second data set not measured: {type(exc).__name__}: {exc}")
        return None
    progress.advance(task)
    return result


def parse_args() -> BenchOptions:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="scratch PostgreSQL with pgvector (default: embedded)")
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few thousand rows")
    parser.add_argument("--rows", type=int, help="chunks (10 per document)")
    parser.add_argument("--queries", type=int)
    parser.add_argument("--lookups", type=int, help="get_by_id calls per round")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--workers", type=int, help="concurrent add_chunks tasks")
    parser.add_argument("--ingest-rounds", type=int, help="alternating loads; best kept")
    parser.add_argument("--second-rows", type=int, help="chunks of the second set (0: none)")
    parser.add_argument("--second-queries", type=int)
    args = parser.parse_args()
    options = BenchOptions.quick(args.url) if args.quick else BenchOptions(url=args.url)
    names = ("rows", "queries", "lookups", "rounds", "workers", "ingest_rounds")
    for name in (*names, "second_rows", "second_queries"):
        if getattr(args, name) is not None:
            setattr(options, name, getattr(args, name))
    return options


if __name__ == "__main__":
    asyncio.run(run_benchmark(parse_args(), Console(width=140)))
