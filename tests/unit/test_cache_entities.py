"""The cache's parts for declared entities: the codec of every field type, and the keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

from repokit.domain.entities import User, Workspace
from repokit.domain.entity import Entity, forget_entity
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import DeclarationError
from repokit.domain.ids import uuid7
from repokit.domain.markers import Unique
from repokit.infrastructure.cache.codec import EntityDecoder, encode_entity, entity_codec, id_codec
from repokit.infrastructure.cache.entity_keys import EntityKeys
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.testing.entity_samples import entity_values
from repokit.testing.entity_saves import assert_same_entity
from repokit.testing.examples import (
    EXAMPLE_ENTITIES,
    Address,
    Customer,
    Order,
    Parcel,
    Priority,
    Shipment,
    Tier,
)

MOMENT = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)


def round_trip(entity: Any) -> Any:
    return entity_codec(type(entity)).decode(encode_entity(entity))


def assert_exact(decoded: Any, entity: Any) -> None:
    """Equal field by field with the same types, and the same instance pydantic's parser builds."""
    assert_same_entity(decoded, entity)
    validated = type(entity).model_validate_json(encode_entity(entity))
    assert decoded.model_dump_json() == validated.model_dump_json() == entity.model_dump_json()
    assert decoded == entity


def test_every_field_type_of_the_examples_decodes_exactly() -> None:
    customer = Customer(
        email="a@example.com",
        name="Ann",
        nickname=None,
        tier=Tier.GOLD,
        vip=True,
        signed_up=MOMENT,
        birthday=date(1990, 2, 28),
        address=Address(street="Main 1", city="Oslo", zip=None, lines=["c/o B", "3rd floor"]),
    )
    order = Order(
        customer_id=customer.id,
        number=2**62,
        sku="A-1",
        status="paid",
        total=Decimal("10.50"),
        weight_kg=1.0,
        placed_at=MOMENT,
        priority=Priority.HIGH,
        coupon=uuid7(),
        tags=["x", "y"],
        details={"n": 1, "f": 0.5, "none": None, "nested": {"list": [1, "a", True]}},
    )
    shipment = Shipment(
        order_id=order.id,
        tracking="T-1",
        shipped_on=date(2024, 1, 2),
        parcels=[Parcel(label="p", grams=5), Parcel(label="q", grams=7, fragile=True)],
    )
    for entity in (customer, order, shipment):
        decoded = round_trip(entity)
        assert_exact(decoded, entity)
    decoded_order = round_trip(order)
    assert str(decoded_order.total) == "10.50"  # the scale, not just the value
    assert decoded_order.priority is Priority.HIGH
    assert type(decoded_order.weight_kg) is float
    decoded_shipment = round_trip(shipment)
    assert [type(parcel) for parcel in decoded_shipment.parcels] == [Parcel, Parcel]
    assert type(round_trip(customer).address) is Address


