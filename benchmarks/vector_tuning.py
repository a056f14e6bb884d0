"""Raw pgvector measurements behind repokit's default vector index settings.

Run: ``python -m benchmarks.vector_tuning`` from the repository root (``--help``
for sizes; ``--url`` to use a server of your own instead of a throwaway embedded
PostgreSQL 18 + pgvector). Everything goes through asyncpg directly, on the
synthetic set of :mod:`benchmarks.datasets` (20,000 x 384 by default), and prints:

* ingest: COPY into a bare table, into a table that already has an HNSW index,
  and COPY then ``CREATE INDEX``;
* HNSW builds for several ``(m, ef_construction)`` with recall@10 and q/s at
  several ``hnsw.ef_search``;
* IVFFlat with ``lists = sqrt(n)`` over a ``probes`` sweep;
* a filtered search (a metadata filter on the parent document keeping ~10%)
  with each ``hnsw.iterative_scan`` mode, recall against the exact filtered top-k;
* ``--markdown FILE`` writes the same tables as Markdown for ``docs/vector-tuning.md``.

Recall is against exact top-k computed with numpy on the same float32 unit
vectors (cosine). q/s is one connection, one prepared query at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks import pgvector_raw as raw
from benchmarks.datasets import Dataset, exact_top_k, make_dataset, recall_at_k

console = Console(width=120)
K = 10


class Report:
    """Tables printed with rich and kept as Markdown."""

    def __init__(self) -> None:
        self.markdown: list[str] = []

    def table(self, title: str, headers: list[str], rows: list[list[str]]) -> None:
        table = Table(title=title, title_justify="left")
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        self.markdown += [f"#### {title}", "", "| " + " | ".join(headers) + " |"]
        self.markdown.append("| " + " | ".join("---" for _ in headers) + " |")
        self.markdown += ["| " + " | ".join(row) + " |" for row in rows]
        self.markdown.append("")


async def load_documents(connection: asyncpg.Connection, data: Dataset) -> None:
    """Parent documents with jsonb metadata and a GIN index, as the adapter's schema has."""
    await connection.execute("DROP TABLE IF EXISTS docs")
    await connection.execute("CREATE TABLE docs (id integer PRIMARY KEY, metadata jsonb NOT NULL)")
    records = [
        (i, json.dumps({"tag": "blue" if tagged else "grey", "n": i}))
        for i, tagged in enumerate(data.tagged_documents.tolist())
    ]
    await connection.copy_records_to_table("docs", records=records, columns=["id", "metadata"])
    await connection.execute("CREATE INDEX docs_metadata ON docs USING gin (metadata)")
    await connection.execute("ANALYZE docs")


async def fresh_table(connection: asyncpg.Connection, data: Dataset, index_sql: str = "") -> float:
    """A loaded ``chunks`` table (optionally with an index made first); returns COPY seconds."""
    await raw.create_vector_table(connection, "chunks", data.spec.dim)
    if index_sql:
        await connection.execute(index_sql)
    tagged = data.tagged_documents[data.document_of]
    seconds = await raw.copy_vectors(connection, "chunks", data.vectors, data.document_of, tagged)
    await connection.execute("ANALYZE chunks")
    return seconds


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s"


async def bench_ingest(connection: asyncpg.Connection, data: Dataset, report: Report) -> None:
    n = len(data.vectors)
    bare = await fresh_table(connection, data)
    hnsw = raw.hnsw_index_sql("chunks", 16, 64)
    build = await raw.timed_execute(connection, hnsw)
    await connection.execute("SET maintenance_work_mem = '512MB'")
    await raw.create_vector_table(connection, "chunks", data.spec.dim)
    await fresh_table(connection, data)
    build_big = await raw.timed_execute(connection, hnsw)
    await connection.execute("RESET maintenance_work_mem")
    indexed = await fresh_table(connection, data, hnsw)
    rows = [
        ["COPY into a bare table", f"{bare:.2f} s", rate(n, bare)],
        ["COPY into a table with HNSW (m=16, ef_c=64)", f"{indexed:.1f} s", rate(n, indexed)],
        ["COPY bare, then CREATE INDEX", f"{bare + build:.2f} s", rate(n, bare + build)],
        [
            "same, maintenance_work_mem = 512MB",
            f"{bare + build_big:.2f} s",
            rate(n, bare + build_big),
        ],
    ]
    report.table(f"Ingest of {n:,} x {data.spec.dim}", ["path", "time", "throughput"], rows)


async def uses_index(connection: asyncpg.Connection, sql: str, query: Any) -> bool:
    """Whether the planner serves ``sql`` from a vector index (at a high ``ef_search``
    pgvector's cost estimate can make a sequential scan look cheaper)."""
    plan = await connection.fetch("EXPLAIN (COSTS OFF) " + sql, query)
    return any("chunks_hnsw" in row[0] or "chunks_ivf" in row[0] for row in plan)


