"""``repokit bench mongo --quick`` runs end to end on a stand-in it starts itself.

A smoke test only: it checks that the run completes and prints its table, never
a timing (the figures depend on the machine; ``docs/backends.md`` has them).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("pymongo", reason="needs PyMongo (repokit[mongo])")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal so the table keeps one line per row."""
    monkeypatch.setenv("COLUMNS", "200")


def test_quick_run_prints_both_forms_beside_raw_pymongo() -> None:
    result = runner.invoke(app, ["bench", "mongo", "--quick"])

    assert result.exit_code == 0, result.output
    assert "MongoDB: repokit vs raw PyMongo (same server: nx-27017 stand-in)" in result.stdout
    for form in ("async", "sync"):
        assert f"{form} │ get_by_id (200 reads" in result.stdout
        assert f"{form} │ save_many (200 new documents)" in result.stdout
    assert "x latency" in result.stdout
    assert "x rate" in result.stdout
