"""``repokit bench mysql --quick`` and ``repokit bench entities --backend mysql --quick`` run
end to end on the test server (a scratch database).

A smoke test only: it checks that the run completes and prints its table, never a
timing (the figures depend on the machine; ``docs/backends.md`` has them).
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("asyncmy", reason="needs asyncmy and PyMySQL (repokit[mysql])")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal so the table keeps one line per row."""
    monkeypatch.setenv("COLUMNS", "200")


def test_quick_run_prints_both_forms_beside_the_raw_drivers() -> None:
    result = runner.invoke(app, ["bench", "mysql", "--quick"])

    assert result.exit_code == 0, result.output
    assert "MySQL: repokit vs raw asyncmy / PyMySQL" in result.stdout
    for form in ("async (asyncmy)", "sync (PyMySQL)"):
        assert re.search(rf"{re.escape(form)}\s*│ get_by_id \(200 reads", result.stdout)
        assert re.search(rf"{re.escape(form)}\s*│ save_many \(200 new documents\)", result.stdout)
    assert "x latency" in result.stdout
    assert "x rate" in result.stdout


def test_quick_entities_run_prints_both_shapes_beside_raw_asyncmy() -> None:
    result = runner.invoke(app, ["bench", "entities", "--backend", "mysql", "--quick"])

    assert result.exit_code == 0, result.output
    assert "declared entities vs raw drivers" in result.stdout
    for shape in ("orders", "readings"):
        for operation in ("get_by_id", "get_by", "save_many"):
            assert re.search(rf"MySQL\s*│ {shape}\s*│\s*{operation} │", result.stdout)
