"""The command line on Firestore: ``demo`` on the emulator, ``doctor`` saying what is
wrong, ``migrate --indexes`` writing ``firestore.indexes.json``."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from repokit.cli import app

pytest.importorskip("google.cloud.firestore", reason="needs repokit[firestore]")

from repokit.infrastructure.firestore.emulator import free_port

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("REPOKIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REPOKIT_CACHE_URL", raising=False)
    monkeypatch.delenv("REPOKIT_EMBEDDING_DIM", raising=False)


def project() -> str:
    return f"tools-{uuid4().hex[:8]}"


def test_the_demo_ingests_once_and_searches(firestore_emulator_host: str) -> None:
    url = f"firestore://{project()}"
    first = runner.invoke(app, ["demo", "--url", url])
    again = runner.invoke(app, ["demo", "--url", url])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert "firestore backend" in first.stdout
    assert "When a star runs out of fuel" in first.stdout
    assert "Why bread dough rises" in again.stdout


def test_doctor_passes_on_the_emulator(firestore_emulator_host: str) -> None:
    result = runner.invoke(app, ["doctor", "--url", f"firestore://{project()}"])

    assert result.exit_code == 0, result.output
    assert "reachable" in result.stdout
    assert "schema" in result.stdout


def test_doctor_says_the_emulator_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{free_port()}")
    result = runner.invoke(app, ["doctor", "--url", "firestore://demo-project"])

    assert result.exit_code == 1
    assert "does not answer" in result.output
    assert "start the emulator" in result.output


def test_doctor_says_there_are_no_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud default credentials
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # not on Google Cloud: no metadata server
    result = runner.invoke(app, ["doctor", "--url", "firestore://demo-project"])

    assert result.exit_code == 1
    assert "no Google credentials" in result.output
    assert "FIRESTORE_EMULATOR_HOST" in result.output


def test_doctor_says_the_project_id_is_invalid() -> None:
    result = runner.invoke(app, ["doctor", "--url", "firestore://X"])

    assert result.exit_code == 1
    assert "invalid Google Cloud project id" in result.output


def test_migrate_writes_the_composite_indexes(firestore_emulator_host: str, tmp_path: Path) -> None:
    target = tmp_path / "firestore.indexes.json"
    result = runner.invoke(
        app, ["migrate", "--url", f"firestore://{project()}", "--indexes", str(target)]
    )

    assert result.exit_code == 0, result.output
    indexes = json.loads(target.read_text())["indexes"]
    wanted = {
        "collectionGroup": "chat_messages",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "session_id", "order": "ASCENDING"},
            {"fieldPath": "created_at", "order": "DESCENDING"},
            {"fieldPath": "id", "order": "DESCENDING"},
        ],
    }
    assert wanted in indexes
    vector = {
        "collectionGroup": "chunks",
        "queryScope": "COLLECTION_GROUP",
        "fields": [{"fieldPath": "embedding", "vectorConfig": {"dimension": 384, "flat": {}}}],
    }
    assert vector in indexes
    users = [i for i in indexes if i["collectionGroup"] == "users"]
    assert {"fieldPath": "email", "order": "ASCENDING"} in users[0]["fields"]


def test_migrate_indexes_is_for_firestore_only(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate", "--url", "memory://", "--indexes", "-"])

    assert result.exit_code != 0
    assert "--indexes is for Firestore" in result.output
