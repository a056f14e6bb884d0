"""Alembic migrations on real databases: SQLite files and an embedded PostgreSQL 18.

The schema check is exact: the migrated database and a scratch database built
from ``tables.py`` (``metadata.create_all``, test-only) are reflected with
SQLAlchemy's inspector and must agree on every table, column (type,
nullability), primary key, foreign key (with ``ondelete``), index (columns or
expressions, uniqueness, ``USING``/opclass/``WITH`` on PostgreSQL), unique and
check constraint.
"""

from __future__ import annotations

import asyncio
import re
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

import repokit
from repokit.cli import app
from repokit.domain.entities import User
from repokit.domain.errors import BackendUnavailableError, ConfigurationError, RepokitError
from repokit.infrastructure.sql import migrations
from repokit.infrastructure.sql.migration_url import migration_url
from repokit.infrastructure.sql.tables import HNSW_OPTIONS, metadata
from repokit.infrastructure.sql.types import Float32Vector

HEAD = "0004"
REVISIONS = ["0001", "0002", "0003", "0004"]
DIM = 384
LOCAL_PG15 = "postgresql://postgres@127.0.0.1:5432/test"


# --- helpers -------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def declared_metadata(embedding_dim: int) -> sa.MetaData:
    """A copy of ``tables.metadata`` whose vector column has a dimension, as migrated."""
    copy = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    for table in metadata.sorted_tables:
        # to_metadata() drops ddl_if(); put the dialect guards back.
        copies = {index.name: index for index in copy.tables[table.name].indexes}
        for index in table.indexes:
            condition = getattr(index, "_ddl_if", None)
            if condition is not None:
                copies[index.name].ddl_if(dialect=condition.dialect)
    copy.tables["chunks"].c.embedding.type = Float32Vector(embedding_dim)
    return copy


def migrate_store(url: str, settings: repokit.Settings | None = None) -> None:
    """Open a store on ``url``, run ``store.migrate()`` and close it."""

    async def scenario() -> None:
        store = await repokit.connect(url, settings=settings)
        try:
            await store.migrate()
        finally:
            await store.close()

    asyncio.run(scenario())


def schema_of(connection: Connection) -> dict[str, Any]:
    """Everything the inspector reflects about repokit's tables, in a comparable form."""
    with warnings.catch_warnings():
        # SQLite: "Skipped unsupported reflection of expression-based index" (see below).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        return _reflect(connection)


