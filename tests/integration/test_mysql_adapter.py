"""The MySQL / MariaDB adapter on a real server (``REPOKIT_TEST_MYSQL_URL``, by default
the local MariaDB), each test in a database of its own (``mysql_database``).

What the contract suite cannot show: the Alembic chain on MySQL (up, down, up, and
the same schema ``tables.py`` declares), a connection the server dropped, 50
concurrent optimistic updates, time zones, the keyset form MySQL reads from an
index, and the error numbers the adapter maps.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import repokit
from repokit.domain.entities import Document
from repokit.domain.errors import (
    BackendUnavailableError,
    ConcurrencyError,
    ConfigurationError,
    DuplicateError,
)
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import migrations
from repokit.infrastructure.sql.errors import translate_error
from repokit.infrastructure.sql.migration_url import migration_url
from repokit.infrastructure.sql.mysql import native_vector_type, parse_mysql_url

pymysql = pytest.importorskip("pymysql")
pytest.importorskip("asyncmy")

TASKS = 50
REVISIONS = ["0001", "0002", "0003", "0004"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=None, embedding_dim=16, pool_timeout_s=5, data_dir=tmp_path)


@pytest.fixture
async def store(mysql_database: str, settings: Settings) -> AsyncIterator[StorePort]:
    opened = await repokit.connect(mysql_database, settings=settings)
    await opened.migrate()
    try:
        yield opened
    finally:
        await opened.close()


def admin(url: str) -> Any:
    """A PyMySQL connection (autocommit) to the database of ``url``."""
    parsed = sa.engine.make_url(url)
    return pymysql.connect(
        host=parsed.host,
        port=parsed.port or 3306,
        user=parsed.username,
        password=parsed.password or "",
        database=parsed.database,
        autocommit=True,
    )


def kill_connections(url: str) -> None:
    """``KILL`` every other connection to the database of ``url`` (the store's)."""
    with admin(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
            "AND id <> CONNECTION_ID()"
        )
        for (thread,) in cursor.fetchall():
            cursor.execute(f"KILL CONNECTION {int(thread)}")


# --- URLs and migrations ---------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["mysql", "mariadb", "mysql+asyncmy", "mysql+pymysql"])
def test_every_scheme_opens_on_asyncmy_and_migrates_on_pymysql(scheme: str) -> None:
    url = f"{scheme}://u:secret@db:3307/app"
    assert parse_mysql_url(url).drivername == "mysql+asyncmy"
    assert migration_url(url) == "mysql+pymysql://u:secret@db:3307/app?charset=utf8mb4"


def test_a_url_without_a_database_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_mysql_url("mysql://u:secret@db:3306")
    assert "secret" not in str(caught.value)


def test_native_vector_support_is_told_from_the_version() -> None:
    assert not native_vector_type("10.11.19-MariaDB-0+deb12u1")
    assert native_vector_type("11.7.2-MariaDB")
    assert not native_vector_type("8.4.3")
    assert native_vector_type("9.1.0")


async def test_doctor_says_what_the_server_is_and_how_the_adapter_adapts(
    mysql_database: str,
) -> None:
    from repokit.infrastructure.diagnosis import diagnose

    checks = await diagnose(mysql_database, Settings(database_url=None, cache_url=None))

    assert [check.name for check in checks[:2]] == ["reachable", "server"]
    server = checks[1].detail
    assert "wait_timeout" in server
    assert "connections are recycled after" in server
    assert "searches are exact" in server


def test_the_revisions_go_up_down_and_up_and_give_the_declared_schema(
    mysql_database: str, tmp_path: Path
) -> None:
    sync_url = migration_url(mysql_database)
    assert [step.revision for step in migrations.upgrade(sync_url, embedding_dim=16)] == REVISIONS
    migrated = _schema(sync_url)
    undone = migrations.downgrade(sync_url)
    assert [step.revision for step in undone] == list(reversed(REVISIONS))
    assert _tables(sync_url) <= {"alembic_version"}
    assert [step.revision for step in migrations.upgrade(sync_url, embedding_dim=16)] == REVISIONS
    assert _schema(sync_url) == migrated
    assert "uq_users_email" in {index["name"] for index in migrated["users"]["indexes"]}


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _schema(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ],
                "indexes": sorted(inspector.get_indexes(table), key=lambda ix: str(ix["name"])),
                "foreign_keys": sorted(
                    inspector.get_foreign_keys(table), key=lambda fk: str(fk["name"])
                ),
            }
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }
    finally:
        engine.dispose()


# --- connections -----------------------------------------------------------------------


async def test_a_connection_the_server_dropped_is_replaced(
    store: StorePort, mysql_database: str
) -> None:
    saved = await store.documents.save(Document(title="kept", content=""))
    kill_connections(mysql_database)
    await asyncio.sleep(0.2)  # the event loop sees the sockets close
    # The pool hands out a new connection instead of a dead one: nothing fails.
    found = await store.documents.get_by_id(saved.id)
    assert found is not None
    assert found.title == "kept"


async def test_a_statement_on_a_connection_lost_mid_call_is_backend_unavailable(
    store: StorePort, mysql_database: str
) -> None:
    async with store.unit_of_work() as uow:
        await uow.documents.count()
        kill_connections(mysql_database)
        with pytest.raises(BackendUnavailableError):
            await uow.documents.count()
        await uow.rollback()  # nothing to do: the server rolled back when it dropped it
    assert await store.documents.count() == 0  # the store works on


