"""A new SQLite database replays the process's first upgrade instead of running Alembic
(``repokit.infrastructure.sql.migration_replay``): the result must be the database
Alembic makes, statement for statement, on real SQLite databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

import repokit
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import migration_replay, migrations
from repokit.infrastructure.sql.migrations import (
    AppliedRevision,
    head_revision,
    migrate_connection,
)

DIM = 12


@pytest.fixture
def nothing_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process's records set aside, so the next upgrade is recorded anew."""
    monkeypatch.setattr(migration_replay, "_RECORDED", {})


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Connection]:
    """A connection, in a transaction, on a new SQLite file."""
    yield from _connection(tmp_path / "one.db")


def _connection(path: Path) -> Iterator[Connection]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _no_alembic(*args: Any, **kwargs: Any) -> list[AppliedRevision]:
    raise AssertionError("Alembic ran where the recorded upgrade should have been replayed")


def dump(connection: Connection) -> dict[str, Any]:
    """Every schema object's SQL, and every row of every table."""
    schema = connection.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).all()
    tables = [name for kind, name, _, _ in schema if kind == "table"]
    rows = {
        name: sorted(connection.exec_driver_sql(f'SELECT * FROM "{name}"').all()) for name in tables
    }
    return {"schema": [tuple(row) for row in schema], "rows": rows}


def test_a_replayed_upgrade_makes_the_database_alembic_makes(
    nothing_recorded: None, tmp_path: Path
) -> None:
    made: list[dict[str, Any]] = []
    heard: list[list[AppliedRevision]] = []
    for name in ("recorded.db", "replayed.db"):
        with pytest.MonkeyPatch.context() as patch:
            if name == "replayed.db":  # Alembic must not run for this one
                patch.setattr(migrations, "upgrade_connection", _no_alembic)
            for connection in _connection(tmp_path / name):
                steps: list[AppliedRevision] = []
                applied = migrate_connection(connection, embedding_dim=DIM, progress=steps.append)
                assert applied == steps
                heard.append(steps)
                made.append(dump(connection))
    with pytest.MonkeyPatch.context() as patch:
        # The same migrate() with the replay turned off: Alembic all the way.
        patch.setattr(migrations, "is_empty_sqlite", lambda connection: False)
        for connection in _connection(tmp_path / "alembic.db"):
            migrate_connection(connection, embedding_dim=DIM)
            alembic_made = dump(connection)

    assert len(migration_replay._RECORDED) == 1
    assert made[0] == made[1] == alembic_made
    assert made[0]["rows"]["alembic_version"] == [(head_revision(),)]
    assert heard[0] == heard[1]
    assert [step.revision for step in heard[0]][-1] == head_revision()


def test_each_embedding_size_has_its_own_record(nothing_recorded: None, tmp_path: Path) -> None:
    for dim in (DIM, DIM + 1):
        for connection in _connection(tmp_path / f"{dim}.db"):
            migrate_connection(connection, embedding_dim=dim)
            settings = dict(connection.exec_driver_sql("SELECT * FROM schema_settings").all())
            assert settings["embedding_dim"] == str(dim)
    assert len(migration_replay._RECORDED) == 2


def test_a_database_with_a_table_of_its_own_runs_alembic(
    nothing_recorded: None, database: Connection, tmp_path: Path
) -> None:
    for connection in _connection(tmp_path / "first.db"):
        migrate_connection(connection, embedding_dim=DIM)
    recorded = dict(migration_replay._RECORDED)
    database.exec_driver_sql("CREATE TABLE mine (id INTEGER PRIMARY KEY)")

    assert not migration_replay.is_empty_sqlite(database)
    migrate_connection(database, embedding_dim=DIM)

    assert recorded == migration_replay._RECORDED
    names = {row[0] for row in database.exec_driver_sql("SELECT name FROM sqlite_master").all()}
    assert {"mine", "documents", "chunks", "alembic_version"} <= names


def test_in_memory_stores_are_migrated_each_time(nothing_recorded: None) -> None:
    settings = Settings(database_url=None, cache_url=None, embedding_dim=DIM)
    for _ in range(3):
        with repokit.connect_sync("sqlite:///:memory:", settings=settings) as store:
            store.migrate()
            assert store.documents.count() == 0
            store.migrate()  # at head now: nothing to do
    assert len(migration_replay._RECORDED) == 1
