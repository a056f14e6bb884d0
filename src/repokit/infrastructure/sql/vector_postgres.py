"""Vector search on PostgreSQL with pgvector.

* ``cosine`` is served by the HNSW index ``ix_chunks_embedding_hnsw``
  (``vector_cosine_ops``): ``ORDER BY embedding <=> :q LIMIT n``. Its
  ``ef_search`` and pgvector 0.8's iterative scan come from the connection's
  session settings (``REPOKIT_HNSW_EF_SEARCH``, ``REPOKIT_HNSW_ITERATIVE_SCAN``,
  see :mod:`.postgres`), so a search is one statement. With an iterative scan a
  filtered search keeps walking the graph until ``n`` rows pass the filter.
* ``l2`` and ``inner_product`` are exact: no index is built for them, so the
  same statement scans the candidates (``<->``, ``<#>``) and keeps the top ``n``.
* ``exact=True`` orders by an expression no index matches (the distance with a
  zero vector's NaN replaced, then the chunk id), so the planner scans exactly.

The winners are re-scored in float64 with the reference formulas
(:class:`~.scoring.ExactScorer`) and ranked by (score, id), like every other
backend. ``n`` is ``k`` plus a small margin, so float32 rounding in the
database cannot push a true winner out. The approximate result is replaced by
the exact one when it has fewer than ``k`` hits (an iterative scan that gave up
at ``hnsw.max_scan_tuples``), or when the ``k``-th score ties the last one
fetched (the tie could go on beyond the fetched rows, and ties go by id): a
filtered search returns ``k`` hits whenever ``k`` chunks match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Float, bindparam, func, literal, select

from repokit.domain.entities import ScoredChunk
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.sql.scoring import ExactScorer
from repokit.infrastructure.sql.types import PgVector

MARGIN = 8
"""Rows fetched beyond ``k`` and re-ranked in float64."""

_OPERATORS = {"cosine": "<=>", "l2": "<->", "inner_product": "<#>"}


def _distance(metric: str, query: Any) -> ColumnElement[float]:
    embedding = tables.chunks.c.embedding
    return embedding.op(_OPERATORS[metric], return_type=Float)(query)


def _statement(
    metric: str,
    query: list[float],
    limit: int,
    conditions: Sequence[ColumnElement[bool]],
    *,
    exact: bool,
) -> Any:
    chunks, documents = tables.chunks, tables.documents
    vector = bindparam("query", query, type_=PgVector())
    distance = _distance(metric, vector)
    statement = select(chunks)
    if conditions:
        parents = select(documents.c.id).where(*conditions)
        statement = statement.where(chunks.c.document_id.in_(parents))
    if exact:
        # A zero vector's cosine distance is NaN (sorted last); the reference scores it 0.
        ordered = func.coalesce(func.nullif(distance, literal(float("nan"), Float)), 1.0)
        return statement.order_by(ordered, chunks.c.id).limit(limit)
    return statement.order_by(distance).limit(limit)


async def pgvector_search(
    scope: Scope,
    catalog: Catalog,
    scorer: ExactScorer,
    k: int,
    document_conditions: Sequence[ColumnElement[bool]],
    *,
    exact: bool = False,
) -> list[ScoredChunk]:
    """The ``k`` chunks most similar to the scorer's query among the candidates."""
    query = scorer.query.astype(np.float32).tolist()
    limit = k + MARGIN
    # Only cosine has an index; the other metrics are exact whatever was asked.
    approximate = not exact and scorer.metric == "cosine"
    async with scope.read() as connection:
        await connection.prepare_vectors()
        statement = _statement(
            scorer.metric, query, limit, document_conditions, exact=not approximate
        )
        rows = (await connection.run(statement)).all()
        ranked = _rank(catalog, scorer, rows)
        if approximate and _needs_exact(ranked, k, limit):
            statement = _statement(scorer.metric, query, limit, document_conditions, exact=True)
            rows = (await connection.run(statement)).all()
            ranked = _rank(catalog, scorer, rows)
    return ranked[:k]


def _rank(catalog: Catalog, scorer: ExactScorer, rows: Sequence[Any]) -> list[ScoredChunk]:
    if not rows:
        return []
    chunks = [catalog.chunks.mapping.from_row(row) for row in rows]
    matrix = np.asarray([chunk.embedding for chunk in chunks], dtype=np.float64)
    scores = scorer.score(matrix)
    scored = [
        ScoredChunk.model_construct(chunk=chunk, score=float(score))
        for chunk, score in zip(chunks, scores, strict=True)
    ]
    scored.sort(key=lambda hit: (-hit.score, hit.chunk.id))
    return scored


def _needs_exact(ranked: list[ScoredChunk], k: int, limit: int) -> bool:
    if len(ranked) < k:
        return True
    return len(ranked) >= limit and ranked[k - 1].score == ranked[-1].score


__all__ = ["MARGIN", "pgvector_search"]
