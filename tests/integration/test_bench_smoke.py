"""``repokit bench postgres --quick`` runs end to end on the embedded server.

Smoke tests only: they check that the run completes and prints its table, never
a timing (the figures depend on the machine; ``docs/vector-tuning.md`` has them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("pgserver", reason="needs the embedded PostgreSQL (repokit[embedded])")
pytest.importorskip("asyncpg", reason="needs asyncpg (repokit[postgres])")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No outside database, and a wide terminal so the table keeps one line per row."""
    for name in ("REPOKIT_DATABASE_URL", "DATABASE_URL", "REPOKIT_CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPOKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")


def test_quick_run_prints_the_comparison_table() -> None:
    result = runner.invoke(app, ["bench", "postgres", "--quick"])

    assert result.exit_code == 0, result.output
    assert "PostgreSQL: repokit vs raw asyncpg (same server)" in result.stdout
    for measure in ("add_chunks 2,000", "get_by_id vs prepared SELECT", "search q/s", "recall@10"):
        assert measure in result.stdout
    assert "2,000 chunks x 384 in 200 documents" in result.stdout
    assert "Second data set (topic mixture, 1,000 chunks, 20 queries)" in result.stdout
    for setting in ("defaults", "after tune"):
        assert setting in result.stdout


def test_raw_side_runs_when_the_adapter_cannot_open(monkeypatch: pytest.MonkeyPatch) -> None:
    from repokit.infrastructure.sql import postgres

    async def unavailable(url: str, settings: object) -> None:
        raise ImportError("no adapter in this build")

    monkeypatch.setattr(postgres, "open_postgres_store", unavailable)

    result = runner.invoke(app, ["bench", "postgres", "--quick", "--rounds", "1"])

    assert result.exit_code == 0, result.output
    assert "adapter not available" in result.stdout
    assert "rows/s" in result.stdout  # the raw COPY figures are there
