"""``documents.tune_search`` on PostgreSQL: recall against exact search, per ``ef_search``.

The queries are the caller's, or stored embeddings perturbed with noise (a seeded
sample of :data:`SAMPLE_QUERIES` rows, each moved by Gaussian noise of norm
about :data:`NOISE` and normalised): stored rows themselves would overestimate
recall, since they sit where the data is dense and the graph was built from
them (``docs/vector-tuning.md``, "Calibration"). Such a query also lies among
the other chunks of its own document, near-duplicates that any graph finds, so
they are left out of both the exact and the approximate answers: recall is
measured on the neighbours a real query would be looking for. (Without that,
on a set of many chunks per document the estimate at ``ef_search`` 40 was 1.000
where real queries found 0.62.) Even so they read a little high, so with
sampled queries a setting must reach the target plus :data:`SAMPLED_MARGIN`.
For each candidate of
:data:`EF_CANDIDATES` every query runs through the HNSW index on one connection,
and recall@10 is measured against the exact top 10 (computed once per query).
The smallest ``ef_search`` that meets the target (with the margin) is kept (cost grows with
``ef_search``; the measured q/s are reported, not used to choose, since one
noisy moment would pick a slower setting); if none does, the one with the best
recall. It is stored in ``schema_settings`` (``search:hnsw.ef_search``), which
every store reads when it opens, and used at once by this store's searches.

A check (``tune_search(check=True)``, ``repokit tune --check``) measures the same
queries at the ``ef_search`` in force only and stores nothing: a tenth of the
work, for a deployment check or a cron job.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from repokit.domain.search_tuning import SearchTuning, TuningPoint
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.pgvector_sql import MARGIN, RankedRows, SearchStatements
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.vector_scoring import ExactScorer

TUNED_EF_SEARCH = "search:hnsw.ef_search"
"""The ``schema_settings`` row holding the tuned ``hnsw.ef_search``."""
EF_CANDIDATES = (40, 64, 100, 150, 200, 250, 300, 400, 600, 800, 1000)
SAMPLE_QUERIES = 100
SAMPLED_MARGIN = 0.03
"""What sampled queries must reach beyond the target: their recall read 0.028 above
held-out queries' on the first benchmark set and 0.024 on the second
(``docs/vector-tuning.md``)."""
MAX_LEFT_OUT = 200
"""A sampled query whose document has more chunks than this is not used (its answers
would be mostly its own document's)."""
NOISE = 0.5
SEED = 20241123
K = 10

_SAMPLE = "SELECT vector_send(embedding), document_id FROM chunks ORDER BY random() LIMIT $1"
_SIBLINGS = "SELECT id FROM chunks WHERE document_id = $1 LIMIT $2"
_STORE = (
    "INSERT INTO schema_settings (name, value) VALUES ($1, $2) "
    "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
)
_READ = "SELECT value FROM schema_settings WHERE name = $1"


async def tune_pgvector_search(
    scope: Scope,
    statements: SearchStatements,
    dim: int,
    queries: Sequence[Sequence[float]] | None,
    target: float,
    *,
    check: bool = False,
) -> SearchTuning:
    """Measure the recall curve, keep and store the setting (see the module docstring);
    with ``check``, measure the setting in force only and store nothing."""
    candidates = (statements.ef_search,) if check else EF_CANDIDATES
    async with scope.read() as connection:
        await connection.prepare_vectors()
        probes = await _queries(connection, dim, queries)
        if not probes:
            return SearchTuning(target_recall=target, recall=1.0, ef_search=statements.ef_search)
        truth = [await _exact_ids(connection, statements, probe) for probe in probes]
        try:
            curve = [await _measure(connection, statements, probes, truth, ef) for ef in candidates]
        finally:
            await use_ef_search(connection, statements, force=True)
    # Sampled queries still read a little high: ask them for a margin more.
    margin = 0.0 if queries is not None else SAMPLED_MARGIN
    wanted = min(1.0, target + margin)
    meeting = [point for point in curve if point.recall >= wanted]
    chosen = meeting[0] if meeting else max(curve, key=lambda point: point.recall)
    met = chosen.recall >= wanted
    changed = False
    if not check:
        changed = chosen.ef_search != statements.ef_search
        async with scope.write(atomic=False) as connection:
            await connection.fetch_all(_STORE, (TUNED_EF_SEARCH, str(chosen.ef_search)))
        statements.ef_search = chosen.ef_search
    return SearchTuning(
        target_recall=target,
        recall=chosen.recall,
        ef_search=chosen.ef_search,
        met=met,
        margin=margin,
        changed=changed,
        queries=len(probes),
        curve=curve,
    )


async def stored_ef_search(connection: SqlConnection) -> int | None:
    """The tuned ``hnsw.ef_search`` stored in the database, if any."""
    exists = await connection.fetch_one("SELECT to_regclass('schema_settings') IS NOT NULL")
    if exists is None or not exists[0]:
        return None
    row = await connection.fetch_one(_READ, (TUNED_EF_SEARCH,))
    return None if row is None else int(row[0])


async def use_ef_search(
    connection: SqlConnection,
    statements: SearchStatements,
    *,
    ef_search: int | None = None,
    iterative: bool = True,
    force: bool = False,
) -> None:
    """Make ``connection`` search at ``ef_search`` (by default the store's), with the
    session's iterative scan or, with ``iterative=False``, none (one statement, only
    when that differs from what the connection was last given)."""
    wanted = (
        statements.ef_search if ef_search is None else ef_search,
        statements.session_iterative_scan if iterative else "off",
    )
    facts = connection.schema_facts
    given = (
        facts.get("ef_search", statements.session_ef_search),
        facts.get("iterative_scan", statements.session_iterative_scan),
    )
    if not force and given == wanted:
        return
    # Inside a transaction the settings are made local to it (a rollback would undo a
    # session-level SET behind our back), and not remembered.
    local = connection.in_transaction
    await connection.fetch_all(
        "SELECT set_config('hnsw.ef_search', $1, $3), set_config('hnsw.iterative_scan', $2, $3)",
        (str(wanted[0]), wanted[1], local),
    )
    if local:
        facts.pop("ef_search", None)
        facts.pop("iterative_scan", None)
    else:
        facts["ef_search"], facts["iterative_scan"] = wanted


@dataclass(frozen=True, slots=True)
class Probe:
    """One query of the measurement and the chunks its answers leave out."""

    scorer: ExactScorer
    left_out: frozenset[Any] = frozenset()

    def kept(self, ids: Sequence[Any]) -> list[Any]:
        """``ids`` in order, without the left-out chunks, at most ``K``."""
        return [id_ for id_ in ids if id_ not in self.left_out][:K]


async def _queries(
    connection: SqlConnection, dim: int, given: Sequence[Sequence[float]] | None
) -> list[Probe]:
    if given is not None:
        return [Probe(ExactScorer("cosine", list(map(float, vector)), dim)) for vector in given]
    await connection.fetch_all("SELECT setseed(0.5)")
    rows = await connection.fetch_all(_SAMPLE, (SAMPLE_QUERIES,))
    if not rows:
        return []
    scorer = ExactScorer("inner_product", [1.0] * dim, dim)
    sample = scorer.matrix([row[0] for row in rows], header=4, order=">")
    rng = np.random.default_rng(SEED)
    moved = sample / np.linalg.norm(sample, axis=1, keepdims=True)
    moved += rng.standard_normal(moved.shape) * (NOISE / np.sqrt(dim))
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    probes: list[Probe] = []
    for vector, row in zip(moved.tolist(), rows, strict=True):
        siblings = await connection.fetch_all(_SIBLINGS, (row[1], MAX_LEFT_OUT + 1))
        if len(siblings) <= MAX_LEFT_OUT:
            left_out = frozenset(sibling[0] for sibling in siblings)
            probes.append(Probe(ExactScorer("cosine", vector, dim), left_out))
    return probes


async def _exact_ids(
    connection: SqlConnection, statements: SearchStatements, probe: Probe
) -> set[Any]:
    search = statements.get(
        "cosine",
        None,
        limit=K + len(probe.left_out) + MARGIN,
        exact=True,
        by_workspace=False,
        by_workspaces=False,
    )
    rows = await connection.fetch_all(search.sql, search.params(_values(probe.scorer)))
    ranked = RankedRows(probe.scorer, rows)
    return set(probe.kept([rows[i][0] for i in ranked.order]))


async def _measure(
    connection: SqlConnection,
    statements: SearchStatements,
    probes: Sequence[Probe],
    truth: Sequence[set[Any]],
    ef_search: int,
) -> TuningPoint:
    await connection.fetch_all("SELECT set_config('hnsw.ef_search', $1, false)", (str(ef_search),))
    connection.schema_facts.pop("ef_search", None)
    found = 0
    began = time.perf_counter()
    for probe, expected in zip(probes, truth, strict=True):
        search = statements.get(
            "cosine",
            None,
            limit=K + len(probe.left_out),
            exact=False,
            by_workspace=False,
            by_workspaces=False,
        )
        rows = await connection.fetch_all(search.sql, search.params(_values(probe.scorer)))
        found += len(set(probe.kept([row[0] for row in rows])) & expected)
    elapsed = time.perf_counter() - began
    expected_total = sum(min(K, len(ids)) for ids in truth) or 1
    return TuningPoint(
        ef_search=ef_search,
        recall=found / expected_total,
        queries_per_s=len(probes) / max(elapsed, 1e-9),
    )


def _values(scorer: ExactScorer) -> dict[str, Any]:
    return {"query": scorer.query.astype(np.float32), "workspace_id": None, "workspace_ids": None}


__all__ = [
    "EF_CANDIDATES",
    "TUNED_EF_SEARCH",
    "stored_ef_search",
    "tune_pgvector_search",
    "use_ef_search",
]
