"""The ``repokit`` command: demo, migrate, doctor."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from repokit.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No outside configuration, and a wide terminal so tables are not squeezed."""
    for name in ("REPOKIT_DATABASE_URL", "DATABASE_URL", "REPOKIT_CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPOKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "160")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("repokit ")


def test_demo_on_memory_ingests_and_prints_ranked_hits() -> None:
    result = runner.invoke(app, ["demo", "--url", "memory://"])
    assert result.exit_code == 0, result.output
    assert "48 new, 0 already stored; 48 documents in 4 workspaces" in result.stdout
    assert "why does dough rise" in result.stdout
    assert "Why bread dough rises" in result.stdout


def test_demo_twice_does_not_duplicate_the_corpus(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "demo.db")
    first = runner.invoke(app, ["demo", "--url", url])
    second = runner.invoke(app, ["demo", "--url", url, "-q", "pgvector"])
    assert first.exit_code == second.exit_code == 0, second.output
    assert "48 new, 0 already stored" in first.stdout
    assert "0 new, 48 already stored; 48 documents in 4 workspaces" in second.stdout
    assert "HNSW indexes" in second.stdout


def test_demo_defaults_to_the_embedded_postgres_in_the_data_dir(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "-q", "stars", "-k", "1"])
    assert result.exit_code == 0, result.output
    assert "postgresql" in result.stdout
    assert (tmp_path / "data" / "postgres" / "PG_VERSION").exists()


def test_migrate(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate", "--url", sqlite_url(tmp_path / "m.db")])
    assert result.exit_code == 0, result.output
    assert "schema is up to date: sqlite backend" in result.stdout


def test_doctor_says_to_migrate_a_database_without_schema(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "fresh.db")
    result = runner.invoke(app, ["doctor", "--url", url])
    assert result.exit_code == 1
    report = result.output.strip().splitlines()
    assert [line.split(":")[0] for line in report] == ["✓ reachable", "✗ schema"]
    assert "repokit migrate" in report[1]
    assert runner.invoke(app, ["migrate", "--url", url]).exit_code == 0
    healthy = runner.invoke(app, ["doctor", "--url", url])
    assert healthy.exit_code == 0, healthy.output
    assert "schema is in place" in healthy.stdout


@pytest.mark.parametrize("command", ["doctor", "migrate", "demo"])
def test_bad_url_is_one_line_without_password_or_traceback(command: str) -> None:
    result = runner.invoke(app, [command, "--url", "oracle://scott:tiger@db/orcl"])
    assert result.exit_code == 1
    assert "tiger" not in result.output
    assert "Traceback" not in result.output
    assert "known schemes" in result.output


def test_doctor_reports_an_unreachable_server_without_its_password() -> None:
    result = runner.invoke(app, ["doctor", "--url", "postgresql://app:hunter2@127.0.0.1:1/app"])
    assert result.exit_code == 1
    assert "unavailable" in result.output
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["doctor", "demo"])
def test_path_that_cannot_be_created_is_one_line(command: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, [command, "--url", sqlite_url(blocker / "x.db")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_doctor_says_whether_the_redis_cache_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPOKIT_CACHE_URL", "redis://:hunter2@127.0.0.1:1/0")
    result = runner.invoke(app, ["doctor", "--url", "memory://"])
    assert result.exit_code == 0, result.output
    assert "does not answer: calls work, uncached" in result.stdout
    assert "hunter2" not in result.output
