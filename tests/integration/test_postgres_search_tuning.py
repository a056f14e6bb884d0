"""PostgreSQL: ``tune_search`` measures recall per ``ef_search`` and stores its choice."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from typer.testing import CliRunner

import repokit
from repokit.cli import app
from repokit.domain.entities import Chunk, Document
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.search_tuning import EF_CANDIDATES, SAMPLED_MARGIN

PG_DIM = 16  # the dimension of the integration databases (conftest.PG_DIM)
CHUNKS = 2_000


def vector(rng: random.Random) -> list[float]:
    return [rng.gauss(0.0, 1.0) for _ in range(PG_DIM)]


@pytest.fixture
async def store(pg_database: str, pg_settings: Settings) -> AsyncIterator[StorePort]:
    opened = await repokit.connect(pg_database, settings=pg_settings)
    rng = random.Random(99)
    documents = await opened.documents.save_many(
        [Document(title=f"d{i}", content="") for i in range(CHUNKS // 10)]
    )
    await opened.documents.bulk_load_chunks(
        [
            Chunk(document_id=document.id, ordinal=o, content="", embedding=vector(rng))
            for document in documents
            for o in range(10)
        ]
    )
    yield opened
    await opened.close()


def ef_of(store: StorePort) -> int:
    documents = store.documents.inner  # type: ignore[attr-defined]  # behind the monitor
    return int(documents._search_statements.ef_search)


async def test_the_smallest_setting_meeting_the_target_is_kept(
    store: StorePort,
) -> None:
    report = await store.documents.tune_search(target_recall=0.95)
    assert [point.ef_search for point in report.curve] == list(EF_CANDIDATES)
    assert report.queries == 100
    meeting = [point.ef_search for point in report.curve if point.recall >= 0.95]
    assert report.ef_search == meeting[0]
    assert report.met
    assert report.recall >= 0.95
    assert ef_of(store) == report.ef_search
    hits = await store.documents.search_similar(vector(random.Random(1)), k=10)
    assert len(hits) == 10


async def test_every_store_opened_later_searches_at_the_stored_setting(
    store: StorePort, pg_database: str, pg_settings: Settings
) -> None:
    report = await store.documents.tune_search(target_recall=0.99)
    later = await repokit.connect(pg_database, settings=pg_settings)
    try:
        assert ef_of(later) == report.ef_search
    finally:
        await later.close()
    explicit = await repokit.connect(
        pg_database, settings=pg_settings.model_copy(update={"hnsw_ef_search": 300})
    )
    try:
        assert ef_of(explicit) == 300  # an explicit REPOKIT_HNSW_EF_SEARCH wins
    finally:
        await explicit.close()


async def test_given_queries_are_the_ones_measured(store: StorePort) -> None:
    rng = random.Random(5)
    report = await store.documents.tune_search([vector(rng) for _ in range(20)])
    assert report.queries == 20
    assert report.target_recall == 0.95


def test_the_tune_command_prints_the_curve_and_the_choice(
    pg_cluster: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_cluster.new_database()  # type: ignore[attr-defined]
    monkeypatch.setenv("REPOKIT_EMBEDDING_DIM", str(PG_DIM))
    runner = CliRunner()
    assert runner.invoke(app, ["migrate", "--url", url]).exit_code == 0
    empty = runner.invoke(app, ["tune", "--url", url])
    assert empty.exit_code == 0, empty.output
    assert "no embeddings are stored: nothing to measure" in empty.output


async def test_a_check_measures_the_setting_in_force_and_changes_nothing(
    store: StorePort, pg_database: str, pg_settings: Settings
) -> None:
    before = ef_of(store)
    report = await store.documents.tune_search(target_recall=0.95, check=True)
    assert [point.ef_search for point in report.curve] == [before]
    assert (report.ef_search, report.changed, report.queries) == (before, False, 100)
    assert report.met is (report.recall >= 0.95 + SAMPLED_MARGIN)  # sampled queries
    assert ef_of(store) == before
    later = await repokit.connect(pg_database, settings=pg_settings)
    try:
        assert ef_of(later) == before  # nothing was stored
    finally:
        await later.close()


def test_tune_check_exits_1_when_the_setting_in_force_misses_the_target(
    pg_cluster: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Random 128-dimensional vectors: at ef_search 10 the graph misses many neighbours
    # (the 16-dimensional data above is too easy for that).
    dim = 128
    url = pg_cluster.new_database()  # type: ignore[attr-defined]
    monkeypatch.setenv("REPOKIT_EMBEDDING_DIM", str(dim))
    runner = CliRunner()
    assert runner.invoke(app, ["migrate", "--url", url]).exit_code == 0
    settings = Settings(database_url=None, cache_url=None, embedding_dim=dim)
    asyncio.run(fill(url, settings, dim))
    met = runner.invoke(app, ["tune", "--url", url, "--check", "--target", "0.5"])
    assert met.exit_code == 0, met.output
    assert "checked, nothing changed" in met.output
    assert "← in force" in met.output
    monkeypatch.setenv("REPOKIT_HNSW_EF_SEARCH", "10")
    missed = runner.invoke(app, ["tune", "--url", url, "--check", "--target", "0.99"])
    assert missed.exit_code == 1, missed.output
    assert "hnsw.ef_search = 10" in missed.output
    assert "misses" in missed.output


async def fill(url: str, settings: Settings, dim: int) -> None:
    """200 documents of 10 chunks of random ``dim``-dimensional vectors."""
    opened = await repokit.connect(url, settings=settings)
    try:
        rng = random.Random(3)
        documents = await opened.documents.save_many(
            [Document(title=f"d{i}", content="") for i in range(200)]
        )
        await opened.documents.bulk_load_chunks(
            [
                Chunk(
                    document_id=document.id,
                    ordinal=o,
                    content="",
                    embedding=[rng.gauss(0.0, 1.0) for _ in range(dim)],
                )
                for document in documents
                for o in range(10)
            ]
        )
    finally:
        await opened.close()
