"""``repokit doctor`` on PostgreSQL: one line per check, in order, saying what to do."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from typer.testing import CliRunner

from repokit.cli import app
from repokit.infrastructure.config import Settings
from repokit.infrastructure.diagnosis import diagnose

runner = CliRunner()

PG_DIM = 16  # the dimension of the integration databases (conftest.PG_DIM)

PLAIN_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
"""The machine's own PostgreSQL (no pgvector), where there is one."""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("REPOKIT_DATABASE_URL", "DATABASE_URL", "REPOKIT_CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPOKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPOKIT_EMBEDDING_DIM", str(PG_DIM))
    monkeypatch.setenv("COLUMNS", "400")


def lines(output: str) -> list[str]:
    return [line for line in output.strip().splitlines() if line]


def test_a_migrated_database_passes_every_check(pg_cluster: Any) -> None:
    url = pg_cluster.new_database()
    assert runner.invoke(app, ["migrate", "--url", url]).exit_code == 0
    result = runner.invoke(app, ["doctor", "--url", url])
    assert result.exit_code == 0, result.output
    report = lines(result.output)
    assert [line.split(":")[0] for line in report] == [
        "✓ reachable",
        "✓ pgvector",
        "✓ schema",
        "✓ vector index",
        "✓ search settings",
    ]
    assert "pgvector 0.8" in report[1]
    assert "ix_chunks_embedding_hnsw is valid" in report[3]
    assert "hnsw.ef_search=250, hnsw.iterative_scan=relaxed_order" in report[4]


def test_the_settings_line_shows_the_configured_ef_search(
    pg_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_cluster.new_database()
    assert runner.invoke(app, ["migrate", "--url", url]).exit_code == 0
    monkeypatch.setenv("REPOKIT_HNSW_EF_SEARCH", "400")
    result = runner.invoke(app, ["doctor", "--url", url])
    assert result.exit_code == 0, result.output
    assert "hnsw.ef_search=400" in lines(result.output)[-1]


def test_a_database_never_migrated_is_told_to_migrate_after_pgvector_passes(
    pg_cluster: Any,
) -> None:
    url = pg_cluster.new_database()
    result = runner.invoke(app, ["doctor", "--url", url])
    assert result.exit_code == 1
    report = lines(result.output)
    assert len(report) == 3
    assert report[1].startswith("✓ pgvector: pgvector 0.8")
    assert "`repokit migrate` creates it" in report[1]
    assert report[2].startswith("✗ schema:")
    assert "run `repokit migrate`" in report[2]


def test_a_missing_index_is_reported_with_what_to_do(
    pg_cluster: Any, pg_settings: Settings
) -> None:
    url = pg_cluster.new_database()
    assert runner.invoke(app, ["migrate", "--url", url]).exit_code == 0

    async def drop_index() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("DROP INDEX ix_chunks_embedding_hnsw")
        finally:
            await connection.close()

    asyncio.run(drop_index())
    checks = asyncio.run(diagnose(url, pg_settings))
    assert [check.name for check in checks] == [
        "reachable",
        "pgvector",
        "schema",
        "vector index",
        "search settings",
    ]
    index = checks[3]
    assert not index.ok
    assert "missing" in index.detail
    assert "run `repokit migrate`" in index.detail


def test_a_server_without_pgvector_says_so_before_anything_about_the_schema() -> None:
    reachable = runner.invoke(app, ["doctor", "--url", PLAIN_SERVER])
    if "✓ reachable" not in reachable.output:
        pytest.skip(f"no PostgreSQL without pgvector at {PLAIN_SERVER}")
    if "✓ pgvector" in reachable.output:
        pytest.skip(f"the server at {PLAIN_SERVER} has pgvector")
    assert reachable.exit_code == 1
    report = lines(reachable.output)
    assert len(report) == 2
    assert report[1].startswith("✗ pgvector: pgvector is not available on this server")
    assert "install it" in report[1]
    assert "schema" not in reachable.output
