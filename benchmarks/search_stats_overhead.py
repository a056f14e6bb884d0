"""What counting searches for ``store.search_stats()`` costs a search, in the client.

Run: ``python -m benchmarks.search_stats_overhead`` from the repository root.

The same ``search_similar`` calls on one in-memory store (``memory://``, so the
figure is repokit's own Python work, not a database's; empty by default, since
the memory backend's exact scoring of stored chunks, ~25 ms per search for 200
x 384, would drown a microsecond), through the monitored
``store.documents`` that ``repokit.connect`` gives and through the backend's own
repository behind it (``store.documents.inner``), alternating rounds, best
round of each. The memory backend searches exactly, so nothing is re-run here:
this is the price of the wrapper and the counting. The exact re-runs of an
approximate backend cost the database ``REPOKIT_RECALL_SAMPLE_RATE`` times an
exact search (see ``docs/vector-tuning.md``, "Recall of live searches").
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

import repokit
from repokit.domain.entities import Chunk, Document
from repokit.infrastructure.config import Settings


async def main(chunks: int, searches: int, rounds: int, dim: int) -> str:
    settings = Settings(database_url=None, cache_url=None, embedding_dim=dim)
    store = await repokit.connect("memory://", settings=settings)
    try:
        rng = np.random.default_rng(1)
        document = await store.documents.save(Document(title="d", content=""))
        vectors = rng.standard_normal((chunks, dim)).tolist()
        await store.documents.add_chunks(
            document.id,
            [
                Chunk(document_id=document.id, ordinal=i, content="", embedding=vector)
                for i, vector in enumerate(vectors)
            ],
        )
        queries = rng.standard_normal((searches, dim)).tolist()
        monitored: Any = store.documents
        sides: dict[str, Callable[[list[float]], Awaitable[Any]]] = {
            "monitored (store.documents)": monitored.search_similar,
            "backend's own (store.documents.inner)": monitored.inner.search_similar,
        }
        best = {name: float("inf") for name in sides}
        for _ in range(rounds):
            for name, search in sides.items():
                start = time.perf_counter()
                for query in queries:
                    await search(query)
                best[name] = min(best[name], (time.perf_counter() - start) / searches)
    finally:
        await store.close()
    own = best["backend's own (store.documents.inner)"]
    lines = [f"{chunks} chunks x {dim}, {searches} searches, best of {rounds} rounds (memory://)"]
    for name, seconds in best.items():
        lines.append(f"{name}: {seconds * 1e6:,.1f} µs per search ({seconds / own:.3f}x)")
    lines.append(f"difference: {(best[next(iter(best))] - own) * 1e6:,.2f} µs per search")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--chunks", type=int, default=0)
    parser.add_argument("--searches", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--dim", type=int, default=384)
    options = parser.parse_args()
    print(asyncio.run(main(options.chunks, options.searches, options.rounds, options.dim)))
