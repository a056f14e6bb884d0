"""Search q/s of the PostgreSQL adapter beside raw asyncpg, query by query, on one table.

Run: ``python -m benchmarks.search_overhead`` (a throwaway embedded PostgreSQL;
``--url`` for a scratch database whose repokit tables it fills). It bulk-loads
``--rows`` chunks x 384 of :mod:`benchmarks.datasets` through the adapter, then
for each search (unfiltered; the 10% tag filter; a 50% filter) alternates one
raw query and one adapter query, ``--rounds`` times over the query set, and
prints the best round's q/s of each side and their ratio. The raw side is
``benchmarks.postgres_bench``'s prepared statement (``ORDER BY embedding <=> $1
LIMIT 10``, the filter bound, decoded into the same ``ScoredChunk``s) at the
adapter's session settings, so the ratio is the adapter's own work per query on a
machine that may be busy: alternating single queries lets a noisy moment hit
both sides alike. ``--tune`` first runs ``documents.tune_search()`` and prints its
recall curve (``--rounds 0`` for that alone). The 50% filter shows the per-call
plan: the raw statement turns into a generic exact plan after five runs; the
adapter keeps the index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import numpy as np

import repokit
from benchmarks import pgvector_raw as raw
from benchmarks.datasets import make_dataset
from benchmarks.postgres_bench import row_to_hit, search_sql
from repokit.domain.entities import Chunk, Document
from repokit.infrastructure.config import Settings

FILTERS = {
    "unfiltered": (None, ()),
    "10% filter": ({"metadata.tag": "blue"}, ({"tag": "blue"}, {"tag": ["blue"]})),
    "50% filter": ({"metadata.half": True}, ({"half": True}, {"half": [True]})),
}


async def run(url: str | None, rows: int, queries: int, rounds: int, tune: bool) -> None:
    data = make_dataset(rows, queries=queries)
    settings = Settings(database_url=None, cache_url=None, embedding_dim=data.vectors.shape[1])
    async with raw.server_url(url) as server:
        store = await repokit.connect(server, settings=settings)
        connection = await raw.connect(server)
        try:
            await store.migrate()
            documents = await store.documents.save_many(
                [
                    Document(
                        title=f"d{i}",
                        content="",
                        metadata={
                            "tag": "blue" if data.tagged_documents[i] else "red",
                            "half": bool(i % 2),
                        },
                    )
                    for i in range(data.documents)
                ]
            )
            ordinal = np.zeros(data.documents, dtype=np.int64)
            chunks = []
            for vector, parent in zip(data.vectors, data.document_of, strict=True):
                chunks.append(
                    Chunk(
                        document_id=documents[parent].id,
                        ordinal=int(ordinal[parent]),
                        content="",
                        embedding=vector.tolist(),
                    )
                )
                ordinal[parent] += 1
            await store.documents.bulk_load_chunks(chunks)
            if tune:
                report = await store.documents.tune_search()
                for point in report.curve:
                    print(
                        f"ef_search {point.ef_search:>4}: recall@10 {point.recall:.3f}, "
                        f"{point.queries_per_s:,.0f} q/s"
                    )
                print(f"kept ef_search {report.ef_search} (recall {report.recall:.3f})")
                if rounds == 0:
                    return
            await connection.execute("ANALYZE")
            await connection.execute(f"SET hnsw.ef_search = {settings.hnsw_ef_search}")
            await connection.execute(f"SET hnsw.iterative_scan = {settings.hnsw_iterative_scan}")
            query_arrays = list(data.queries)
            query_lists = [q.tolist() for q in data.queries]
            print(f"{rows} chunks x 384, {queries} queries, best of {rounds} rounds")
            for label, (where, forms) in FILTERS.items():
                statement = await connection.prepare(
                    search_sql("chunks", "documents", where is not None)
                )
                extra = tuple(json.dumps(form) for form in forms)
                best = {"raw": 0.0, "repokit": 0.0}
                for _ in range(rounds):
                    spent = {"raw": 0.0, "repokit": 0.0}
                    for array, listed in zip(query_arrays, query_lists, strict=True):
                        began = time.perf_counter()
                        [row_to_hit(row) for row in await statement.fetch(array, *extra)]
                        spent["raw"] += time.perf_counter() - began
                        began = time.perf_counter()
                        await store.documents.search_similar(listed, k=10, where=where)
                        spent["repokit"] += time.perf_counter() - began
                    for side in best:
                        best[side] = max(best[side], queries / spent[side])
                print(
                    f"{label}: raw {best['raw']:,.0f} q/s, repokit {best['repokit']:,.0f} q/s, "
                    f"{best['repokit'] / best['raw']:.2f}x"
                )
        finally:
            await connection.close()
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="scratch PostgreSQL with pgvector (default: embedded)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="0: only --tune")
    parser.add_argument(
        "--tune", action="store_true", help="run documents.tune_search first, print its curve"
    )
    options = parser.parse_args()
    asyncio.run(run(options.url, options.rows, options.queries, options.rounds, options.tune))


if __name__ == "__main__":
    main()
