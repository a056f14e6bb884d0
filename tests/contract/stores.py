"""Fresh, migrated, empty stores of every built-in backend, for contract test classes.

A contract class's ``store`` fixture asks the ``stores`` fixture
(``tests/contract/conftest.py``) for one, async or sync, plain or behind the
Redis cache::

    class TestEmbeddedPostgresStore(StoreContract):
        @pytest.fixture
        async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
            async with stores.open("postgres") as store:
                yield store

    class TestCachedPostgresSyncStore(sync_contract.StoreContract):
        @pytest.fixture
        def store(self, stores: Stores) -> Iterator[SyncStorePort]:
            with stores.open_sync("postgres", cached=True) as store:
                yield store

Isolation is by emptying, not by creating (except on Firestore, where a new
project id per test costs nothing: the emulator makes it on first write). Each
server (one per pytest worker:
an embedded PostgreSQL, an nx-27017 stand-in, a moto_server; for MySQL a
database of the worker's own on the shared server) keeps one database, migrated
by the first test's ``store.migrate()``; before each test every row, document
or item in it is deleted, whatever tables or collections ``migrate()`` has made
by then, so new entities need no change here. Every
store is still migrated (a no-op on a migrated database) and closed by the
test's own fixture. See ``docs/testing.md`` for the measurements behind this.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import repokit
from mysql_support import empty_mysql, mysql_test_database
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.errors import RepokitError
from repokit.infrastructure.config import Settings

BACKENDS = (
    "memory",
    "sqlite-file",
    "sqlite-memory",
    "postgres",
    "mysql",
    "mongo",
    "dynamodb",
    "firestore",
)
"""The names :meth:`Stores.open` takes."""

KEPT_POSTGRES_TABLES = ("alembic_version", "schema_settings")
"""What emptying a PostgreSQL database keeps: the migration's own bookkeeping."""

_POSTGRES_TABLES = """
    SELECT coalesce(array_agg(format('%%I.%%I', schemaname, tablename)), '{}')
    FROM pg_tables WHERE schemaname = current_schema() AND tablename <> ALL(%s)
"""

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
"""This pytest process's xdist worker id (``gw0``, ``gw1``...), ``main`` without xdist."""


