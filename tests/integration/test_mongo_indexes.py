"""MongoDB indexes: named, idempotent, and used by the queries that need them (``explain``).

Runs on the nx-27017 stand-in and, when ``REPOKIT_TEST_MONGO_URL`` is set, on
that MongoDB. The stand-in reports its own index names (``idx_<collection>_<fields>``)
and plans with SQLite, so names are checked on MongoDB only, and the keyset
page's index scan is expected to fail on the stand-in (it scans, then sorts).
Declared entities' indexes (the example entities'): created once each, and a
filtered list on an ``Indexed`` field reads its index on both servers (the
stand-in's plan says ``SEARCH ... USING INDEX``; MongoDB's is an ``IXSCAN`` with
no ``SORT`` when the list is ordered by that field).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import repokit
from repokit.domain.entities import Document, User, Workspace
from repokit.domain.entity import declared_entities
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import ConfigurationError
from repokit.domain.paging import KeysetPosition, decode_cursor
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing.examples import EXAMPLE_ENTITIES, Customer

pymongo = pytest.importorskip("pymongo")

from repokit.infrastructure.mongo.documents import PAGE_SORT, page_query  # noqa: E402
from repokit.infrastructure.mongo.entity_codec import EntityDocuments  # noqa: E402
from repokit.infrastructure.mongo.entity_schema import schema_indexes  # noqa: E402
from repokit.infrastructure.mongo.filters import compile_filter  # noqa: E402
from repokit.infrastructure.mongo.paging import keyset_sort  # noqa: E402
from repokit.infrastructure.mongo.schema import INDEXES  # noqa: E402
from repokit.infrastructure.mongo.standin import StandInServer  # noqa: E402

SERVER_URL = os.environ.get("REPOKIT_TEST_MONGO_URL")
SERVERS = ["stand-in", pytest.param("server", marks=pytest.mark.skipif(
    SERVER_URL is None, reason="REPOKIT_TEST_MONGO_URL is not set (a MongoDB of your own)"
))]  # fmt: skip


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInServer]:
    with StandInServer() as server:
        yield server


@pytest.fixture(params=SERVERS)
def on_standin(request: pytest.FixtureRequest) -> bool:
    """True for the stand-in run, False for ``REPOKIT_TEST_MONGO_URL``."""
    return bool(request.param == "stand-in")


@pytest.fixture
def database_url(on_standin: bool, standin: StandInServer) -> Iterator[str]:
    """A fresh database on the stand-in or on ``REPOKIT_TEST_MONGO_URL``, dropped after."""
    name = f"repokit_ix_{uuid.uuid4().hex[:10]}"
    if on_standin:
        url = standin.url(name)
    else:
        assert SERVER_URL is not None
        head, _, query = SERVER_URL.partition("?")
        url = f"{head.split('://', 1)[0]}://{head.split('://', 1)[1].split('/', 1)[0]}/{name}"
        url += f"?{query}" if query else ""
    yield url
    with pymongo.MongoClient(url, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(name)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[StorePort]:
    store = await repokit.connect(database_url, settings=Settings(embedding_dim=8))
    await store.migrate()
    yield store
    await store.close()


def used_indexes(plan: Any) -> set[str]:
    """Index names a query plan uses: MongoDB's ``indexName``, the stand-in's ``USING INDEX``."""
    found: set[str] = set()
    if isinstance(plan, dict):
        if isinstance(plan.get("indexName"), str):
            found.add(plan["indexName"])
        detail = plan.get("detail")
        if isinstance(detail, str) and "USING " in detail and "INDEX " in detail:
            found.add(detail.split("INDEX ", 1)[1].split(" ", 1)[0])
        for value in plan.values():
            found |= used_indexes(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= used_indexes(value)
    return found


def stages(plan: Any) -> set[str]:
    """The stage names of a MongoDB plan (``IXSCAN``, ``SORT``, ``COLLSCAN``, ...)."""
    found: set[str] = set()
    if isinstance(plan, dict):
        if isinstance(plan.get("stage"), str):
            found.add(plan["stage"])
        for value in plan.values():
            found |= stages(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= stages(value)
    return found


async def test_migrate_creates_every_index_once(
    store: StorePort, database_url: str, on_standin: bool
) -> None:
    await store.migrate()  # again: idempotent
    with pymongo.MongoClient(database_url) as client:
        db = client.get_default_database()
        for spec in INDEXES:
            info = db[spec.collection].index_information()
            keys = {tuple(field for field, _ in index["key"]) for index in info.values()}
            wanted = (
                spec.keys
                if not on_standin
                else tuple(field for field in spec.keys if field != "_id")
            )
            assert wanted in keys, f"{spec.name} missing on {spec.collection}"
            if not on_standin:
                assert spec.name in info
                assert bool(info[spec.name].get("unique")) == spec.unique


async def test_the_email_lookup_uses_the_unique_email_index(
    store: StorePort, database_url: str
) -> None:
    for n in range(20):
        await store.users.save(User(email=f"u{n}@example.com", display_name=str(n)))
    with pymongo.MongoClient(database_url) as client:
        plan = client.get_default_database().users.find({"email": "u7@example.com"}).explain()
    used = used_indexes(plan["queryPlanner"]["winningPlan"])
    assert used & {"uq_users_email", "idx_users_email"}, plan["queryPlanner"]


async def test_a_keyset_page_of_a_workspace_is_an_index_scan(
    store: StorePort, database_url: str, on_standin: bool, request: pytest.FixtureRequest
) -> None:
    if on_standin:
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="nx-27017 plans a filtered, sorted find as a table scan and sorts in "
                "Python; MongoDB walks ix_documents_workspace",
            )
        )
    owner = await store.users.save(User(email="o@example.com", display_name="O"))
    space = await store.workspaces.save(Workspace(name="w", owner_id=owner.id))
    other = await store.workspaces.save(Workspace(name="x", owner_id=owner.id))
    await store.documents.save_many(
        [Document(title=str(n), content="", workspace_id=space.id) for n in range(30)]
        + [Document(title=str(n), content="", workspace_id=other.id) for n in range(30)]
    )
    first = await store.documents.page(10, workspace_id=space.id)
    assert first.next_cursor is not None
    position: KeysetPosition = decode_cursor("documents", first.next_cursor)
    query = page_query(None, workspace_id=space.id, start=position)
    with pymongo.MongoClient(database_url, tz_aware=True) as client:
        cursor = client.get_default_database().documents.find(query).sort(PAGE_SORT).limit(11)
        plan = cursor.explain()
    winning = plan["queryPlanner"]["winningPlan"]
    assert used_indexes(winning) & {"ix_documents_workspace"}, winning
    assert "SORT" not in stages(winning), winning
    assert "COLLSCAN" not in stages(winning), winning


# -- declared entities ---------------------------------------------------------------------


def index_named_for(db: Any, collection: str, keys: tuple[str, ...]) -> str:
    """The name the server gave the index with ``keys`` (the stand-in names its own)."""
    for name, info in db[collection].index_information().items():
        if tuple(field for field, _ in info["key"]) == keys:
            return str(name)
    raise AssertionError(f"no index {keys} on {collection}")


async def test_migrate_creates_every_declared_entity_index_once(
    store: StorePort, database_url: str, on_standin: bool
) -> None:
    await store.migrate()  # again: idempotent
    wanted = schema_indexes(declared_entities())
    with pymongo.MongoClient(database_url) as client:
        db = client.get_default_database()
        for model in EXAMPLE_ENTITIES:
            collection = spec_of(model).table()
            info = db[collection].index_information()
            keys = [tuple(field for field, _ in index["key"]) for index in info.values()]
            assert len(keys) == len(set(keys)), f"an index of {collection} is there twice"
            for spec in (index for index in wanted if index.collection == collection):
                expected = tuple(f for f in spec.keys if f != "_id") if on_standin else spec.keys
                assert expected in keys, f"{spec.name} missing on {collection}"
                if not on_standin:
                    assert bool(info[spec.name].get("unique")) == spec.unique
                    assert ("partialFilterExpression" in info[spec.name]) == (
                        spec.partial is not None
                    )


async def test_a_filtered_list_on_an_indexed_field_uses_its_index(
    store: StorePort, database_url: str, on_standin: bool
) -> None:
    customers = store.repository(Customer)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    await customers.save_many(
        [
            Customer(email=f"c{n}@example.com", name=str(n), signed_up=start + timedelta(days=n))
            for n in range(40)
        ]
    )
    where = {"signed_up": {"$gte": start + timedelta(days=35)}}
    listed = await customers.list(where=where, order_by="signed_up")
    spec = spec_of(Customer)
    query = compile_filter(EntityQueries(spec).parse(where), EntityDocuments(spec))
    sort = keyset_sort("signed_up")
    with pymongo.MongoClient(database_url, tz_aware=True) as client:
        db = client.get_default_database()
        found = [doc["_id"] for doc in db.example_customers.find(query).sort(sort)]
        plan = db.example_customers.find(query).sort(sort).explain()
        index = index_named_for(
            db, "example_customers", ("signed_up",) if on_standin else ("signed_up", "_id")
        )
    assert found == [str(customer.id) for customer in listed]  # the query the repository sends
    assert len(found) == 5
    winning = plan["queryPlanner"]["winningPlan"]
    assert index in used_indexes(winning), winning
    if not on_standin:
        assert index == "ix_example_customers_signed_up"
        assert "IXSCAN" in stages(winning), winning
        assert not stages(winning) & {"COLLSCAN", "SORT"}, winning


async def test_get_by_an_optional_unique_field_uses_its_partial_index(
    store: StorePort, database_url: str
) -> None:
    customers = store.repository(Customer)
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    await customers.save_many(
        [
            Customer(
                email=f"c{n}@example.com",
                name="c",
                nickname=f"n{n}" if n % 2 else None,
                signed_up=moment,
            )
            for n in range(20)
        ]
    )
    found = await customers.get_by(nickname="n7")
    assert found is not None
    assert found.email == "c7@example.com"
    with pymongo.MongoClient(database_url) as client:
        db = client.get_default_database()
        plan = db.example_customers.find({"nickname": "n7"}).explain()
        index = index_named_for(db, "example_customers", ("nickname",))
    assert index in used_indexes(plan["queryPlanner"]["winningPlan"]), plan["queryPlanner"]


async def test_an_entity_index_name_taken_by_other_keys_raises_configuration_error(
    store: StorePort, database_url: str, on_standin: bool
) -> None:
    if on_standin:
        pytest.skip(
            "nx-27017 names indexes itself (idx_<collection>_<fields>), so names cannot clash"
        )
    with pymongo.MongoClient(database_url) as client:
        db = client.get_default_database()
        db.example_orders.drop_index("ix_example_orders_status_placed_at")
        db.example_orders.create_index(
            [("weight_kg", 1)], name="ix_example_orders_status_placed_at"
        )
    with pytest.raises(ConfigurationError):
        await store.migrate()
