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
* A cosine search with a filter (``where``, ``workspace_id(s)``) picks its plan per
  call from the filter's measured selectivity (:mod:`.search_plan`): exact over
  few matching chunks; over many, the filter applied to the HNSW index's nearest
  candidates (enough for the filter's share of the table) or, when the share is
  unknown or too small, or too few candidates pass, an iterative HNSW scan with
  the filter checked on each chunk it yields.

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
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np

from repokit.domain.entities import ScoredChunk
from repokit.domain.query import FilterNode
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.pgvector_sql import (
    LOOKAHEAD,
    MARGIN,
    RankedRows,
    SearchStatements,
)
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.sql.search_plan import (
    Selectivity,
)
from repokit.infrastructure.sql.search_tuning import use_ef_search
from repokit.infrastructure.vector_scoring import ExactScorer

FILTERED_FETCH = 3
"""A filtered index scan stops after this many times ``k + 1`` chunks have passed the
filter, and the best ``k`` of them are kept: an iterative scan hands its chunks out
in batches of ``ef_search``, not in order, so stopping at the first ``k`` to pass
loses recall (0.946 against 0.988 for a 10% filter on the clustered set)."""
CANDIDATES_PASSING = 4
"""The filter over the index's nearest candidates takes as many as should let this
many times ``k + 1`` pass. On the clustered set (20,000 one-chunk documents, a 10%
filter, ``ef_search`` 250) 3, 4 and 5 gave recall@10 0.952, 0.966 and 0.976, at
127, 124 and 93 q/s; the iterative scan 0.974 at 79 q/s."""


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
    search = _Search(
        statements,
        scorer,
        k,
        node,
        shape={
            "by_workspace": workspace_id is not None,
            "by_workspaces": workspace_ids is not None,
        },
        values={
            "query": scorer.query.astype(np.float32),
            "workspace_id": workspace_id,
            "workspace_ids": list(workspace_ids) if workspace_ids is not None else None,
        },
    )
    filtered = node is not None or workspace_id is not None or workspace_ids is not None
    async with scope.read() as connection:
        await connection.prepare_vectors()
        if approximate and filtered:
            ranked = await _filtered_search(connection, search)
        elif approximate:
            await use_ef_search(connection, statements)
            limit = k + LOOKAHEAD
            ranked = await search.fetch(connection, limit=limit, exact=False)
            if ranked.needs_exact(k, limit):
                ranked = await _exact(connection, search)
        else:
            ranked = await _exact(connection, search)
    return ranked.hits(catalog, k)


@dataclass(frozen=True, slots=True)
class _Search:
    """One search call: what every plan's statement is built from and bound to."""

    statements: SearchStatements
    scorer: ExactScorer
    k: int
    node: FilterNode | None
    shape: dict[str, bool]
    values: dict[str, Any]

    async def fetch(
        self, connection: SqlConnection, *, limit: int, exact: bool, candidates: int | None = None
    ) -> RankedRows:
        """The rows of the statement of this form, ranked."""
        statement = self.statements.get(
            self.scorer.metric,
            self.node,
            limit=limit,
            exact=exact,
            candidates=candidates,
            **self.shape,
        )
        rows = await connection.fetch_all(statement.sql, statement.params(self.values))
        return RankedRows(self.scorer, rows)


async def _filtered_search(connection: SqlConnection, search: _Search) -> RankedRows:
    """A filtered cosine search on the plan its selectivity calls for (:mod:`.search_plan`)."""
    statements, values, k = search.statements, search.values, search.k
    ids = values["workspace_ids"]
    key = (repr(search.node), values["workspace_id"], tuple(ids) if ids is not None else None)
    selectivity = statements.selectivity.get(key)
    if selectivity is None:
        count = statements.count(search.node, **search.shape)
        row = await connection.fetch_one(count.sql, count.params(values))
        matches, total = (int(row[0]), int(row[1] or 0)) if row is not None else (0, 0)
        selectivity = Selectivity(matches, total)
        statements.selectivity.put(key, selectivity)
    if selectivity.exact(statements.exact_max_rows):
        return await _exact(connection, search)
    candidates = selectivity.candidates(CANDIDATES_PASSING * (k + 1))
    if candidates is not None:
        ranked = await _among_candidates(connection, search, candidates)
        if ranked is not None:
            return ranked
        # Fewer than k of the candidates passed (or a tie at the boundary): walk on.
    await use_ef_search(connection, statements)
    limit = FILTERED_FETCH * (k + 1)
    ranked = await search.fetch(connection, limit=limit, exact=False)
    if len(ranked.rows) >= k:
        if not ranked.needs_exact(k, limit):
            return ranked
        # else a tie at the boundary: only the exact order settles it
    else:
        # The scan gave up before k chunks passed: exact for this filter for a while.
        statements.selectivity.put(key, selectivity.gave_up(), refresh=False)
    return await _exact(connection, search)


async def _among_candidates(
    connection: SqlConnection, search: _Search, candidates: int
) -> RankedRows | None:
    """The best ``k`` that pass among the index's ``candidates`` nearest chunks, found
    at an ``ef_search`` of at least ``candidates``; None when fewer than ``k`` pass or
    the ``k``-th ties the next."""
    statements = search.statements
    ef_search = max(candidates, statements.ef_search)
    await use_ef_search(connection, statements, ef_search=ef_search, iterative=False)
    limit = search.k + LOOKAHEAD
    ranked = await search.fetch(connection, limit=limit, exact=False, candidates=candidates)
    return None if ranked.needs_exact(search.k, limit) else ranked


async def _exact(connection: SqlConnection, search: _Search) -> RankedRows:
    return await search.fetch(connection, limit=search.k + MARGIN, exact=True)


__all__ = ["MARGIN", "SearchStatements", "pgvector_search"]