async def best_of(
    connection: asyncpg.Connection, data: Dataset, sql: str, rounds: int
) -> tuple[list[list[int]], float]:
    """Ids per query and the best q/s of ``rounds`` passes: the machine is shared, and
    the best pass is the one least disturbed by other work."""
    statement = await connection.prepare(sql)
    for query in data.queries[:20]:  # warm the cache
        await statement.fetch(query)
    best, found = 0.0, []
    for _ in range(rounds):
        found = []
        start = time.perf_counter()
        for query in data.queries:
            found.append([row[0] for row in await statement.fetch(query)])
        best = max(best, len(data.queries) / (time.perf_counter() - start))
    return found, best


UNFILTERED = f"SELECT id FROM chunks ORDER BY embedding <=> $1 LIMIT {K}"


async def sweep(
    connection: asyncpg.Connection,
    data: Dataset,
    truth: np.ndarray[Any, Any],
    setting: str,
    values: list[int],
    rounds: int,
) -> list[tuple[str, float, float]]:
    results = []
    for value in values:
        await connection.execute(f"SET {setting} = {value}")
        found, qps = await best_of(connection, data, UNFILTERED, rounds)
        label = f"{setting.split('.')[1]}={value}"
        if not await uses_index(connection, UNFILTERED, data.queries[0]):
            label += " (planner: seq scan)"
        results.append((label, recall_at_k(found, truth), qps))
    await connection.execute(f"RESET {setting}")
    return results


async def bench_indexes(
    connection: asyncpg.Connection, data: Dataset, args: argparse.Namespace, report: Report
) -> None:
    truth = exact_top_k(data.vectors, data.queries, K)
    await fresh_table(connection, data)
    exact_found, exact_qps = await best_of(connection, data, UNFILTERED, args.rounds)
    rows = [
        [
            "exact (no index)",
            "-",
            "-",
            f"{recall_at_k(exact_found, truth):.3f}",
            f"{exact_qps:,.0f}",
        ]
    ]
    for m, ef_construction in args.hnsw:
        build = await raw.timed_execute(
            connection, raw.hnsw_index_sql("chunks", m, ef_construction)
        )
        for ef, recall, qps in await sweep(
            connection, data, truth, "hnsw.ef_search", args.ef, args.rounds
        ):
            rows.append(
                [
                    f"HNSW m={m}, ef_construction={ef_construction}",
                    f"{build:.1f} s",
                    ef,
                    f"{recall:.3f}",
                    f"{qps:,.0f}",
                ]
            )
        await connection.execute("DROP INDEX chunks_hnsw")
    lists = max(1, round(math.sqrt(len(data.vectors))))
    build = await raw.timed_execute(connection, raw.ivfflat_index_sql("chunks", lists))
    for probes, recall, qps in await sweep(
        connection, data, truth, "ivfflat.probes", args.probes, args.rounds
    ):
        rows.append(
            [
                f"IVFFlat lists={lists}",
                f"{build:.1f} s",
                probes,
                f"{recall:.3f}",
                f"{qps:,.0f}",
            ]
        )
    await connection.execute("DROP INDEX chunks_ivf")
    report.table(
        f"Recall@{K} and q/s, {len(data.vectors):,} x {data.spec.dim}, {len(data.queries)} queries",
        ["index", "build", "search setting", f"recall@{K}", "q/s"],
        rows,
    )


FILTERED = (
    "SELECT id FROM chunks WHERE document IN "
    '(SELECT id FROM docs WHERE metadata @> \'{"tag": "blue"}\') '
    f"ORDER BY embedding <=> $1 LIMIT {K}"
)


async def bench_filtered(
    connection: asyncpg.Connection, data: Dataset, args: argparse.Namespace, report: Report
) -> None:
    allowed = data.tagged_documents[data.document_of]
    truth = exact_top_k(data.vectors, data.queries, K, allowed)
    m, ef_construction = args.filtered_index
    await raw.timed_execute(connection, raw.hnsw_index_sql("chunks", m, ef_construction))
    rows = []
    for mode in ("off", "relaxed_order", "strict_order"):
        await connection.execute(f"SET hnsw.iterative_scan = {mode}")
        for ef in args.filtered_ef:
            await connection.execute(f"SET hnsw.ef_search = {ef}")
            found, qps = await best_of(connection, data, FILTERED, args.rounds)
            short = sum(len(hits) < K for hits in found)
            label = str(ef)
            if not await uses_index(connection, FILTERED, data.queries[0]):
                label += " (planner: no index)"
            rows.append(
                [mode, label, f"{recall_at_k(found, truth):.3f}", f"{short}", f"{qps:,.0f}"]
            )
    # Exact over the filtered rows: the planner's choice once index scans are off.
    await connection.execute("SET enable_indexscan = off")
    found, qps = await best_of(connection, data, FILTERED, args.rounds)
    recall = f"{recall_at_k(found, truth):.3f}"
    rows.append(["exact (index scans off)", "-", recall, "0", f"{qps:,.0f}"])
    await connection.execute("RESET enable_indexscan")
    await connection.execute("RESET hnsw.iterative_scan")
    await connection.execute("RESET hnsw.ef_search")
    share = allowed.mean()
    report.table(
        f"Filtered search ({share:.0%} of chunks match), "
        f"HNSW m={m}, ef_construction={ef_construction}",
        ["iterative_scan", "ef_search", f"recall@{K}", f"queries with < {K} hits", "q/s"],
        rows,
    )


