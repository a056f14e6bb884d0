"""Declared entities on DynamoDB beyond the contract suite, on a private moto_server.

What each listing costs (a ``Query`` on a GSI of the pool for a filter on an
indexed field, a ``Query`` of the entity's partition otherwise, never a
``Scan``), the limit of the GSI pool, ``migrate()`` adding the pool to a table
made before it, bodies too large for one item, and the built-in users and
workspaces on the same layer (declared references to users, an owner's
workspaces in order from a compound index).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid4

import pytest

import repokit
from repokit.domain.entities import User, Workspace
from repokit.domain.entity import Entity, forget_entity
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import CapabilityError, DeclarationError, InUseError, NotFoundError
from repokit.domain.markers import Indexed, Ref
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing.examples import Customer, Order, Tier

pytest.importorskip("aioboto3")

from repokit.infrastructure.dynamodb.emulator import MotoServer
from repokit.infrastructure.dynamodb.entity_layout import POOL, POOL_SIZE, EntityLayout
from repokit.infrastructure.dynamodb.queries import INDEXES

SETTINGS = Settings(database_url=None, cache_url=None, embedding_dim=4)
MOMENT = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
async def store(moto: MotoServer) -> AsyncIterator[StorePort]:
    moto.reset()
    store = await repokit.connect(moto.url(), settings=SETTINGS)
    await store.migrate()
    yield store
    await store.close()


class Calls:
    """The DynamoDB operations a store's client sends, with their parameters."""

    def __init__(self, store: Any) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        store.client._client.meta.events.register("provide-client-params.dynamodb", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.sent.append((model.name, dict(params)))

    def named(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every call of ``operation``."""
        return [params for name, params in self.sent if name == operation]


async def _customers(store: StorePort, count: int) -> list[Customer]:
    repository = store.repository(Customer)
    saved = []
    for i in range(count):
        customer = Customer(
            email=f"c{i}@example.com",
            name=f"customer {i % 3}",
            tier=Tier.GOLD if i % 2 else Tier.BASIC,
            signed_up=MOMENT.replace(minute=i),
        )
        saved.append(await repository.save(customer))
    return saved


async def test_a_filter_on_an_indexed_field_queries_a_gsi_of_the_pool(store: StorePort) -> None:
    saved = await _customers(store, 6)
    calls = Calls(store)
    found = await store.repository(Customer).list(where={"signed_up": saved[2].signed_up})
    assert [c.id for c in found] == [saved[2].id]
    assert calls.named("Scan") == []
    (query,) = calls.named("Query")
    assert query["IndexName"] in POOL
    assert "begins_with" in query["KeyConditionExpression"]


async def test_a_range_on_an_indexed_field_is_a_key_condition(store: StorePort) -> None:
    saved = await _customers(store, 6)
    calls = Calls(store)
    where = {"signed_up": {"$gte": saved[4].signed_up}}
    found = await store.repository(Customer).list(where=where, order_by="signed_up")
    assert [c.id for c in found] == [c.id for c in saved[4:]]
    (query,) = calls.named("Query")
    assert query["IndexName"] in POOL
    assert "#sk > :lo" in query["KeyConditionExpression"]


async def test_an_ordering_by_an_indexed_field_reads_the_gsi_in_order(store: StorePort) -> None:
    saved = await _customers(store, 6)
    calls = Calls(store)
    found = await store.repository(Customer).list(0, 2, order_by="signed_up", descending=True)
    assert [c.id for c in found] == [saved[5].id, saved[4].id]
    (query,) = calls.named("Query")
    assert query["IndexName"] in POOL
    assert query["ScanIndexForward"] is False


async def test_a_filter_no_index_serves_queries_the_entity_partition(store: StorePort) -> None:
    saved = await _customers(store, 6)
    calls = Calls(store)
    found = await store.repository(Customer).list(where={"name": "customer 1"})
    assert [c.id for c in found] == [saved[1].id, saved[4].id]
    assert calls.named("Scan") == []
    (query,) = calls.named("Query")
    assert "IndexName" not in query
    assert query["ExpressionAttributeValues"][":pk"] == {"S": "E#example_customers"}


async def test_get_by_a_unique_field_is_one_get_item(store: StorePort) -> None:
    saved = await _customers(store, 2)
    calls = Calls(store)
    assert await store.repository(Customer).get_by(email="c1@example.com") == saved[1]
    assert [name for name, _ in calls.sent] == ["GetItem"]


def test_a_declaration_needing_more_than_the_pool_fails_naming_the_field() -> None:
    with pytest.raises(DeclarationError, match="none is left for f"):

        class TooMany(Entity, collection="dynamo_too_many_indexes"):
            a: Annotated[int, Indexed()]
            b: Annotated[int, Indexed()]
            c: Annotated[int, Indexed()]
            d: Annotated[int, Indexed()]
            e: Annotated[int, Indexed()]
            f: Annotated[int, Indexed()]


def test_the_adapter_refuses_a_spec_beyond_its_pool_naming_the_index() -> None:
    spec = spec_of(Order)
    extra = tuple((f.name,) for f in spec.fields if f.name not in ("id", "version"))
    wide = dataclasses.replace(spec, indexes=(*spec.indexes, *extra))
    assert len(wide.indexes) > POOL_SIZE
    with pytest.raises(CapabilityError, match=f"pool of {POOL_SIZE} global secondary indexes"):
        EntityLayout(wide)


async def test_migrate_adds_the_pool_to_a_table_made_without_it(moto: MotoServer) -> None:
    moto.reset()
    store: Any = await repokit.connect(moto.url(), settings=SETTINGS)
    try:
        older = {name: keys for name, keys in INDEXES.items() if name not in POOL}
        names = [attribute for pair in older.values() for attribute in pair]
        await store.client.call(
            "create_table",
            TableName=store.client.table,
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in names],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": name,
                    "KeySchema": [
                        {"AttributeName": pk, "KeyType": "HASH"},
                        {"AttributeName": sk, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for name, (pk, sk) in older.items()
                if name is not None
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        await store.migrate()
        await store.migrate()
        table = await store.client.call("describe_table", TableName=store.client.table)
        present = {index["IndexName"] for index in table["Table"]["GlobalSecondaryIndexes"]}
        assert set(POOL) <= present
        saved = await _customers(store, 2)
        found = await store.repository(Customer).list(where={"signed_up": saved[0].signed_up})
        assert found == [saved[0]]
    finally:
        await store.close()


@pytest.fixture
def blob() -> Iterator[type[Any]]:
    """An entity whose body outgrows one DynamoDB item, declared for one test."""

    class Blob(Entity, collection="dynamo_blobs"):
        label: Annotated[str, Indexed()]
        amount: Decimal
        payload: dict[str, str] = {}

    yield Blob
    forget_entity(Blob)


async def test_a_body_over_one_item_is_split_into_parts_and_read_back(
    store: StorePort, blob: type[Any]
) -> None:
    import os

    payload = {f"k{i}": os.urandom(40_000).hex() for i in range(20)}  # ~1.6 MB, incompressible
    repository = store.repository(blob)
    saved = await repository.save(blob(label="big", amount=Decimal("1.50"), payload=payload))
    assert await repository.get_by_id(saved.id) == saved
    assert await repository.list(where={"label": "big"}) == [saved]
    smaller = await repository.save(saved.model_copy(update={"payload": {"a": "b"}}))
    assert await repository.get_by_id(saved.id) == smaller
    assert await repository.delete(saved.id) is True
    assert await repository.count() == 0


@pytest.fixture
def note() -> Iterator[type[Any]]:
    """An entity that refers to a built-in user, declared for one test."""

    class Note(Entity, collection="dynamo_notes"):
        author_id: Annotated[UUID, Ref(User, on_delete="restrict")]
        text: str

    yield Note
    forget_entity(Note)


async def test_a_reference_to_a_built_in_user_is_checked_on_save(
    store: StorePort, note: type[Any]
) -> None:
    user = await store.users.save(User(email="author@example.com", display_name="A"))
    saved = await store.repository(note).save(note(author_id=user.id, text="hello"))
    assert await store.repository(note).get_by_id(saved.id) == saved
    with pytest.raises(NotFoundError):
        await store.repository(note).save(note(author_id=uuid4(), text="orphan"))
    assert await store.repository(User).get_by_id(user.id) == user


async def test_deleting_a_user_follows_declared_references_to_users(
    store: StorePort, note: type[Any]
) -> None:
    user = await store.users.save(User(email="author@example.com", display_name="A"))
    saved = await store.repository(note).save(note(author_id=user.id, text="hello"))
    with pytest.raises(InUseError, match="still referenced"):
        await store.users.delete(user.id)
    assert await store.users.get_by_id(user.id) == user
    assert await store.repository(note).delete(saved.id)
    assert await store.users.delete(user.id)


async def test_an_owners_workspaces_come_in_order_from_the_compound_index(
    store: StorePort,
) -> None:
    owner = await store.users.save(User(email="owner@example.com", display_name="O"))
    other = await store.users.save(User(email="other@example.com", display_name="X"))
    spaces = [
        await store.workspaces.save(
            Workspace(name=f"w{i}", owner_id=owner.id, created_at=MOMENT.replace(minute=i))
        )
        for i in range(5)
    ]
    await store.workspaces.save(Workspace(name="x", owner_id=other.id, created_at=MOMENT))
    calls = Calls(store)
    found = await store.repository(Workspace).list(
        0, 2, where={"owner_id": owner.id}, order_by="created_at", descending=True
    )
    assert found == [spaces[4], spaces[3]]
    (query,) = calls.named("Query")
    assert query["IndexName"] in POOL
    assert "begins_with" in query["KeyConditionExpression"]
    assert query["ScanIndexForward"] is False
    assert await store.workspaces.list(owner_id=owner.id) == spaces
