"""``repokit demo --url mongodb://...`` works on the nx-27017 stand-in (no transactions)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("pymongo", reason="needs PyMongo (repokit[mongo])")

from repokit.infrastructure.mongo.standin import StandInServer

runner = CliRunner()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInServer]:
    monkeypatch.setenv("COLUMNS", "200")
    with StandInServer() as standin:
        yield standin


def test_the_demo_ingests_once_and_searches(server: StandInServer) -> None:
    first = runner.invoke(app, ["demo", "--url", server.url("demo")])
    again = runner.invoke(app, ["demo", "--url", server.url("demo")])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert "When a star runs out of fuel" in first.stdout
    assert "Why bread dough rises" in again.stdout
