"""The PostgreSQL adapter on a second data set: at the defaults, after ``tune_search``,
and raw pgvector at the ``ef_search`` that reaches the same recall.

Part of ``repokit bench postgres`` (``--second-rows 0`` leaves it out). The
defaults were chosen on :mod:`benchmarks.datasets`; this runs them on
:mod:`benchmarks.topic_mixture`, a differently generated set, so that a default
that only suits the first model shows. On the adapter's own ``chunks`` table
(bulk-loaded: the index built after loading), one query at a time:

* **defaults**: recall@10 against exact (numpy) and q/s of ``search_similar``;
* **after tune**: ``documents.tune_search()`` (the store's own measurement, on
  perturbed stored rows), then the same two figures at the ``ef_search`` it kept;
* **raw at matched recall**: raw asyncpg (prepared statement, the same columns
  and the same decoding as the main table's raw side) at each ``ef_search`` of
  ``tune_search``'s candidates; the smallest that reaches the adapter's recall
  gives the raw q/s to compare with.

q/s are the best of ``rounds`` passes. The tuned value is removed from
``schema_settings`` afterwards, so the scratch database is left as found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from rich.console import Console
from rich.table import Table

from benchmarks.datasets import exact_top_k, recall_at_k
from benchmarks.postgres_bench import Corpus, K, build_corpus, row_to_hit, search_sql
from benchmarks.topic_mixture import make_topic_mixture
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.search_tuning import EF_CANDIDATES, TUNED_EF_SEARCH


@dataclass(frozen=True, slots=True)
class SetLine:
    """One setting of the adapter, and raw pgvector at the recall it reached."""

    setting: str
    ef_search: int
    recall: float
    qps: float
    raw_ef_search: int | None
    raw_recall: float
    raw_qps: float


@dataclass(slots=True)
class SecondSetReport:
    rows: int
    queries: int
    lines: list[SetLine]
    raw_curve: dict[int, tuple[float, float]]
    """``ef_search`` -> (recall@10, q/s) of raw pgvector."""
    tune_estimate: float
    """The recall ``tune_search`` measured at the value it kept (on its own queries)."""
    seconds: float


async def run_second_set(url: str, rows: int, queries: int, rounds: int) -> SecondSetReport:
    """Load the topic-mixture set into the adapter's tables at ``url`` and measure."""
    from repokit.infrastructure.sql.postgres import open_postgres_store

    began = time.perf_counter()
    data = make_topic_mixture(rows, queries)
    corpus = build_corpus(data)
    truth = exact_top_k(data.vectors, data.queries, K)
    settings = Settings(embedding_dim=data.spec.dim, database_url=None, cache_url=None)
    store = await open_postgres_store(url, settings)
    connection = await _raw_connection(url)
    try:
        await store.migrate()
        await connection.execute("TRUNCATE chunks, documents")
        await store.documents.save_many(corpus.documents)
        await store.documents.bulk_load_chunks([c for group in corpus.chunks for c in group])
        await connection.execute("ANALYZE chunks")
        default_ef = int(settings.hnsw_ef_search)
        measured = [("defaults", default_ef, *await _adapter(store, corpus, truth, rounds))]
        tuning = await store.documents.tune_search()
        tuned_ef = int(tuning.ef_search or default_ef)
        measured.append(("after tune", tuned_ef, *await _adapter(store, corpus, truth, rounds)))
        curve = await _raw_curve(connection, corpus, truth, rounds)
    finally:
        await connection.execute("DELETE FROM schema_settings WHERE name = $1", TUNED_EF_SEARCH)
        await connection.execute("TRUNCATE chunks, documents")
        await connection.close()
        await store.close()
    lines = [_matched(setting, ef, recall, qps, curve) for setting, ef, recall, qps in measured]
    return SecondSetReport(rows, queries, lines, curve, tuning.recall, time.perf_counter() - began)


async def _raw_connection(url: str) -> asyncpg.Connection:
    from benchmarks import pgvector_raw as raw

    return await raw.connect(url)


