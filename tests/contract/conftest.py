"""Shared set-up of the contract runs: settings, the worker's servers, and ``stores``.

Every contract class opens its store through the ``stores`` fixture
(:class:`stores.Stores`): ``async with stores.open("postgres") as store`` gives a
connected, migrated, empty store. The servers behind it are started once per
pytest worker (each xdist worker has its own, on ports and folders of its own),
only when a test asks for that backend.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from stores import Servers, Stores

from repokit.infrastructure.config import Settings

if TYPE_CHECKING:
    from repokit.infrastructure.mongo.standin import StandInServer

EMBEDDING_DIM = 16
"""Small enough to be fast, large enough for the contract's exact vectors."""


_SCRATCH_DIRS = itertools.count()


@pytest.fixture(scope="session")
def scratch_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worker's folder of :func:`scratch_dir` folders."""
    return tmp_path_factory.mktemp("tests")


@pytest.fixture
def scratch_dir(scratch_root: Path) -> Path:
    """A folder of the test's own, not yet made (whoever writes there makes it).

    Not ``tmp_path``: pytest numbers each new ``tmp_path`` by listing every folder
    made before it in the session, about 9 ms per test once a worker has run 9,000,
    and nearly every contract test asks for a folder it never uses.
    """
    return scratch_root / f"t{next(_SCRATCH_DIRS)}"


@pytest.fixture
def contract_settings(scratch_dir: Path) -> Settings:
    """Settings independent of the developer's ``REPOKIT_*`` environment."""
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=EMBEDDING_DIM,
        data_dir=scratch_dir / "data",
    )


@pytest.fixture(scope="session")
def embedded_postgres_url(pg_data_root: Path) -> str:
    """This worker's private embedded PostgreSQL 18 + pgvector (its ``repokit`` database)."""
    from repokit.infrastructure.embedded import embedded_postgres_url as start

    return start(pg_data_root / "contract" / "data")


@pytest.fixture(scope="session")
def standin() -> Iterator[StandInServer]:
    """This worker's nx-27017 stand-in (every database in memory), stopped at the end."""
    pytest.importorskip("pymongo")
    from repokit.infrastructure.mongo.standin import StandInServer

    with StandInServer() as server:
        yield server


@pytest.fixture(scope="session")
def mongo_standin_url(standin: StandInServer) -> str:
    """The URL of the stand-in's ``repokit`` database, which ``stores`` empties per test."""
    return standin.url("repokit")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """This worker's ``moto_server``: the ``dynamodb://`` URL of its contract table."""
    pytest.importorskip("aioboto3")
    from repokit.infrastructure.dynamodb.emulator import MotoServer

    with MotoServer() as server:
        yield server.url("contract")


MYSQL_SERVER = os.environ.get("REPOKIT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
"""The MySQL or MariaDB server the suite makes its databases on (``REPOKIT_TEST_MYSQL_URL``;
by default the local MariaDB). Its user must be allowed to create databases."""


@pytest.fixture(scope="session")
def mysql_server_url() -> str:
    """The MySQL server URL; each worker makes a database of its own there (``stores.py``)."""
    pytest.importorskip("asyncmy")
    return MYSQL_SERVER


SERVER_FIXTURES = {
    "postgres": "embedded_postgres_url",
    "mysql": "mysql_server_url",
    "mongo": "mongo_standin_url",
    "dynamodb": "moto_url",
    "firestore": "firestore_emulator_host",
    "redis": "redis_url",
}
"""The session fixture behind each server :class:`stores.Stores` asks for."""


@pytest.fixture(scope="session")
def store_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The worker's connections to the databases it empties, and its SQLite templates."""
    servers = Servers(tmp_path_factory.mktemp("templates"))
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture
def stores(
    request: pytest.FixtureRequest,
    store_servers: Servers,
    contract_settings: Settings,
    scratch_dir: Path,
) -> Stores:
    """Fresh, migrated, empty stores of any built-in backend (see ``stores.py``)."""

    def server_url(name: str) -> str:
        url: str = request.getfixturevalue(SERVER_FIXTURES[name])
        return url

    return Stores(store_servers, contract_settings, scratch_dir, server_url)
