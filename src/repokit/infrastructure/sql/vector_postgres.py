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
(``vector_scoring.ExactScorer``) and ranked by (score, id), like every other
backend. An exact search fetches ``n = k + MARGIN`` rows, so float32 rounding in
the database cannot push a true winner out; an approximate one ``k + 1``, enough
to see a tie at the boundary. The approximate result is replaced by
the exact one when it has fewer than ``k`` hits (an iterative scan that gave up
at ``hnsw.max_scan_tuples``), or when the ``k``-th score ties the last one
fetched (the tie could go on beyond the fetched rows, and ties go by id): a
filtered search returns ``k`` hits whenever ``k`` chunks match.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import numpy as np

from repokit.domain.entities import ScoredChunk
from repokit.domain.query import FilterNode
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.pgvector_sql import (
    LOOKAHEAD,
    MARGIN,
    RankedRows,
    SearchStatements,
)
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.vector_scoring import ExactScorer


async def pgvector_search(
    scope: Scope,
    catalog: Catalog,
    statements: SearchStatements,
    scorer: ExactScorer,
    k: int,
    *,
    node: FilterNode | None,
    workspace_id: UUID | None,
    workspace_ids: Sequence[UUID] | None,
    exact: bool = False,
) -> list[ScoredChunk]:
    """The ``k`` chunks most similar to the scorer's query among the candidates."""
    # Only cosine has an index; the other metrics are exact whatever was asked.
    approximate = not exact and scorer.metric == "cosine"
    shape = {
        "by_workspace": workspace_id is not None,
        "by_workspaces": workspace_ids is not None,
    }
    limit = k + (LOOKAHEAD if approximate else MARGIN)
    values = {
        "query": scorer.query.astype(np.float32),
        "workspace_id": workspace_id,
        "workspace_ids": list(workspace_ids) if workspace_ids is not None else None,
    }
    search = statements.get(scorer.metric, node, limit=limit, exact=not approximate, **shape)
    async with scope.read() as connection:
        await connection.prepare_vectors()
        rows = await connection.fetch_all(search.sql, search.params(values))
        ranked = RankedRows(scorer, rows)
        if approximate and ranked.needs_exact(k, limit):
            search = statements.get(scorer.metric, node, limit=k + MARGIN, exact=True, **shape)
            rows = await connection.fetch_all(search.sql, search.params(values))
            ranked = RankedRows(scorer, rows)
    return ranked.hits(catalog, k)


__all__ = ["MARGIN", "SearchStatements", "pgvector_search"]
