"""``repokit bench cache --quick`` runs end to end (a smoke test: it checks no timing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("pgserver", reason="needs the embedded PostgreSQL (repokit[embedded])")


def test_quick_cache_bench_prints_the_three_contenders(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REPOKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["bench", "cache", "--quick", "--url", redis_url])
    assert result.exit_code == 0, result.output
    for contender in ("raw redis-py GET", "repokit cached get_by_id", "uncached PostgreSQL"):
        assert contender in result.stdout
