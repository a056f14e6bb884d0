"""Declared entities on MongoDB beyond the example entities of the contract suite.

On the nx-27017 stand-in (and on ``REPOKIT_TEST_MONGO_URL`` when set), beside
the in-memory reference where the answer must be the same: cascades two
references deep, a restriction deep inside a cascade; and on MongoDB alone the
stored form of every field type (what ``docs/backends.md`` promises) and
documents written before a field existed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import pytest

import repokit
from repokit.domain.entity import Entity, forget_entity
from repokit.domain.errors import InUseError
from repokit.domain.markers import Ref
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing.examples import Address, Customer, Order, Priority, Shipment, Tier

pymongo = pytest.importorskip("pymongo")

from repokit.infrastructure.mongo.standin import StandInServer  # noqa: E402

SERVER_URL = os.environ.get("REPOKIT_TEST_MONGO_URL")
MONGO_SERVERS = ["stand-in", pytest.param("server", marks=pytest.mark.skipif(
    SERVER_URL is None, reason="REPOKIT_TEST_MONGO_URL is not set (a MongoDB of your own)"
))]  # fmt: skip
SETTINGS = Settings(database_url=None, cache_url=None, embedding_dim=8)
MOMENT = datetime(2024, 3, 1, 12, 0, 0, 7000, tzinfo=UTC)


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInServer]:
    with StandInServer() as server:
        yield server


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[type[Any], type[Any], type[Any]]]:
    """Throwaway entities, each deleted with the one before (forgotten after this module)."""

    class Region(Entity, collection="test_mongo_regions"):
        name: str

    class Store(Entity, collection="test_mongo_stores"):
        region_id: Annotated[UUID, Ref(Region, on_delete="cascade")]

    class Shelf(Entity, collection="test_mongo_shelves"):
        store_id: Annotated[UUID, Ref(Store, on_delete="cascade")]

    yield Region, Store, Shelf
    for model in (Shelf, Store, Region):
        forget_entity(model)


def mongo_url(server: str, standin: StandInServer) -> str:
    name = f"repokit_entities_{uuid.uuid4().hex[:10]}"
    if server == "stand-in":
        return standin.url(name)
    assert SERVER_URL is not None
    head, _, query = SERVER_URL.partition("?")
    hosts = head.split("://", 1)[1].split("/", 1)[0]
    return f"mongodb://{hosts}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=MONGO_SERVERS)
async def mongo(request: pytest.FixtureRequest, standin: StandInServer) -> AsyncIterator[Any]:
    """A migrated store on a fresh MongoDB database (dropped after), and its raw database."""
    url = mongo_url(request.param, standin)
    store = await repokit.connect(url, settings=SETTINGS)
    await store.migrate()
    with pymongo.MongoClient(url, tz_aware=True) as client:
        yield store, client.get_default_database()
        await store.close()
        client.drop_database(client.get_default_database().name)


@pytest.fixture(params=["memory", *MONGO_SERVERS])
async def store(request: pytest.FixtureRequest, standin: StandInServer) -> AsyncIterator[StorePort]:
    """The reference or MongoDB: where both must answer alike."""
    url = "memory://" if request.param == "memory" else mongo_url(request.param, standin)
    store = await repokit.connect(url, settings=SETTINGS)
    await store.migrate()
    yield store
    await store.close()
    if request.param != "memory":
        with pymongo.MongoClient(url) as client:
            client.drop_database(client.get_default_database().name)


async def test_a_delete_cascades_two_references_deep(store: StorePort, chain: Any) -> None:
    region_model, store_model, shelf_model = chain
    regions, stores, shelves = (store.repository(m) for m in chain)
    region = await regions.save(region_model(name="north"))
    other = await regions.save(region_model(name="south"))
    shop = await stores.save(store_model(region_id=region.id))
    kept = await stores.save(store_model(region_id=other.id))
    await shelves.save_many([shelf_model(store_id=shop.id) for _ in range(3)])
    await shelves.save(shelf_model(store_id=kept.id))
    assert await regions.delete(region.id) is True
    assert [s.id for s in await stores.list()] == [kept.id]
    assert [s.store_id for s in await shelves.list()] == [kept.id]


async def test_a_restricting_reference_refuses_the_delete_and_changes_nothing(
    store: StorePort,
) -> None:
    customer = await store.repository(Customer).save(
        Customer(email="a@example.com", name="A", signed_up=MOMENT)
    )
    order = await store.repository(Order).save(
        Order(
            customer_id=customer.id,
            number=1,
            sku="S-1",
            total=Decimal("1.10"),
            weight_kg=1.0,
            placed_at=MOMENT,
        )
    )
    await store.repository(Shipment).save(Shipment(order_id=order.id, shipped_on=date(2024, 3, 2)))
    with pytest.raises(InUseError):
        await store.repository(Customer).delete(customer.id)
    assert await store.repository(Customer).count() == 1
    assert await store.repository(Order).count() == 1


async def test_every_field_type_is_stored_as_documented(mongo: Any) -> None:
    store, db = mongo
    customer = await store.repository(Customer).save(
        Customer(
            email="a@example.com",
            name="A",
            tier=Tier.GOLD,
            signed_up=MOMENT,
            birthday=date(1990, 5, 17),
            address=Address(street="1 Main St", city="Oslo", lines=["c/o B"]),
        )
    )
    order = await store.repository(Order).save(
        Order(
            customer_id=customer.id,
            number=7,
            sku="S-7",
            total=Decimal("12.50"),
            weight_kg=2.5,
            placed_at=MOMENT,
            priority=Priority.HIGH,
            tags=["x"],
            details={"a.b": 1, "$c": [True, None]},
        )
    )
    stored = db.example_orders.find_one({"_id": str(order.id)})
    assert stored == {
        "_id": str(order.id),
        "version": 1,
        "customer_id": str(customer.id),
        "number": 7,
        "sku": "S-7",
        "status": "open",
        "total": {"key": "210001125", "text": "12.50"},
        "weight_kg": 2.5,
        "placed_at": MOMENT,
        "priority": 3,
        "coupon": None,
        "tags": ["x"],
        "details": {"a%2Eb": 1, "%24c": [True, None]},
    }
    stored_customer = db.example_customers.find_one({"_id": str(customer.id)})
    assert stored_customer["tier"] == "gold"
    assert stored_customer["birthday"] == datetime(1990, 5, 17, tzinfo=UTC)
    assert stored_customer["address"] == {
        "street": "1 Main St",
        "city": "Oslo",
        "zip": None,
        "lines": ["c/o B"],
    }
    fetched = await store.repository(Customer).get_by_id(customer.id)
    assert fetched == customer
    assert isinstance(fetched.address, Address)


async def test_a_document_written_before_a_field_existed_reads_its_default(mongo: Any) -> None:
    store, db = mongo
    customer = await store.repository(Customer).save(
        Customer(email="old@example.com", name="Old", signed_up=MOMENT, vip=True)
    )
    db.example_customers.update_one({"_id": str(customer.id)}, {"$unset": {"vip": "", "tier": ""}})
    fetched = await store.repository(Customer).get_by_id(customer.id)
    assert fetched is not None
    assert fetched.vip is False
    assert fetched.tier is Tier.BASIC