@pytest.mark.parametrize("model", EXAMPLE_ENTITIES, ids=lambda model: model.__name__)
def test_any_values_of_the_examples_decode_exactly(model: type[Entity]) -> None:
    references = {ref.field: uuid7() for ref in spec_of(model).refs}

    @settings(
        max_examples=60,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(values=entity_values(model))
    def check(values: dict[str, Any]) -> None:
        entity = model(**values, **references)
        assert_exact(round_trip(entity), entity)

    check()


def test_a_decoded_entity_is_a_live_model() -> None:
    decoded = round_trip(Workspace(name="w", owner_id=uuid7()))
    assert decoded.model_copy(update={"name": "v"}).name == "v"
    with pytest.raises(ValueError, match="name"):
        decoded.name = None


def test_a_payload_of_the_wrong_shape_is_a_value_error() -> None:
    decode = entity_codec(Order).decode
    payload = encode_entity(
        Order(
            customer_id=uuid7(),
            number=1,
            sku="s",
            total=Decimal(1),
            weight_kg=1.0,
            placed_at=MOMENT,
        )
    )
    for broken in (
        payload.replace(b'"total":"1"', b'"total":[1]'),
        payload.replace(b'"priority":2', b'"priority":9'),  # no such member
        payload.replace(b'"status":"open"', b'"status":"lost"'),  # not one of the Literal's
        b"{}",
    ):
        assert broken != payload
        with pytest.raises(ValueError, match="not a cached Order"):
            decode(broken)


class Square(BaseModel):
    side: int


class Circle(BaseModel):
    radius: int


def test_a_field_type_the_codec_cannot_decode_fails_naming_the_field() -> None:
    class Drawing(Entity):  # no collection: never stored, so nothing to forget
        shapes: list[Square | Circle] = []

    with pytest.raises(DeclarationError, match=r"Drawing\.shapes"):
        EntityDecoder(Drawing)


def test_a_changed_declaration_has_another_stamp() -> None:
    class Before(BaseModel):
        amount: int

    class After(BaseModel):
        amount: Decimal

    After.__name__ = Before.__name__
    assert entity_codec(Before).stamp != entity_codec(After).stamp
    assert entity_codec(Before) is entity_codec(Before)  # made once per class


KEYS = EntityKeys.of_spec(CacheKeys("svc"), spec_of(Order))


def order_key(**values: Any) -> str:
    return KEYS.by_unique(EntityQueries(spec_of(Order)).unique_key(values)).value


def test_entity_keys_are_per_collection_and_apart_from_the_built_in_kinds() -> None:
    entity_id = uuid7()
    assert KEYS.by_id(entity_id).value == f"svc:e:example_orders:{entity_id}"
    assert KEYS.by_id(entity_id).generation == f"svc:gen:e:example_orders:{entity_id}"
    customers = EntityKeys.of_spec(CacheKeys("svc"), spec_of(Customer))
    assert customers.by_id(entity_id) != KEYS.by_id(entity_id)
    assert order_key(sku="A-1").startswith("svc:u:example_orders:")
    users = EntityKeys.of_spec(CacheKeys("svc"), spec_of(User))
    assert users.by_id(entity_id).value == f"svc:e:users:{entity_id}"
    assert users.by_id(entity_id).value != CacheKeys("svc").document(entity_id).value


def test_unique_keys_hide_the_values_and_tell_groups_apart() -> None:
    customer = uuid7()
    key = order_key(customer_id=customer, number=7)
    assert str(customer) not in key
    assert "A-1" not in order_key(sku="A-1")
    assert order_key(sku="A-1") != order_key(sku="A-2")
    assert key != order_key(customer_id=customer, number=8)
    assert key == order_key(number=7, customer_id=customer)  # the group's order, not the call's


def test_a_write_touches_the_id_and_every_unique_key_of_its_values() -> None:
    customer = uuid7()
    stored = Order(
        customer_id=customer, number=7, sku="A-1", total=1, weight_kg=1.0, placed_at=MOMENT
    )
    written = KEYS.keys_of([stored])
    assert written == {
        KEYS.by_id(stored.id),
        KEYS.by_unique({"sku": "A-1"}),
        KEYS.by_unique({"customer_id": customer, "number": 7}),
    }
    # get_by's spellings of the same values reach those keys.
    assert order_key(customer_id=str(customer).upper(), number=7.0) == order_key(
        customer_id=customer, number=7
    )


@pytest.fixture
def measured() -> Iterator[type[Entity]]:
    class Measured(Entity, collection="cache_test_measured", unique=[("amount", "at")]):
        amount: Decimal
        at: datetime
        weight: Annotated[float, Unique()]
        day: Annotated[date | None, Unique()] = None

    yield Measured
    forget_entity(Measured)


def test_values_get_by_treats_as_equal_share_a_key(measured: type[Entity]) -> None:
    spec = spec_of(measured)
    keys, queries = EntityKeys.of_spec(CacheKeys(), spec), EntityQueries(spec)

    def key(**values: Any) -> str:
        return keys.by_unique(queries.unique_key(values)).value

    plus_two = timezone(timedelta(hours=2))
    same = key(amount=Decimal("1.0"), at=MOMENT)
    assert same == key(amount=Decimal("1.00"), at=MOMENT.astimezone(plus_two))
    assert same == key(amount=1, at=MOMENT.isoformat())
    assert same != key(amount=Decimal("1.01"), at=MOMENT)
    assert key(amount=Decimal("0.00"), at=MOMENT) == key(amount=Decimal("-0"), at=MOMENT)
    assert key(amount=Decimal("1E+2"), at=MOMENT) == key(amount=100, at=MOMENT)
    digits = Decimal("1234567890123456789012345678901.234")  # 34 digits: none rounded away
    assert key(amount=digits, at=MOMENT) != key(amount=digits + Decimal("0.001"), at=MOMENT)
    assert key(weight=1.0) == key(weight=1) != key(weight=1.5)
    assert key(weight=-(2.0**63)) == key(weight=-(2**63))
    assert key(weight=1e300) != key(weight=1e299)
    assert key(day=date(2024, 1, 2)) == key(day="2024-01-02")


def test_a_nullable_unique_field_without_a_value_has_no_key() -> None:
    keys = EntityKeys.of_spec(CacheKeys(), spec_of(Customer))
    customer = Customer(email="a@example.com", name="A", signed_up=MOMENT)
    assert keys.unique_values(customer) == [{"email": "a@example.com"}]
    nicknamed = customer.model_copy(update={"nickname": "ann"})
    assert keys.unique_values(nicknamed) == [{"email": "a@example.com"}, {"nickname": "ann"}]
    assert len(keys.keys_of([customer, nicknamed])) == 3  # one id, two values


def test_ids_round_trip_through_their_codec() -> None:
    ids = id_codec(entity_codec(User))
    entity_id = uuid7()
    assert ids.decode(ids.encode(entity_id)) == entity_id
    assert ids.stamp == entity_codec(User).stamp
    with pytest.raises(ValueError, match="16"):  # the read path takes it for a miss
        ids.decode(b"short")
    assert isinstance(ids.decode(ids.encode(entity_id)), UUID)
