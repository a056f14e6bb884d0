"""The compiled statements of PostgreSQL vector search, and the ranking of their rows.

Shared by both forms of the adapter (see :mod:`.vector_postgres` for the search
itself and the reasoning behind ``MARGIN`` and ``LOOKAHEAD``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    LargeBinary,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    table,
    true,
)
from sqlalchemy import column as column_clause
from sqlalchemy.dialects.postgresql import ARRAY

from repokit.domain.entities import ScoredChunk
from repokit.domain.query import FilterNode
from repokit.infrastructure.assembly import assemble
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.search_plan import COUNT_CAP, EXACT_MAX_ROWS, SelectivityCache
from repokit.infrastructure.sql.types import PgVector, UUIDType
from repokit.infrastructure.vector_scoring import ExactScorer

MARGIN = 8
"""Rows an exact search fetches beyond ``k``, re-ranked in float64 (float32 rounding in
the database cannot push a true winner out)."""
LOOKAHEAD = 1
"""Rows an approximate search fetches beyond ``k``: enough to see a tie at the boundary."""

CACHE_SIZE = 256
_EMBEDDING_AT = [column.name for column in tables.chunks.c].index("embedding")
_OPERATORS = {"cosine": "<=>", "l2": "<->", "inner_product": "<#>"}
_DYNAMIC = ("query", "workspace_id", "workspace_ids")
_PG_CLASS = table("pg_class", column_clause("oid"), column_clause("reltuples"))


def _distance(metric: str, query: Any) -> ColumnElement[float]:
    embedding = tables.chunks.c.embedding
    return embedding.op(_OPERATORS[metric], return_type=Float)(query)


def _statement(
    metric: str,
    query: list[float] | None,
    limit: int | None,
    conditions: Sequence[ColumnElement[bool]],
    *,
    exact: bool,
    candidates: int | None = None,
) -> Any:
    """The search statement; ``query`` is bound as ``query``, ``limit`` written out.

    With ``conditions`` (on the parent documents), the exact form selects the chunks
    of the matching documents; the approximate one walks the HNSW index and checks
    each chunk it yields, or with ``candidates`` checks only that many of the
    index's nearest chunks (:mod:`.search_plan`).
    """
    chunks, documents = tables.chunks, tables.documents
    vector = bindparam("query", query, type_=PgVector())
    distance = _distance(metric, vector)
    if conditions and candidates is not None and not exact:
        return _with_embeddings(_filtered_candidates(distance, limit, conditions, candidates))
    statement = select(chunks)
    if conditions and not exact:
        # Each chunk's document is checked by its primary key in a correlated scalar
        # subquery, which stays a per-row step of the index scan: the iterative scan
        # stops as soon as ``limit`` chunks have passed. Written as IN or a join, the
        # planner would scan and hash every document first, and could trade the index
        # for an exact plan on the strength of its estimate of the filter.
        kept = select(and_(*conditions)).where(documents.c.id == chunks.c.document_id)
        statement = statement.where(kept.scalar_subquery().is_(true()))
    elif conditions:
        parents = select(documents.c.id).where(*conditions)
        statement = statement.where(chunks.c.document_id.in_(parents))
    if exact:
        # A zero vector's cosine distance is NaN (sorted last); the reference scores it 0.
        ordered = func.coalesce(func.nullif(distance, literal(float("nan"), Float)), 1.0)
        statement = statement.order_by(ordered, chunks.c.id)
    else:
        statement = statement.order_by(distance)
    # LIMIT is written out, not bound: a generic plan of a prepared statement with a
    # bound LIMIT is costed for an unknown row count and may skip the HNSW index.
    return _with_embeddings(statement.limit(_written(limit)))


def _filtered_candidates(
    distance: ColumnElement[float],
    limit: int | None,
    conditions: Sequence[ColumnElement[bool]],
    candidates: int,
) -> Any:
    """The best ``limit`` of the index's ``candidates`` nearest chunks that pass."""
    chunks, documents = tables.chunks, tables.documents
    nearest = (
        select(chunks, distance.label("distance"))
        .order_by(distance)
        .limit(_written(candidates))
        .subquery("nearest")
    )
    kept = select(and_(*conditions)).where(documents.c.id == nearest.c.document_id)
    return (
        select(*(nearest.c[column.name] for column in chunks.c))
        .where(kept.scalar_subquery().is_(true()))
        .order_by(nearest.c.distance)
        .limit(_written(limit))
    )


