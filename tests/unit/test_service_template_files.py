"""``repokit new``: names, the files written, and the template shipped as package data."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repokit.cli import app
from repokit.domain.errors import ConfigurationError
from repokit.service_template import service_name, template_files, write_service

runner = CliRunner()


def test_a_name_gives_its_import_name() -> None:
    assert service_name("ticket-desk").package == "ticket_desk"
    assert service_name("desk2").package == "desk2"


@pytest.mark.parametrize("name", ["Ticket", "2desk", "desk--x", "desk-", "my desk", ""])
def test_a_malformed_name_is_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="not a service name"):
        service_name(name)


@pytest.mark.parametrize("name", ["json", "class", "repokit", "fastapi", "tests"])
def test_a_name_that_would_shadow_a_module_is_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="shadows"):
        service_name(name)


def test_every_template_file_is_written_with_the_names_filled_in(tmp_path: Path) -> None:
    written = write_service("ticket-desk", tmp_path / "svc")
    assert len(written) == len(template_files())
    relative = {path.relative_to(tmp_path / "svc").as_posix() for path in written}
    assert {
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "migrations/env.py",
        "src/ticket_desk/domain/entities.py",
        "src/ticket_desk/api/app.py",
        "tests/test_entity_contract.py",
    } <= relative
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "{{" not in text.replace("${", ""), path
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
    project = tomllib.loads((tmp_path / "svc" / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "ticket-desk"
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [
        "src/ticket_desk"
    ]


def test_a_folder_that_is_not_empty_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not empty"):
        write_service("ticket-desk", tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["kept.txt"]


def test_the_command_writes_the_service_and_says_how_to_run_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "ticket-desk", "--dir", str(tmp_path / "svc")])
    assert result.exit_code == 0, result.output
    assert "uvicorn ticket_desk.api.app:app" in result.output
    assert (tmp_path / "svc" / "src" / "ticket_desk" / "domain" / "ports.py").is_file()


def test_the_command_reports_a_bad_name_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "Bad Name", "--dir", str(tmp_path / "svc")])
    assert result.exit_code == 1
    assert "not a service name" in result.output
    assert not (tmp_path / "svc").exists()


def test_a_name_may_be_32_characters_long() -> None:
    assert service_name("a" * 32).package == "a" * 32
    with pytest.raises(ConfigurationError, match="at most 32"):
        service_name("a" * 33)
