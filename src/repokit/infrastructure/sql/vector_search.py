"""Exact vector search on SQLite: the parent documents are filtered in SQL, the
candidate chunks' embeddings streamed in batches and scored with numpy.

Measured against sqlite-vec (see ``docs/backends.md``, "SQLite"): sqlean-py does
not ship the vec extension, and Python's own sqlite3 here cannot load
extensions, so sqlite-vec would mean another driver and a native dependency for
a gain only on unfiltered scans, while it has no inner-product distance and
scores in float32. numpy serves all three metrics with double-precision scores.

Candidates are read as ``chunks.document_id IN (SELECT id FROM documents WHERE
...)``: SQLite then evaluates the filter once per document and reaches the
chunks through ``(document_id, ordinal)``, so a selective filter reads only the
chunks it keeps, and a filtered search always returns ``k`` hits when ``k``
chunks match (the search is exact).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select, type_coerce
from sqlalchemy.types import NullType

from repokit.domain.entities import Chunk, ScoredChunk
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.vector_scoring import ExactScorer, TopK

BATCH_ROWS = 2048


async def exact_search(
    scope: Scope,
    catalog: Catalog,
    scorer: ExactScorer,
    k: int,
    document_conditions: Sequence[ColumnElement[bool]],
) -> list[ScoredChunk]:
    """The ``k`` chunks most similar to the scorer's query among the candidates."""
    chunks, documents = tables.chunks, tables.documents
    # Raw bytes, no per-row type processing: ids only need to sort and come back.
    raw_id = type_coerce(chunks.c.id, NullType())
    candidates = select(raw_id, type_coerce(chunks.c.embedding, NullType()))
    if document_conditions:
        parents = select(documents.c.id).where(*document_conditions)
        candidates = candidates.where(chunks.c.document_id.in_(parents))
    best: TopK[bytes] = TopK(k)
    async with scope.read(snapshot=True) as connection:
        result = await connection.stream(candidates)
        async for batch in result.partitions(BATCH_ROWS):
            best.push(scorer.score_packed([row[1] for row in batch]), [row[0] for row in batch])
        ranked = best.result()
        if not ranked:
            return []
        # The winners' full rows, by a statement compiled once per count (one driver call).
        rows = await connection.fetch_all(
            catalog.chunks_by_ids(len(ranked)).sql, [key for _, key in ranked]
        )
    decode = catalog.chunks.mapping.decode
    found: dict[bytes, Chunk] = {bytes(row[0]): decode(row) for row in rows}
    return [
        ScoredChunk.model_construct(chunk=found[bytes(key)], score=score)
        for score, key in ranked
        if bytes(key) in found
    ]


__all__ = ["BATCH_ROWS", "exact_search"]
