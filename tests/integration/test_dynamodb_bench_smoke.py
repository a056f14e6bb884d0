"""``repokit bench dynamodb --quick`` runs end to end on its own moto_server.

A smoke test only: the run completes and prints its table; no timing is checked
(the figures depend on the machine; ``docs/backends.md`` has them).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("aioboto3", reason="needs aioboto3 (repokit[dynamodb])")
pytest.importorskip("moto", reason="needs moto[server] (the dev extra)")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal so the table keeps one line per row."""
    monkeypatch.setenv("COLUMNS", "200")


def test_quick_run_prints_the_comparison_table() -> None:
    result = runner.invoke(app, ["bench", "dynamodb", "--quick"])

    assert result.exit_code == 0, result.output
    assert "DynamoDB: repokit vs raw calls on the same endpoint (moto_server)" in result.stdout
    for measure in ("get_by_id", "save_many 25", "search k=10 over 1,000 chunks"):
        assert measure in result.stdout
    assert "repokit sync / boto3" in result.stdout