async def bench_calibration(
    connection: asyncpg.Connection, data: Dataset, args: argparse.Namespace, report: Report
) -> None:
    """Calibrating ``ef_search`` on stored rows: does it predict the recall of real queries?

    The sample queries are stored vectors (what an adapter can draw without a query
    log); each one's own row is left out of both its hits and its truth, since a
    vector always finds itself. The calibrated value is the smallest ``ef_search``
    of the ladder whose sampled recall reaches ``--target``.
    """
    rng = np.random.default_rng(11)
    sample = rng.choice(len(data.vectors), size=args.calibration_sample, replace=False)
    scores = data.vectors[sample] @ data.vectors.T
    scores[np.arange(len(sample)), sample] = -np.inf
    sample_truth = np.argsort(-scores, axis=1)[:, :K]
    truth = exact_top_k(data.vectors, data.queries, K)
    statement = await connection.prepare(UNFILTERED.replace(f"LIMIT {K}", f"LIMIT {K + 1}"))
    await connection.execute("SET hnsw.iterative_scan = off")
    rows = []
    chosen = None
    for ef in args.calibration_ladder:
        await connection.execute(f"SET hnsw.ef_search = {ef}")
        found = []
        for row in sample:
            ids = [r[0] for r in await statement.fetch(data.vectors[row])]
            found.append([i for i in ids if i != row][:K])
        sampled = recall_at_k(found, sample_truth)
        held_out, qps = await best_of(connection, data, UNFILTERED, args.rounds)
        if chosen is None and sampled >= args.target:
            chosen = ef
        mark = " ← calibrated" if chosen == ef else ""
        rows.append(
            [f"{ef}{mark}", f"{sampled:.3f}", f"{recall_at_k(held_out, truth):.3f}", f"{qps:,.0f}"]
        )
    await connection.execute("RESET hnsw.ef_search")
    await connection.execute("RESET hnsw.iterative_scan")
    report.table(
        f"Calibration of ef_search on {len(sample)} stored rows (target {args.target})",
        ["ef_search", "recall, sampled rows", "recall, held-out queries", "q/s"],
        rows,
    )


async def main(args: argparse.Namespace) -> None:
    report = Report()
    data = make_dataset(args.rows, args.queries)
    console.print(f"dataset: {data.spec}")
    async with raw.server_url(args.url) as url:
        connection = await raw.connect(url)
        version = await connection.fetchval("SELECT version()")
        vector = await connection.fetchval(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        )
        console.print(f"{version.split(',')[0]}, pgvector {vector}")
        await load_documents(connection, data)
        if not args.skip_ingest:
            await bench_ingest(connection, data, report)
        await bench_indexes(connection, data, args, report)
        await bench_filtered(connection, data, args, report)
        await bench_calibration(connection, data, args, report)
        await connection.execute("DROP TABLE IF EXISTS chunks, docs")
        await connection.close()
    if args.markdown:
        command = "python -m benchmarks.vector_tuning " + " ".join(sys.argv[1:])
        text = f"`{command}`\n\n" + "\n".join(report.markdown)
        await asyncio.to_thread(Path(args.markdown).write_text, text)


def pair(text: str) -> tuple[int, int]:
    m, ef_construction = text.split(",")
    return int(m), int(ef_construction)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="a PostgreSQL server with pgvector (default: embedded)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--ef", type=int, nargs="+", default=[40, 100, 150, 200, 250, 300, 400])
    parser.add_argument("--rounds", type=int, default=3, help="passes per point; best q/s kept")
    parser.add_argument("--probes", type=int, nargs="+", default=[1, 4, 8, 16, 32])
    parser.add_argument(
        "--hnsw",
        type=pair,
        nargs="+",
        default=[(16, 64), (16, 128), (24, 128), (32, 200)],
        help="m,ef_construction pairs",
    )
    parser.add_argument("--filtered-index", type=pair, default=(16, 64))
    parser.add_argument("--filtered-ef", type=int, nargs="+", default=[40, 100, 200, 400, 800])
    parser.add_argument("--calibration-sample", type=int, default=100)
    parser.add_argument(
        "--calibration-ladder", type=int, nargs="+", default=[40, 60, 80, 100, 150, 200, 250, 300]
    )
    parser.add_argument("--target", type=float, default=0.95, help="recall to calibrate for")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--markdown", help="also write the tables as Markdown to this file")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
