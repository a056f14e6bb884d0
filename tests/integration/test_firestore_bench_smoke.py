"""``repokit bench firestore --quick`` runs end to end on an emulator of its own.

A smoke test only: it checks that the run completes and prints its table, never a
timing (the figures depend on the machine; ``docs/backends.md`` has them).
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("google.cloud.firestore", reason="needs repokit[firestore]")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal so the table keeps one line per row."""
    monkeypatch.setenv("COLUMNS", "200")


def test_quick_run_prints_both_forms_beside_the_raw_client(firestore_emulator_host: str) -> None:
    result = runner.invoke(app, ["bench", "firestore", "--quick"])

    assert result.exit_code == 0, result.output
    assert "Firestore: repokit vs the raw client" in result.stdout
    for form in ("async (AsyncClient)", "sync (Client)"):
        assert re.search(rf"{re.escape(form)}\s*│ get_by_id \(200 reads", result.stdout)
        assert re.search(rf"{re.escape(form)}\s*│ save_many \(200 new documents\)", result.stdout)
    assert "x latency" in result.stdout
    assert "x rate" in result.stdout