def _reflect(connection: Connection) -> dict[str, Any]:
    inspector = sa.inspect(connection)
    dialect = connection.dialect
    schema: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        schema[table] = {
            "columns": [
                (c["name"], str(c["type"].compile(dialect=dialect)), c["nullable"], c["default"])
                for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": sorted(inspector.get_foreign_keys(table), key=lambda fk: fk["name"]),
            "indexes": sorted(inspector.get_indexes(table), key=lambda ix: ix["name"]),
            "unique": sorted(inspector.get_unique_constraints(table), key=lambda u: u["name"]),
            "checks": sorted(
                (c["name"], _squash(c["sqltext"])) for c in inspector.get_check_constraints(table)
            ),
        }
    if dialect.name == "sqlite":
        # SQLAlchemy skips expression indexes on SQLite (lower(email)): compare their DDL.
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        schema["<index ddl>"] = sorted((name, _squash(sql)) for name, sql in rows)
    return schema


def _squash(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def schema_at(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return schema_of(connection)
    finally:
        engine.dispose()


def created_from_tables(url: str, embedding_dim: int = DIM) -> dict[str, Any]:
    """The schema ``tables.py`` declares, built in the (empty) database ``url``."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            declared_metadata(embedding_dim).create_all(connection)
        with engine.connect() as connection:
            return schema_of(connection)
    finally:
        engine.dispose()


# --- the embedded PostgreSQL -----------------------------------------------------------


class EmbeddedPostgres:
    """One pgserver for this module; each test gets a database of its own."""

    def __init__(self, socket_dir: str) -> None:
        self.socket_dir = socket_dir

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@/{database}?host={self.socket_dir}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        engine = sa.create_engine(self.url(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(sql)
        finally:
            engine.dispose()

    def new_database(self) -> str:
        name = f"mig_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE DATABASE {name}")
        return name


@pytest.fixture(scope="module")
def postgres(pg_data_root: Path) -> Iterator[EmbeddedPostgres]:
    pgserver = pytest.importorskip("pgserver", reason="the embedded extra is not installed")
    # Importing it registers pgvector's type with SQLAlchemy's reflection.
    pytest.importorskip("pgvector.sqlalchemy", reason="the postgres extra is not installed")
    folder = pg_data_root / "migrations"
    server = pgserver.get_server(folder, cleanup_mode="stop")
    host = re.search(r"host=([^&]+)", server.get_uri())
    assert host is not None
    yield EmbeddedPostgres(host.group(1))
    server.cleanup()


@pytest.fixture
def pg_url(postgres: EmbeddedPostgres) -> str:
    return postgres.url(postgres.new_database())


# --- URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "migrated_with"),
    [
        ("postgres://u:pw@db/app", "postgresql+psycopg://u:pw@db/app"),
        ("postgresql://u:pw@db/app", "postgresql+psycopg://u:pw@db/app"),
        (
            "postgresql+asyncpg://u:pw@db/app?ssl=require",
            "postgresql+psycopg://u:pw@db/app?sslmode=require",
        ),
        ("postgresql+psycopg://u:pw@db/app", "postgresql+psycopg://u:pw@db/app"),
        ("sqlite+aiosqlite:///data/app.db", "sqlite:///data/app.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
    ],
)
def test_urls_are_normalised_to_the_sync_drivers(given: str, migrated_with: str) -> None:
    assert migration_url(given) == migrated_with


def test_a_backend_without_revisions_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="has no Alembic migrations"):
        migration_url("mongodb://u:secret@db/app")


# --- SQLite ----------------------------------------------------------------------------


def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "app.db")
    heard: list[str] = []

    applied = migrations.upgrade(url, progress=lambda step: heard.append(step.revision))

    assert [step.revision for step in applied] == REVISIONS
    assert heard == REVISIONS
    assert migrations.current_revision(url) == HEAD
    assert set(metadata.tables) <= table_names(url)

    undone = migrations.downgrade(url)

    assert [step.revision for step in undone] == list(reversed(REVISIONS))
    assert migrations.current_revision(url) is None
    assert table_names(url) <= {"alembic_version"}

    assert [step.revision for step in migrations.upgrade(url)] == REVISIONS
    assert migrations.current_revision(url) == HEAD


def test_sqlite_upgrade_at_head_applies_nothing(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "app.db")
    migrations.upgrade(url)

    assert migrations.upgrade(url) == []


def test_sqlite_migrated_schema_is_exactly_the_declared_tables(tmp_path: Path) -> None:
    migrated = sqlite_url(tmp_path / "migrated.db")
    migrations.upgrade(migrated, embedding_dim=DIM)

    expected = created_from_tables(sqlite_url(tmp_path / "declared.db"))

    assert set(expected) - {"<index ddl>"} == set(metadata.tables)
    assert schema_at(migrated) == expected


def test_sqlite_schema_after_downgrade_and_upgrade_is_unchanged(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "app.db")
    migrations.upgrade(url)
    first = schema_at(url)
    migrations.downgrade(url)
    migrations.upgrade(url)

    assert schema_at(url) == first


def test_another_embedding_dim_is_refused_with_the_recorded_one(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "app.db")
    migrations.upgrade(url, embedding_dim=8)

    with pytest.raises(ConfigurationError, match="EMBEDDING_DIM=8 but this run asks for 16"):
        migrations.upgrade(url, embedding_dim=16)


def test_downgrade_to_base_then_upgrade_changes_the_embedding_dim(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "app.db")
    migrations.upgrade(url, embedding_dim=8)

    migrations.downgrade(url, embedding_dim=16)
    migrations.upgrade(url, embedding_dim=16)

    with pytest.raises(ConfigurationError, match="EMBEDDING_DIM=16 but this run asks for 8"):
        migrations.upgrade(url, embedding_dim=8)


def test_store_migrate_on_sqlite_memory_migrates_the_store_database() -> None:
    async def scenario() -> tuple[list[str], list[str], str]:
        store = await repokit.connect("sqlite:///:memory:")
        try:
            first: list[str] = []
            await store.migrate(progress=lambda step: first.append(step.revision))  # type: ignore[call-arg]
            again: list[str] = []
            await store.migrate(progress=lambda step: again.append(step.revision))  # type: ignore[call-arg]
            user = await store.users.save(User(email="a@example.com", display_name="A"))
            return first, again, user.email
        finally:
            await store.close()

    first, again, email = asyncio.run(scenario())

    assert first == REVISIONS
    assert again == []
    assert email == "a@example.com"


def test_store_migrate_at_head_still_refuses_another_embedding_dim(tmp_path: Path) -> None:
    """A database at head skips Alembic, not the checks its environment makes."""
    url = sqlite_url(tmp_path / "app.db")
    migrations.upgrade(url, embedding_dim=8)

    settings = repokit.Settings(database_url=None, cache_url=None, embedding_dim=16)
    with pytest.raises(ConfigurationError, match="EMBEDDING_DIM=8 but this run asks for 16"):
        migrate_store(url, settings)


def test_store_migrate_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "clash.db"
    clash = sa.create_engine(sqlite_url(path))
    with clash.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE chat_messages (x INTEGER)")
    clash.dispose()

    with pytest.raises(RepokitError, match="rolled back: table chat_messages already exists"):
        migrate_store(sqlite_url(path))
    assert table_names(sqlite_url(path)) == {"chat_messages"}


def test_store_migrate_keeps_foreign_keys_on_afterwards(tmp_path: Path) -> None:
    async def scenario() -> list[tuple[Any, ...]]:
        store = await repokit.connect(sqlite_url(tmp_path / "fk.db"))
        try:
            await store.migrate()
            pool = store._database.pool  # type: ignore[attr-defined]
            connection = await pool.acquire()
            try:
                return await connection.fetch_all("PRAGMA foreign_keys")  # type: ignore[no-any-return]
            finally:
                await pool.release(connection)
        finally:
            await store.close()

    assert asyncio.run(scenario()) == [(1,)]


def test_offline_sql_for_sqlite_is_one_transaction_of_ddl() -> None:
    sql = migrations.offline_sql("sqlite:///unused.db")

    assert sql.lstrip().startswith("BEGIN;")
    assert sql.rstrip().endswith("COMMIT;")
    assert "CREATE TABLE users" in sql
    assert "CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))" in sql
    assert "vector" not in sql.lower().replace("vector_", "")


# --- PostgreSQL (embedded 18 + pgvector) -------------------------------------------------


def test_postgres_upgrade_downgrade_upgrade(pg_url: str) -> None:
    assert [step.revision for step in migrations.upgrade(pg_url)] == REVISIONS
    assert migrations.current_revision(pg_url) == HEAD

    migrations.downgrade(pg_url)

    assert migrations.current_revision(pg_url) is None
    assert table_names(pg_url) <= {"alembic_version"}
    assert [step.revision for step in migrations.upgrade(pg_url)] == REVISIONS


def test_postgres_migrated_schema_is_exactly_the_declared_tables(
    postgres: EmbeddedPostgres, pg_url: str
) -> None:
    migrations.upgrade(pg_url, embedding_dim=DIM)

    expected = created_from_tables(postgres.url(postgres.new_database()))

    assert set(expected) == set(metadata.tables)
    assert schema_at(pg_url) == expected


def test_postgres_search_indexes_are_gin_path_ops_and_hnsw_cosine(pg_url: str) -> None:
    migrations.upgrade(pg_url)
    engine = sa.create_engine(pg_url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE indexname IN ('ix_documents_metadata_gin', 'ix_chunks_embedding_hnsw')"
        )
        definitions = {name: ddl for name, ddl in rows}
        embedding = connection.exec_driver_sql(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'"
        ).scalar()
    engine.dispose()

    assert definitions["ix_documents_metadata_gin"].endswith("USING gin (metadata jsonb_path_ops)")
    m, ef = HNSW_OPTIONS["m"], HNSW_OPTIONS["ef_construction"]
    assert definitions["ix_chunks_embedding_hnsw"].endswith(
        f"USING hnsw (embedding vector_cosine_ops) WITH (m='{m}', ef_construction='{ef}')"
    )
    assert embedding == f"vector({DIM})"


def test_postgres_vector_column_takes_the_configured_dim(pg_url: str) -> None:
    migrations.upgrade(pg_url, embedding_dim=3)

    with pytest.raises(ConfigurationError, match="EMBEDDING_DIM=3 but this run asks for 384"):
        migrations.upgrade(pg_url, embedding_dim=384)


def test_postgres_user_without_privilege_gets_a_clear_extension_error(
    postgres: EmbeddedPostgres,
) -> None:
    database = postgres.new_database()
    role = f"plain_{uuid.uuid4().hex[:8]}"
    postgres.execute(f"CREATE ROLE {role} LOGIN")
    # It may create tables (so the extension is the only thing it lacks), not extensions.
    postgres.execute(f"GRANT CREATE ON SCHEMA public TO {role}", database)

    with pytest.raises(ConfigurationError, match="pgvector extension is not allowed") as caught:
        migrations.upgrade(postgres.url(database, user=role))
    assert "superuser or CREATE privilege" in str(caught.value)
    assert table_names(postgres.url(database)) == set()


def test_postgres_user_without_superuser_migrates_once_the_extension_exists(
    postgres: EmbeddedPostgres,
) -> None:
    database = postgres.new_database()
    role = f"plain_{uuid.uuid4().hex[:8]}"
    postgres.execute(f"CREATE ROLE {role} LOGIN")
    postgres.execute(f"GRANT CREATE ON SCHEMA public TO {role}", database)
    postgres.execute("CREATE EXTENSION vector", database)

    applied = migrations.upgrade(postgres.url(database, user=role))

    assert [step.revision for step in applied] == REVISIONS


def test_store_migrate_on_embedded_postgres(pg_url: str) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        try:
            store = await repokit.connect(pg_url)
        except ConfigurationError as exc:  # the PostgreSQL adapter is not in this build
            pytest.skip(f"no PostgreSQL adapter: {exc}")
        try:
            first: list[str] = []
            await store.migrate(progress=lambda step: first.append(step.revision))  # type: ignore[call-arg]
            again: list[str] = []
            await store.migrate(progress=lambda step: again.append(step.revision))  # type: ignore[call-arg]
            return first, again
        finally:
            await store.close()

    first, again = asyncio.run(scenario())

    assert first == REVISIONS
    assert again == []
    assert migrations.current_revision(pg_url) == HEAD


def test_offline_sql_for_postgres_creates_the_extension_and_indexes() -> None:
    sql = migrations.offline_sql("postgresql://nobody@nowhere/none", embedding_dim=768)

    assert "CREATE EXTENSION IF NOT EXISTS vector;" in sql
    assert "embedding vector(768) NOT NULL" in sql
    assert "metadata JSONB NOT NULL" in sql
    assert "USING gin (metadata jsonb_path_ops)" in sql
    assert "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)" in sql
    assert "INSERT INTO schema_settings (name, value) VALUES ('embedding_dim', '768');" in sql


def test_postgres_without_pgvector_says_the_extension_is_not_installed() -> None:
    url = LOCAL_PG15.replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            has_vector = connection.exec_driver_sql(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
            ).scalar()
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (database test, user postgres)")
    finally:
        engine.dispose()
    if has_vector:
        pytest.skip("the PostgreSQL on 127.0.0.1:5432 has pgvector")

    with pytest.raises(BackendUnavailableError, match="pgvector extension is not installed"):
        migrations.upgrade(url)


# --- the command -----------------------------------------------------------------------

runner = CliRunner()


def test_cli_prints_a_line_per_revision_then_already_at_head(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")

    first = runner.invoke(app, ["migrate", "--url", url])
    again = runner.invoke(app, ["migrate", "--url", url])

    assert first.exit_code == 0, first.output
    lines = first.stdout.strip().splitlines()
    assert [line.split()[1] for line in lines[: len(REVISIONS)]] == REVISIONS
    assert lines[0] == "✓ 0001 pgvector extension"
    assert lines[len(REVISIONS)].startswith("schema is up to date: sqlite backend")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"already at head (revision {HEAD})")


def test_cli_sql_prints_the_ddl_and_touches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "untouched.db"

    result = runner.invoke(app, ["migrate", "--url", sqlite_url(path), "--sql"])

    assert result.exit_code == 0, result.output
    assert "CREATE TABLE chunks" in result.stdout
    assert not path.exists()


def test_cli_reports_an_unreachable_server_in_one_line() -> None:
    result = runner.invoke(app, ["migrate", "--url", "postgresql://postgres@127.0.0.1:1/none"])

    assert result.exit_code == 1
    assert "cannot connect to" in result.output
    assert "Traceback" not in result.output


# --- concurrency and atomicity ------------------------------------------------------------


def test_concurrent_upgrades_of_one_postgres_database_both_succeed(pg_url: str) -> None:
    async def both() -> list[list[migrations.AppliedRevision]]:
        return list(
            await asyncio.gather(
                asyncio.to_thread(migrations.upgrade, pg_url),
                asyncio.to_thread(migrations.upgrade, pg_url),
            )
        )

    results = asyncio.run(both())

    assert sorted(len(applied) for applied in results) == [0, len(REVISIONS)]
    assert migrations.current_revision(pg_url) == HEAD


def test_concurrent_store_migrations_of_one_sqlite_file_both_succeed(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "race.db")

    async def migrate_once() -> list[str]:
        store = await repokit.connect(url)
        try:
            heard: list[str] = []
            await store.migrate(progress=lambda step: heard.append(step.revision))  # type: ignore[call-arg]
            return heard
        finally:
            await store.close()

    async def both() -> list[list[str]]:
        return list(await asyncio.gather(migrate_once(), migrate_once()))

    assert sorted(asyncio.run(both())) == [[], REVISIONS]


def test_postgres_store_migrate_failure_leaves_nothing_behind(pg_url: str) -> None:
    clash = sa.create_engine(pg_url)
    with clash.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE chat_messages (x integer)")
    clash.dispose()

    async def scenario() -> None:
        try:
            store = await repokit.connect(pg_url)
        except ConfigurationError as exc:
            pytest.skip(f"no PostgreSQL adapter: {exc}")
        try:
            await store.migrate()
        finally:
            await store.close()

    with pytest.raises(RepokitError, match="already exists"):
        asyncio.run(scenario())
    assert table_names(pg_url) == {"chat_messages"}


def test_concurrent_store_migrations_in_one_event_loop_on_postgres(pg_url: str) -> None:
    async def migrate_once() -> list[str]:
        try:
            store = await repokit.connect(pg_url)
        except ConfigurationError as exc:
            pytest.skip(f"no PostgreSQL adapter: {exc}")
        try:
            heard: list[str] = []
            await store.migrate(progress=lambda step: heard.append(step.revision))  # type: ignore[call-arg]
            return heard
        finally:
            await store.close()

    async def both() -> list[list[str]]:
        return list(await asyncio.gather(migrate_once(), migrate_once()))

    assert sorted(asyncio.run(both())) == [[], REVISIONS]
