"""Declared entities behind the Redis cache, against a real Redis.

The backend is the in-memory store; :class:`CountingStore` counts its entity
reads (and changes nothing else), so a test can tell a hit from a backend read.
Each test has a cache namespace of its own.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, cast
from uuid import UUID

import pytest
import redis

from repokit.domain.entities import Role, User, Workspace
from repokit.domain.entity import Entity, forget_entity
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import DeclarationError, InUseError
from repokit.domain.markers import Ref, Unique
from repokit.domain.ports import StorePort
from repokit.infrastructure.cache.codec import entity_codec
from repokit.infrastructure.cache.entity_keys import EntityKeys
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys
from repokit.infrastructure.cache.store import CachedStore, open_cached_store
from repokit.infrastructure.config import Settings
from repokit.infrastructure.memory import MemoryStore
from repokit.testing.examples import Customer, Order, Shipment

DIM = 8
MOMENT = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)


class CountedEntities:
    """A backend's entity repository whose point reads are counted."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.reads = 0

    async def get_by_id(self, id: UUID) -> Any:
        self.reads += 1
        return await self._inner.get_by_id(id)

    async def get_by(self, **unique: Any) -> Any:
        self.reads += 1
        return await self._inner.get_by(**unique)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class CountingStore:
    """The memory store with :class:`CountedEntities`; everything else is the store's own."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner
        self.counted: dict[type[Any], CountedEntities] = {}

    def repository(self, model: type[Any]) -> CountedEntities:
        if model not in self.counted:
            self.counted[model] = CountedEntities(self._inner.repository(model))
        return self.counted[model]

    def reads(self, model: type[Any]) -> int:
        return self.repository(model).reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def settings_for(namespace: str, **changes: Any) -> Settings:
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=DIM,
        cache_namespace=namespace,
        cache_timeout_s=5.0,
        cache_retry_s=0.3,
        **changes,
    )


@pytest.fixture
async def counted(
    redis_url: str, cache_namespace: str
) -> AsyncIterator[tuple[CachedStore, CountingStore]]:
    backend = CountingStore(MemoryStore(DIM))
    store = open_cached_store(cast(StorePort, backend), redis_url, settings_for(cache_namespace))
    await store.migrate()
    yield store, backend
    await store.close()


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def keys_of(namespace: str, model: type[Entity]) -> EntityKeys:
    return EntityKeys.of_spec(CacheKeys(namespace), spec_of(model))


def unique_key(namespace: str, model: type[Entity], **values: Any) -> CacheKey:
    normalised = EntityQueries(spec_of(model)).unique_key(values)
    return keys_of(namespace, model).by_unique(normalised)


def new_customer(email: str, **changes: Any) -> Customer:
    return Customer(email=email, name=email.split("@")[0], signed_up=MOMENT, **changes)


def new_order(customer: Customer, sku: str, number: int = 1) -> Order:
    return Order(
        customer_id=customer.id,
        number=number,
        sku=sku,
        total=Decimal("9.90"),
        weight_kg=1.5,
        placed_at=MOMENT,
    )


async def test_get_by_is_a_hit_after_a_fill(counted: tuple[CachedStore, CountingStore]) -> None:
    store, backend = counted
    customers = store.repository(Customer)
    saved = await customers.save(new_customer("ann@example.com", nickname="ann"))
    assert await customers.get_by(email="ann@example.com") == saved  # the fill
    reads, stats = backend.reads(Customer), store.cache_stats()
    for _ in range(3):
        assert await customers.get_by(email="ann@example.com") == saved
        assert await customers.get_by(nickname="ann") == saved
        assert await customers.get_by_id(saved.id) == saved
    assert backend.reads(Customer) == reads + 1  # the nickname's first lookup only
    # Each get_by hit is two (the values' entry, then the id's); one nickname entry missed.
    assert store.cache_stats().hits == stats.hits + 3 * (2 + 2 + 1) - 1
    # A miss is cached too, and the insert that makes it exist invalidates it.
    assert await customers.get_by(email="bob@example.com") is None
    assert await customers.get_by(email="bob@example.com") is None
    bob = await customers.save(new_customer("bob@example.com"))
    assert await customers.get_by(email="bob@example.com") == bob


async def test_get_by_id_through_get_by_is_the_id_lookup(
    counted: tuple[CachedStore, CountingStore],
) -> None:
    store, _ = counted
    customers = store.repository(Customer)
    later = new_customer("later@example.com")
    assert await customers.get_by(id=later.id) is None  # a cached "not found"...
    saved = await customers.save(later)
    assert await customers.get_by(id=later.id) == saved  # ...that the insert invalidated
    assert await customers.get_by(id=str(later.id)) == saved


async def test_a_compound_unique_is_cached_under_its_values(
    counted: tuple[CachedStore, CountingStore], raw: redis.Redis, cache_namespace: str
) -> None:
    store, backend = counted
    customer = await store.repository(Customer).save(new_customer("c@example.com"))
    order = await store.repository(Order).save(new_order(customer, "A-1", number=7))
    orders = store.repository(Order)
    assert await orders.get_by(customer_id=customer.id, number=7) == order
    reads = backend.reads(Order)
    assert await orders.get_by(number=7.0, customer_id=str(customer.id)) == order
    assert backend.reads(Order) == reads  # the same values spelled otherwise: the same key
    key = unique_key(cache_namespace, Order, customer_id=customer.id, number=7)
    assert raw.exists(key.value) == 1
    assert str(customer.id) not in key.value


async def test_get_by_after_the_value_moved_to_another_entity(
    counted: tuple[CachedStore, CountingStore], raw: redis.Redis, cache_namespace: str
) -> None:
    store, _ = counted
    customers = store.repository(Customer)
    ann = await customers.save(new_customer("ann@example.com"))
    assert await customers.get_by(email="ann@example.com") == ann
    key = unique_key(cache_namespace, Customer, email="ann@example.com")
    # Ann changes her address: the old address's entry still names her id...
    ann = await customers.save(ann.model_copy(update={"email": "ann@new.example"}))
    assert raw.exists(key.value) == 1
    # ...but she no longer has it: the entry is dropped and the backend asked.
    assert await customers.get_by(email="ann@example.com") is None
    assert await customers.get_by(email="ann@new.example") == ann
    # Another customer takes the old address.
    bob = await customers.save(new_customer("ann@example.com"))
    assert await customers.get_by(email="ann@example.com") == bob
    assert await customers.get_by(email="ann@example.com") == bob


async def test_a_unit_invalidates_after_its_commit_and_not_before(
    counted: tuple[CachedStore, CountingStore],
) -> None:
    store, _ = counted
    customers = store.repository(Customer)
    first = await customers.save(new_customer("ann@example.com"))
    assert await customers.get_by(email="ann@example.com") == first
    assert await customers.get_by_id(first.id) == first
    invalidations = store.cache_stats().invalidations
    async with store.unit_of_work() as uow:
        await uow.repository(Customer).save(first.model_copy(update={"name": "rolled back"}))
        await uow.rollback()
    assert store.cache_stats().invalidations == invalidations
    async with store.unit_of_work() as uow:
        second = await uow.repository(Customer).save(first.model_copy(update={"name": "Anna"}))
        assert (await uow.repository(Customer).get_by_id(first.id)) == second  # its own write
        # Not committed: the committed value stays cached and served.
        assert await customers.get_by(email="ann@example.com") == first
        assert await customers.get_by_id(first.id) == first
        assert store.cache_stats().invalidations == invalidations
    assert store.cache_stats().invalidations > invalidations
    assert await customers.get_by_id(first.id) == second
    assert await customers.get_by(email="ann@example.com") == second


async def test_a_cascade_invalidates_the_get_by_id_and_get_by_entries_of_what_it_removes(
    counted: tuple[CachedStore, CountingStore], raw: redis.Redis, cache_namespace: str
) -> None:
    store, _ = counted
    customer = await store.repository(Customer).save(new_customer("c@example.com"))
    other = await store.repository(Customer).save(new_customer("d@example.com"))
    orders = [
        await store.repository(Order).save(new_order(customer, f"C-{n}", number=n))
        for n in range(3)
    ]
    kept = await store.repository(Order).save(new_order(other, "D-1"))
    returned = await store.repository(Shipment).save(
        Shipment(order_id=kept.id, returned_to=customer.id, tracking="T-1", shipped_on=date.today())
    )
    entries: list[CacheKey] = []
    for order in orders:
        assert await store.repository(Order).get_by_id(order.id) == order
        assert await store.repository(Order).get_by(sku=order.sku) == order
        entries.append(keys_of(cache_namespace, Order).by_id(order.id))
        entries.append(unique_key(cache_namespace, Order, sku=order.sku))
    assert await store.repository(Shipment).get_by(tracking="T-1") == returned
    entries.append(keys_of(cache_namespace, Shipment).by_id(returned.id))
    entries.append(unique_key(cache_namespace, Shipment, tracking="T-1"))
    assert await store.repository(Order).get_by_id(kept.id) == kept
    assert all(raw.exists(key.value) for key in entries)

    assert await store.repository(Customer).delete(customer.id) is True

    assert not any(raw.exists(key.value) for key in entries)  # invalidated, not left to expire
    for order in orders:
        assert await store.repository(Order).get_by_id(order.id) is None
        assert await store.repository(Order).get_by(sku=order.sku) is None
    assert await store.repository(Shipment).get_by(tracking="T-1") is None
    assert raw.exists(keys_of(cache_namespace, Order).by_id(kept.id).value) == 1  # not its
    assert await store.repository(Order).get_by_id(kept.id) == kept


@pytest.fixture
def chain() -> Iterator[tuple[type[Entity], type[Entity], type[Entity]]]:
    """Three entities, each deleted with the one it refers to; the first goes with its user."""

    class Project(Entity, collection="cache_it_projects"):
        owner_id: Annotated[UUID, Ref(User, on_delete="cascade")]
        code: Annotated[str, Unique()]

    class Task(Entity, collection="cache_it_tasks"):
        project_id: Annotated[UUID, Ref(Project, on_delete="cascade")]
        slug: Annotated[str, Unique()]

    class Note(Entity, collection="cache_it_notes"):
        task_id: Annotated[UUID, Ref(Task, on_delete="cascade")]
        text: str

    yield Project, Task, Note
    for model in (Note, Task, Project):
        forget_entity(model)


@pytest.mark.parametrize("in_a_unit", [False, True], ids=["store", "unit"])
async def test_a_cascade_runs_down_every_level_and_with_the_built_ins_hooks(
    counted: tuple[CachedStore, CountingStore],
    raw: redis.Redis,
    cache_namespace: str,
    chain: tuple[Any, Any, Any],
    in_a_unit: bool,
) -> None:
    store, _ = counted
    project_model, task_model, note_model = chain
    await store.migrate()  # the chain was declared after the store's first migrate
    owner = await store.users.save(User(email="o@example.com", display_name="O"))
    guest = await store.users.save(User(email="g@example.com", display_name="G"))
    space = await store.workspaces.save(Workspace(name="w", owner_id=guest.id))
    await store.acl.grant(space.id, owner.id, Role.EDITOR)
    project = await store.repository(project_model).save(project_model(owner_id=owner.id, code="P"))
    task = await store.repository(task_model).save(task_model(project_id=project.id, slug="t"))
    note = await store.repository(note_model).save(note_model(task_id=task.id, text="n"))
    assert await store.users.find_by_email("o@example.com") == owner
    assert await store.acl.role_of(space.id, owner.id) is Role.EDITOR
    assert await store.repository(task_model).get_by(slug="t") == task
    assert await store.repository(note_model).get_by_id(note.id) == note
    entries = [
        unique_key(cache_namespace, User, email="o@example.com"),
        CacheKeys(cache_namespace).role(space.id, owner.id),
        unique_key(cache_namespace, task_model, slug="t"),
        keys_of(cache_namespace, note_model).by_id(note.id),
    ]
    assert all(raw.exists(key.value) for key in entries)

    if in_a_unit:
        async with store.unit_of_work() as uow:
            assert await uow.users.delete(owner.id) is True
            assert all(raw.exists(key.value) for key in entries)  # not before the commit
    else:
        assert await store.users.delete(owner.id) is True

    assert not any(raw.exists(key.value) for key in entries)
    assert await store.users.find_by_email("o@example.com") is None
    assert await store.acl.role_of(space.id, owner.id) is None
    assert await store.repository(task_model).get_by(slug="t") is None
    assert await store.repository(note_model).get_by_id(note.id) is None


async def test_a_refused_delete_leaves_every_entry_right(
    counted: tuple[CachedStore, CountingStore], raw: redis.Redis, cache_namespace: str
) -> None:
    store, _ = counted
    customer = await store.repository(Customer).save(new_customer("c@example.com"))
    order = await store.repository(Order).save(new_order(customer, "A-1"))
    shipment = await store.repository(Shipment).save(
        Shipment(order_id=order.id, tracking="T-1", shipped_on=date.today())
    )
    reads: list[tuple[Any, dict[str, Any], Any]] = [
        (Customer, {"email": "c@example.com"}, customer),
        (Order, {"sku": "A-1"}, order),
        (Shipment, {"tracking": "T-1"}, shipment),
    ]
    for model, values, entity in reads:
        assert await store.repository(model).get_by(**values) == entity
        assert await store.repository(model).get_by_id(entity.id) == entity
    order_key = keys_of(cache_namespace, Order).by_id(order.id)
    untouched = [
        unique_key(cache_namespace, Order, sku="A-1"),
        keys_of(cache_namespace, Shipment).by_id(shipment.id),
        unique_key(cache_namespace, Shipment, tracking="T-1"),
    ]

    with pytest.raises(InUseError):  # the shipment restricts its order's delete
        await store.repository(Order).delete(order.id)
    # A failed write invalidates its own entry; nothing went with it, so nothing else.
    assert raw.exists(order_key.value) == 0
    assert all(raw.exists(key.value) for key in untouched)
    with pytest.raises(InUseError):  # ...and so its customer's, through the cascade
        await store.repository(Customer).delete(customer.id)
    assert all(raw.exists(key.value) for key in untouched)
    for model, values, entity in reads:
        assert await store.repository(model).get_by(**values) == entity
        assert await store.repository(model).get_by_id(entity.id) == entity


@pytest.mark.parametrize(
    "planted",
    [
        pytest.param(b"0000dead|{}", id="another declaration's stamp"),
        pytest.param(b"", id="this stamp, not json"),
        pytest.param(b'{"id": "x"}', id="this stamp, other fields"),
        pytest.param(b'{"email": 5}', id="this stamp, a field of the wrong type"),
    ],
)
async def test_a_value_the_codec_cannot_read_is_a_miss(
    counted: tuple[CachedStore, CountingStore],
    raw: redis.Redis,
    cache_namespace: str,
    planted: bytes,
) -> None:
    store, backend = counted
    customers = store.repository(Customer)
    saved = await customers.save(new_customer("ann@example.com"))
    stamp = entity_codec(Customer).stamp
    value = planted if planted.startswith(b"0000dead") else stamp + (planted or b"not json")
    raw.set(keys_of(cache_namespace, Customer).by_id(saved.id).value, value)
    raw.set(unique_key(cache_namespace, Customer, email="ann@example.com").value, stamp + b"short")
    reads = backend.reads(Customer)
    assert await customers.get_by_id(saved.id) == saved
    assert await customers.get_by(email="ann@example.com") == saved
    assert backend.reads(Customer) == reads + 2  # both read again...
    assert await customers.get_by_id(saved.id) == saved
    assert await customers.get_by(email="ann@example.com") == saved
    assert backend.reads(Customer) == reads + 2  # ...and replaced


def test_an_entity_the_codec_cannot_decode_fails_when_its_repository_is_made(
    redis_url: str, cache_namespace: str
) -> None:
    from pydantic import BaseModel

    class Square(BaseModel):
        side: int

    class Circle(BaseModel):
        radius: int

    class Drawing(Entity, collection="cache_it_drawings"):
        shapes: list[Square | Circle] = []

    try:
        store = open_cached_store(MemoryStore(DIM), redis_url, settings_for(cache_namespace))
        with pytest.raises(DeclarationError, match=r"Drawing\.shapes"):
            store.repository(Drawing)
        assert store.repository(Customer) is store.repository(Customer)
    finally:
        forget_entity(Drawing)


async def test_redis_on_a_closed_port_never_fails_an_entity_call(cache_namespace: str) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = settings_for(cache_namespace).model_copy(update={"cache_timeout_s": 0.1})
    store = open_cached_store(MemoryStore(DIM), f"redis://127.0.0.1:{port}/0", settings)
    try:
        await store.migrate()
        customers = store.repository(Customer)
        saved = await customers.save(new_customer("ann@example.com"))
        for _ in range(5):
            assert await customers.get_by_id(saved.id) == saved
            assert await customers.get_by(email="ann@example.com") == saved
        order = await store.repository(Order).save(new_order(saved, "A-1"))
        assert await customers.delete(saved.id) is True
        assert await store.repository(Order).get_by(sku=order.sku) is None
        assert store.cache_stats().errors >= 1
        assert store.cache_stats().hits == 0
    finally:
        await store.close()