def _written(limit: int | None) -> Any:
    return literal_column(str(int(limit or 0)))


def _with_embeddings(statement: Any) -> Any:
    """``statement``'s rows, the embedding in pgvector's binary form (``vector_send``)
    as bytes, so the re-rank reads every row's floats in one numpy call. It is
    applied outside the search: in the same SELECT the planner drops the index."""
    found = statement.subquery("found")
    return select(
        *(
            func.vector_send(column, type_=LargeBinary).label(column.name)
            if column.name == "embedding"
            else column
            for column in found.c
        )
    )


@dataclass(frozen=True, slots=True)
class SearchSql:
    """A search compiled once: SQL text, and per position a constant or a dynamic name."""

    sql: str
    slots: tuple[tuple[str | None, Any], ...]

    def params(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] if name is not None else constant for name, constant in self.slots]


class SearchStatements:
    """Compiled search statements of one catalog, by the shape of the search.

    Building and compiling a Core statement costs more than an HNSW probe, so each
    shape (metric, exact, limit, filter, workspace criteria) is compiled once: the
    filter's values are constants of that shape, and only the query vector and the
    workspace ids are bound per call.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._entries: OrderedDict[tuple[Any, ...], SearchSql] = OrderedDict()
        self.exact_max_rows = EXACT_MAX_ROWS
        """Filters matching at most this many chunks are searched exactly (:mod:`.search_plan`)."""
        self.selectivity = SelectivityCache()
        """What recent filters were seen to keep."""
        self.session_ef_search = 250
        """The ``hnsw.ef_search`` every connection starts with (``REPOKIT_HNSW_EF_SEARCH``)."""
        self.session_iterative_scan = "relaxed_order"
        """The ``hnsw.iterative_scan`` every connection starts with
        (``REPOKIT_HNSW_ITERATIVE_SCAN``)."""
        self.ef_search = 250
        """The ``hnsw.ef_search`` searches run at: the session's, or the tuned one
        (:mod:`.search_tuning`)."""

    def get(
        self,
        metric: str,
        node: FilterNode | None,
        *,
        limit: int,
        exact: bool,
        by_workspace: bool,
        by_workspaces: bool,
        candidates: int | None = None,
    ) -> SearchSql:
        """The search of this shape (filtered and approximate: see :func:`_statement`)."""
        key = (metric, exact, limit, candidates, repr(node), by_workspace, by_workspaces)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        conditions = self._conditions(node, by_workspace, by_workspaces)
        statement = _statement(metric, None, limit, conditions, exact=exact, candidates=candidates)
        return self._remember(key, statement)

    def count(
        self, node: FilterNode | None, *, by_workspace: bool, by_workspaces: bool
    ) -> SearchSql:
        """The matching chunks, counted up to a cap, and the table's estimated size
        (:mod:`.search_plan`)."""
        floor = self.exact_max_rows + 1
        key = ("count", floor, repr(node), by_workspace, by_workspaces)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        chunks, documents = tables.chunks, tables.documents
        parents = select(documents.c.id).where(*self._conditions(node, by_workspace, by_workspaces))
        # reltuples is -1 before the table's first ANALYZE (or CREATE INDEX).
        total = (
            select(func.greatest(_PG_CLASS.c.reltuples, 0).cast(BigInteger))
            .where(_PG_CLASS.c.oid == func.to_regclass(literal_column("'chunks'")))
            .scalar_subquery()
        )
        cap = func.greatest(floor, func.least(COUNT_CAP, total // 3))
        matching = (
            select(literal_column("1"))
            .where(chunks.c.document_id.in_(parents))
            .limit(cap)
            .subquery("matching")
        )
        counted = select(func.count()).select_from(matching).scalar_subquery()
        return self._remember(key, select(counted.label("matches"), total.label("total")))

    def _remember(self, key: tuple[Any, ...], statement: Any) -> SearchSql:
        entry = self._compile(statement)
        self._entries[key] = entry
        if len(self._entries) > CACHE_SIZE:
            self._entries.popitem(last=False)
        return entry

    def _conditions(
        self, node: FilterNode | None, one: bool, many: bool
    ) -> list[ColumnElement[bool]]:
        documents = tables.documents
        conditions: list[ColumnElement[bool]] = []
        if one:
            conditions.append(
                documents.c.workspace_id == bindparam("workspace_id", None, type_=UUIDType())
            )
        if many:
            ids = bindparam("workspace_ids", None, type_=ARRAY(UUIDType()))
            conditions.append(documents.c.workspace_id == func.any(ids))
        compiled_filter = self._catalog.document_filters.compile(node)
        if compiled_filter is not None:
            conditions.append(compiled_filter)
        return conditions

    def _compile(self, statement: Any) -> SearchSql:
        catalog = self._catalog
        compiled = statement.compile(
            dialect=catalog.dialect, compile_kwargs={"render_postcompile": True}
        )
        constants = compiled.construct_params()
        slots: list[tuple[str | None, Any]] = []
        for name in compiled.positiontup or ():
            if name in _DYNAMIC:
                slots.append((name, None))
                continue
            bind = compiled.binds[name]
            process: Callable[[Any], Any] | None = bind.type.bind_processor(catalog.dialect)
            value = constants[name]
            slots.append((None, process(value) if process is not None else value))
        return SearchSql(compiled.string, tuple(slots))


class RankedRows:
    """Fetched rows scored in float64 and ordered by (score, id), best first.

    The client's work per query is kept to what the result needs: the embeddings
    are decoded once, for all rows, with one numpy call; the rows are sorted only
    when the database's order is not already the float64 order (it is, whenever
    the scores fall strictly, which is the rule: pgvector orders by the same
    distance in float32); only the rows that make the result become entities
    (:meth:`hits`), their embeddings turned into lists in one call.
    """

    __slots__ = ("matrix", "order", "rows", "scores")

    def __init__(self, scorer: ExactScorer, rows: Sequence[Any]) -> None:
        self.rows = rows
        at = _EMBEDDING_AT
        # pgvector's binary form: a 4-byte header (dimension, unused), then big-endian float32s.
        self.matrix = scorer.matrix([row[at] for row in rows], header=4, order=">")
        values = scorer.score(self.matrix) if rows else None
        scores: list[float] = values.tolist() if values is not None else []
        self.scores = scores
        if values is not None and bool(np.all(values[1:] < values[:-1])):
            # Already best first, no ties: the (score, id) order is the rows' order.
            self.order = list(range(len(rows)))
        else:
            # Ties by id, as on every backend (the driver's UUIDs order by their integer).
            self.order = sorted(range(len(rows)), key=lambda i: (-scores[i], rows[i][0].int))

    def needs_exact(self, k: int, limit: int) -> bool:
        """True when the approximate rows cannot give the exact top ``k``: fewer than
        ``k``, or the ``k``-th score ties the last one fetched (ties go on by id)."""
        order, scores = self.order, self.scores
        if len(order) < k:
            return True
        return len(order) >= limit and scores[order[k - 1]] == scores[order[-1]]

    def hits(self, catalog: Catalog, k: int) -> list[ScoredChunk]:
        """The best ``k`` rows as scored chunks."""
        decode = catalog.chunks.mapping.decode
        at = _EMBEDDING_AT
        best = self.order[:k]
        embeddings = self.matrix[best].tolist()  # one conversion for all winners
        rows, scores = self.rows, self.scores
        hits: list[ScoredChunk] = []
        for i, embedding in zip(best, embeddings, strict=True):
            row = rows[i]
            chunk = decode((*row[:at], embedding, *row[at + 1 :]))
            hits.append(assemble(ScoredChunk, {"chunk": chunk, "score": scores[i]}, _SCORED))
        return hits


_SCORED = frozenset(("chunk", "score"))


__all__ = ["LOOKAHEAD", "MARGIN", "RankedRows", "SearchStatements"]