def plain_postgres_url(url: str) -> str:
    """``url`` with a driver suffix (``postgresql+asyncpg://``) removed, for psycopg."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql{sep}{rest}" if "+" in scheme else url


def empty_postgres(connection: Any) -> None:
    """Delete every row of every table in the schema of ``connection`` (a psycopg
    connection in autocommit mode), except :data:`KEPT_POSTGRES_TABLES`.

    The tables are read from the catalog each time, so whatever ``migrate()``
    creates is emptied too. ``DELETE`` with foreign-key triggers off
    (``session_replication_role``, superusers only) costs about a millisecond on
    the few rows a test leaves; a ``TRUNCATE`` (the fallback for other users)
    about 30, because it makes new files and syncs them.
    """
    import psycopg

    (tables,) = connection.execute(_POSTGRES_TABLES, (list(KEPT_POSTGRES_TABLES),)).fetchone()
    if not tables:
        return
    try:
        with connection.transaction():
            connection.execute(
                "SET LOCAL session_replication_role = replica; "
                + "; ".join(f"DELETE FROM {table}" for table in tables)
            )
    except psycopg.errors.InsufficientPrivilege:
        connection.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def empty_mongo(database: Any) -> None:
    """Delete every document of every collection of ``database`` (a PyMongo ``Database``).

    Collections and their indexes stay, so the next ``migrate()`` finds them
    (creating a database and its indexes per test cost the stand-in twice as much).
    """
    for name in database.list_collection_names():
        if not name.startswith("system."):
            database[name].delete_many({})


def empty_dynamodb(client: Any) -> None:
    """Delete every item of the table of ``client`` (repokit's sync ``DynamoClient``);
    nothing when the table does not exist yet (``migrate()`` creates it)."""
    from repokit.infrastructure.dynamodb.errors import error_code

    params: dict[str, Any] = {"TableName": client.table, "ProjectionExpression": "PK, SK"}
    keys: list[dict[str, Any]] = []
    try:
        while True:
            page = client.call("scan", **params)
            keys += [{"PK": item["PK"], "SK": item["SK"]} for item in page.get("Items", [])]
            if not page.get("LastEvaluatedKey"):
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except RepokitError as exc:
        if error_code(exc.__cause__ or exc) == "ResourceNotFoundException":
            return
        raise
    for start in range(0, len(keys), 25):
        batch = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
        client.call("batch_write_item", RequestItems={client.table: batch})


class Servers:
    """What one pytest worker keeps for the whole session: a connection per database
    it empties, the databases it made on servers of the developer's own (dropped at
    the end), and a migrated SQLite file per embedding size to copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._postgres: dict[str, Any] = {}
        self._mysql: dict[str, tuple[str, Any]] = {}
        self._mongo: dict[str, Any] = {}
        self._mongo_made: list[tuple[Any, str]] = []
        self._dynamodb: dict[str, Any] = {}
        self._sqlite: dict[int, Path] = {}
        self._numbers = itertools.count()

    def empty_postgres(self, url: str) -> str:
        """Empty the PostgreSQL database at ``url``; return ``url``."""
        connection = self._postgres.get(url)
        if connection is None or connection.closed:
            import psycopg

            connection = psycopg.connect(plain_postgres_url(url), autocommit=True)
            self._postgres[url] = connection
        empty_postgres(connection)
        return url

    def empty_mysql(self, server: str) -> str:
        """This worker's database on the MySQL server at ``server``, emptied; its URL.

        The database is new for this session (its name holds the worker id and a random
        part, so workers and concurrent runs never share one) and dropped at the end.
        """
        made = self._mysql.get(server)
        if made is None:
            name = f"repokit_test_{WORKER}_{uuid.uuid4().hex[:8]}"
            made = self._mysql[server] = mysql_test_database(server, name)
        url, connection = made
        empty_mysql(connection)
        return url

    def empty_mongo(self, server: str, *, own_server: bool) -> str:
        """This worker's database on the MongoDB at ``server``, emptied; its URL.

        On a server of the developer's own the name is new for this session and the
        database is dropped at the end; the stand-in is this worker's alone.
        """
        database = self._mongo.get(server)
        if database is None:
            import pymongo

            name = "repokit_test" if own_server else f"repokit_test_{uuid.uuid4().hex[:12]}"
            client: Any = pymongo.MongoClient(_mongo_url(server, name))
            database = self._mongo[server] = client.get_default_database()
            if not own_server:
                self._mongo_made.append((client, name))
        empty_mongo(database)
        return _mongo_url(server, database.name)

    def empty_dynamodb(self, url: str, settings: Settings) -> str:
        """Empty the table of the ``dynamodb://`` URL; return ``url``."""
        client = self._dynamodb.get(url)
        if client is None:
            from repokit.infrastructure.dynamodb.sync.client import DynamoClient
            from repokit.infrastructure.dynamodb.url import parse_dynamodb_url

            client = DynamoClient.open(parse_dynamodb_url(url), settings)
            self._dynamodb[url] = client
        empty_dynamodb(client)
        return url

    def firestore_project(self) -> str:
        """A project id no other test of this worker's emulator has used."""
        return f"test-{WORKER}-{next(self._numbers)}".lower()

    def sqlite_copy(self, settings: Settings, folder: Path) -> str:
        """A copy of a migrated SQLite file in ``folder``; its URL.

        Copying a file costs far less than running the revisions into a new one
        (about 0.3 s of Alembic per database); ``migrate()`` on the copy adds
        whatever it would add to the template.
        """
        dim = settings.embedding_dim
        template = self._sqlite.get(dim)
        if template is None:
            template = self.folder / f"template-{dim}.db"
            with repokit.connect_sync(f"sqlite:///{template}", settings=settings) as store:
                store.migrate()
            self._sqlite[dim] = template
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / f"contract-{next(self._numbers)}.db"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"

    def close(self) -> None:
        """Close the connections; drop the databases made on servers of one's own."""
        for connection in self._postgres.values():
            connection.close()
        for url, connection in self._mysql.values():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{url.rsplit('/', 1)[-1]}`")
            connection.close()
        for client in self._dynamodb.values():
            client.close()
        for client, name in self._mongo_made:
            client.drop_database(name)
        for database in self._mongo.values():
            database.client.close()


def _mongo_url(server: str, database: str) -> str:
    """``server`` (a ``mongodb://`` URL) pointed at ``database``, its options kept."""
    head, _, query = server.partition("?")
    scheme, rest = head.split("://", 1)
    hosts = rest.split("/", 1)[0]
    return f"{scheme}://{hosts}/{database}" + (f"?{query}" if query else "")


class Stores:
    """Opens fresh, migrated, empty stores for one test (the ``stores`` fixture).

    Args:
        servers: the worker's :class:`Servers`.
        settings: what stores are opened with (``contract_settings``).
        folder: the test's own folder (made when first needed), for SQLite files.
        server_url: ``server_url(backend)`` starts (once per worker) and returns the
            worker's server of ``postgres``, ``mongo`` or ``dynamodb``; ``"redis"``
            gives the cache's URL.
    """

    def __init__(
        self,
        servers: Servers,
        settings: Settings,
        folder: Path,
        server_url: Callable[[str], str],
    ) -> None:
        self.servers = servers
        self.settings = settings
        self.folder = folder
        self._server_url = server_url

    def url(self, backend: str, *, server: str | None = None) -> str:
        """An empty database of ``backend`` (one of :data:`BACKENDS`); its URL.

        ``server`` names a server of the developer's own instead of the worker's
        (a PostgreSQL database, a MongoDB server, a DynamoDB table): it is emptied
        the same way.
        """
        if backend == "memory":
            return "memory://"
        if backend == "sqlite-memory":
            return "sqlite:///:memory:"
        if backend == "sqlite-file":
            return self.servers.sqlite_copy(self.settings, self.folder)
        if backend == "postgres":
            return self.servers.empty_postgres(server or self._server_url(backend))
        if backend == "mysql":
            return self.servers.empty_mysql(server or self._server_url(backend))
        if backend == "mongo":
            own = server is None
            return self.servers.empty_mongo(server or self._server_url(backend), own_server=own)
        if backend == "dynamodb":
            url = server or self._server_url(backend)
            return self.servers.empty_dynamodb(url, self.settings)
        if backend == "firestore":
            # The worker's emulator (FIRESTORE_EMULATOR_HOST is set by its fixture):
            # a project of the test's own, so nothing needs deleting.
            self._server_url(backend)
            return f"firestore://{self.servers.firestore_project()}"
        raise ValueError(f"unknown backend {backend!r}: one of {', '.join(BACKENDS)}")

    def connect_options(self, cached: bool) -> dict[str, Any]:
        """``repokit.connect`` keywords: the settings, and with ``cached`` the Redis
        cache under a namespace no other test uses (so nothing is flushed)."""
        if not cached:
            return {"settings": self.settings}
        namespace = f"test-{uuid.uuid4().hex[:12]}"
        return {
            "cache_url": self._server_url("redis"),
            "settings": self.settings.model_copy(update={"cache_namespace": namespace}),
        }

    @asynccontextmanager
    async def open(
        self, backend: str, *, cached: bool = False, server: str | None = None
    ) -> AsyncIterator[StorePort]:
        """``async with stores.open(backend) as store``: connected, migrated, empty;
        closed at the end (tests may close it first)."""
        url = self.url(backend, server=server)
        store = await repokit.connect(url, **self.connect_options(cached))
        try:
            await store.migrate()
            yield store
        finally:
            await store.close()

    @contextmanager
    def open_sync(
        self, backend: str, *, cached: bool = False, server: str | None = None
    ) -> Iterator[SyncStorePort]:
        """The sync form of :meth:`open` (``repokit.connect_sync``)."""
        url = self.url(backend, server=server)
        with repokit.connect_sync(url, **self.connect_options(cached)) as store:
            store.migrate()
            yield store