async def _adapter(store: Any, corpus: Corpus, truth: Any, rounds: int) -> tuple[float, float]:
    """recall@10 and the best q/s of ``search_similar`` over the queries."""
    queries = [query.tolist() for query in corpus.data.queries]
    found: list[list[int]] = []
    best = float("inf")
    for _ in range(rounds):
        found = []
        start = time.perf_counter()
        for query in queries:
            hits = await store.documents.search_similar(query, k=K)
            found.append([corpus.row_of[hit.chunk.id] for hit in hits])
        best = min(best, time.perf_counter() - start)
    return recall_at_k(found, truth), len(queries) / best


async def _raw_curve(
    connection: asyncpg.Connection, corpus: Corpus, truth: Any, rounds: int
) -> dict[int, tuple[float, float]]:
    """Raw pgvector's recall@10 and best q/s at each candidate ``ef_search``."""
    statement = await connection.prepare(search_sql("chunks", "documents", filtered=False))
    curve: dict[int, tuple[float, float]] = {}
    for ef_search in EF_CANDIDATES:
        await connection.execute(f"SET hnsw.ef_search = {ef_search}")
        found: list[list[int]] = []
        best = float("inf")
        for _ in range(rounds):
            found = []
            start = time.perf_counter()
            for query in corpus.data.queries:
                hits = [row_to_hit(row) for row in await statement.fetch(query)]
                found.append([corpus.row_of[hit.chunk.id] for hit in hits])
            best = min(best, time.perf_counter() - start)
        curve[ef_search] = (recall_at_k(found, truth), len(corpus.data.queries) / best)
    return curve


def _matched(
    setting: str, ef: int, recall: float, qps: float, curve: dict[int, tuple[float, float]]
) -> SetLine:
    """The adapter's figures beside raw pgvector at the smallest ``ef_search`` reaching
    ``recall`` (the best raw recall when none does)."""
    reaching = [e for e, (r, _) in curve.items() if r >= recall]
    raw_ef = min(reaching) if reaching else max(curve, key=lambda e: curve[e][0])
    raw_recall, raw_qps = curve[raw_ef]
    return SetLine(setting, ef, recall, qps, raw_ef if reaching else None, raw_recall, raw_qps)


def render(report: SecondSetReport, console: Console) -> None:
    """The second table of ``repokit bench postgres``."""
    table = Table(
        title=f"Second data set (topic mixture, {report.rows:,} chunks, {report.queries} "
        "queries): adapter vs raw pgvector at the same recall",
        title_justify="left",
    )
    for name in ("setting", "ef_search", f"recall@{K}", "repokit q/s"):
        table.add_column(name, justify="left" if name == "setting" else "right")
    for name in ("raw ef_search, same recall", "raw recall", "raw q/s", "repokit / raw"):
        table.add_column(name, justify="right")
    for line in report.lines:
        raw_ef = str(line.raw_ef_search) if line.raw_ef_search else "none reaches it"
        table.add_row(
            line.setting,
            str(line.ef_search),
            f"{line.recall:.3f}",
            f"{line.qps:,.0f}",
            raw_ef,
            f"{line.raw_recall:.3f}",
            f"{line.raw_qps:,.0f}",
            f"{line.qps / line.raw_qps:.2f}x",
        )
    console.print(table)
    curve = ", ".join(f"{ef}: {r:.3f}" for ef, (r, _) in report.raw_curve.items())
    console.print(f"[dim]raw recall@{K} by ef_search: {curve}; {report.seconds:.0f} s[/]")
    tuned = report.lines[-1]
    console.print(
        f"[dim]tune_search's own estimate at ef_search {tuned.ef_search} (perturbed stored "
        f"rows): {report.tune_estimate:.3f}; held-out queries: {tuned.recall:.3f}[/]"
    )


__all__ = ["SecondSetReport", "SetLine", "render", "run_second_set"]