async def test_fifty_concurrent_updates_land_or_raise_concurrency_error(store: StorePort) -> None:
    stored = await store.documents.save(Document(title="contended", content=""))
    start = asyncio.Event()

    async def update(number: int) -> bool:
        await start.wait()
        current = await store.documents.get_by_id(stored.id)
        assert current is not None
        try:
            await store.documents.save(current.model_copy(update={"title": f"t{number}"}))
        except ConcurrencyError:
            return False
        return True

    tasks = [asyncio.create_task(update(number)) for number in range(TASKS)]
    start.set()
    landed = sum(await asyncio.gather(*tasks))
    final = await store.documents.get_by_id(stored.id)
    assert final is not None
    assert landed >= 1
    assert final.version == 1 + landed  # nothing lost: every landed update counted


# --- values ----------------------------------------------------------------------------


async def test_timestamps_are_stored_as_utc_and_read_back_aware(
    store: StorePort, mysql_database: str
) -> None:
    tokyo = timezone(timedelta(hours=9))
    moment = datetime(2026, 3, 1, 9, 30, 15, 123000, tzinfo=tokyo)
    saved = await store.documents.save(Document(title="tz", content="", created_at=moment))
    found = await store.documents.get_by_id(saved.id)
    assert found is not None
    assert found.created_at == moment
    assert found.created_at.tzinfo is UTC
    with admin(mysql_database) as connection, connection.cursor() as cursor:
        # Whatever the session's zone, the column holds the UTC wall time.
        cursor.execute("SET time_zone = '+05:00'")
        cursor.execute("SELECT created_at FROM documents WHERE id = %s", (saved.id.bytes,))
        (raw,) = cursor.fetchone()
    assert raw == datetime(2026, 3, 1, 0, 30, 15, 123000)
    later = await store.documents.list(0, 10, where={"created_at": {"$gte": moment}})
    assert [document.id for document in later] == [saved.id]


async def test_a_second_user_with_the_email_in_other_case_is_a_duplicate(
    store: StorePort,
) -> None:
    from repokit.domain.entities import User

    await store.users.save(User(email="Ada@Example.org", display_name="Ada"))
    with pytest.raises(DuplicateError):
        await store.users.save(User(email="ADA@example.ORG", display_name="Other"))


# --- the keyset form -------------------------------------------------------------------


async def test_a_keyset_page_reads_only_its_rows(store: StorePort, mysql_database: str) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    await store.documents.save_many(
        [
            Document(title=f"d{n}", content="", created_at=base + timedelta(seconds=n))
            for n in range(2_000)
        ]
    )
    first = await store.documents.page(limit=20)
    assert first.next_cursor is not None
    engine = store._database.engine  # type: ignore[attr-defined]
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await store.documents.page(20, first.next_cursor)
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", capture)
    statement, parameters = sent[-1]
    with admin(mysql_database) as connection, connection.cursor() as cursor:
        cursor.execute("ANALYZE TABLE documents")
        cursor.execute(f"ANALYZE FORMAT=JSON {statement}", parameters)
        (plan,) = cursor.fetchone()
    # r_rows: rows actually read; the row-value form reads the whole index instead.
    import json

    table = json.loads(plan)["query_block"]
    table = table.get("nested_loop", [{}])[0].get("table", table.get("table"))
    assert table["key"] == "ix_documents_created", plan
    assert table["r_rows"] <= 25, plan


# --- error numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1062, DuplicateError),
        (1213, ConcurrencyError),
        (1205, ConcurrencyError),
        (2006, BackendUnavailableError),
        (2013, BackendUnavailableError),
        (1146, ConfigurationError),
    ],
)
def test_mysql_error_numbers_map_onto_the_error_tree(code: int, expected: type) -> None:
    error = pymysql.err.OperationalError(code, "details with 'secret' data")
    translated = translate_error(error)
    assert isinstance(translated, expected)
    assert "secret" not in str(translated)


def test_concurrent_upgrades_of_one_database_both_succeed(mysql_database: str) -> None:
    sync_url = migration_url(mysql_database)

    async def both() -> list[list[migrations.AppliedRevision]]:
        return list(
            await asyncio.gather(
                asyncio.to_thread(migrations.upgrade, sync_url, embedding_dim=16),
                asyncio.to_thread(migrations.upgrade, sync_url, embedding_dim=16),
            )
        )

    results = asyncio.run(both())
    assert sorted(len(applied) for applied in results) == [0, len(REVISIONS)]
    assert migrations.current_revision(sync_url) == REVISIONS[-1]


def test_concurrent_upgrades_from_two_processes_both_succeed(mysql_database: str) -> None:
    # Two processes share no Python lock: MySQL's named lock (GET_LOCK) serialises them.
    sync_url = migration_url(mysql_database)
    script = (
        "import sys; from repokit.infrastructure.sql import migrations; "
        "print(len(migrations.upgrade(sys.argv[1], embedding_dim=16)))"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, sync_url], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    applied = sorted(int(run.communicate(timeout=120)[0].strip()) for run in runs)
    assert applied == [0, len(REVISIONS)]
