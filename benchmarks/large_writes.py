"""Writes that grow with their input, at the store's defaults (30 s statement timeout).

Run: ``python -m benchmarks.large_writes`` (a throwaway embedded PostgreSQL;
``--url`` for a scratch database of your own, whose repokit tables it fills;
``--rows`` to change the batch). It stores ``--rows`` chunks x 384 of the
synthetic set (:mod:`benchmarks.datasets`) with *one* ``add_chunks`` call into
the live HNSW index, then deletes their document (the cascade), and prints how
long each took and how many statements ``add_chunks`` ran. Before issue 15 the
``add_chunks`` of 20,000 chunks was one ``COPY`` that PostgreSQL cancelled at
30 s (``BackendUnavailableError``); now it runs in parts sized to the timeout
(``repokit.infrastructure.sql.write_parts``).
"""

from __future__ import annotations

import argparse
import asyncio
import time

import repokit
from benchmarks import pgvector_raw as raw
from benchmarks.datasets import make_dataset
from repokit.domain.entities import Chunk, Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import write_parts


async def run(url: str | None, rows: int) -> None:
    data = make_dataset(rows, queries=1)
    settings = Settings(database_url=None, cache_url=None, embedding_dim=data.vectors.shape[1])
    print(f"statement timeout {settings.statement_timeout_s:g} s, {rows} chunks x 384")
    async with raw.server_url(url) as server:
        store = await repokit.connect(server, settings=settings)
        try:
            await store.migrate()
            document = await store.documents.save(Document(title="big", content=""))
            chunks = [
                Chunk(document_id=document.id, ordinal=i, content="", embedding=row.tolist())
                for i, row in enumerate(data.vectors)
            ]
            parts: list[int] = []
            counting = _PartCounter(parts)
            began = time.perf_counter()
            with counting:
                await store.documents.add_chunks(document.id, chunks)
            took = time.perf_counter() - began
            print(
                f"add_chunks: {took:.1f} s, {rows / took:,.0f} rows/s, {len(parts)} statements "
                f"(largest {max(parts):,} rows)"
            )
            began = time.perf_counter()
            await store.documents.delete(document.id)
            print(f"delete (cascade to {rows} chunks): {time.perf_counter() - began:.2f} s")
        finally:
            await store.close()


class _PartCounter:
    """Records the size of every part :func:`write_parts.run_part` runs (reporting only)."""

    def __init__(self, parts: list[int]) -> None:
        self._parts = parts
        self._original = write_parts.run_part

    def __enter__(self) -> None:
        original, parts = self._original, self._parts

        async def counted(connection, action, *, retry):  # type: ignore[no-untyped-def]
            parts.append(len(action.args[0]))
            return await original(connection, action, retry=retry)

        write_parts.run_part = counted  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        write_parts.run_part = self._original  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="scratch PostgreSQL with pgvector (default: embedded)")
    parser.add_argument("--rows", type=int, default=20_000, help="chunks in the one call")
    options = parser.parse_args()
    asyncio.run(run(options.url, options.rows))


if __name__ == "__main__":
    main()
