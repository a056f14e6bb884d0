"""Filters, orderings, cursors and get_by keys over a declared entity's fields."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from repokit import InvalidQueryError
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.domain.matching import matches
from repokit.domain.query import Compare, FieldRef, In, Not
from repokit.testing.examples import Address, Customer, Order, Priority, Shipment, Tier

ORDERS = EntityQueries(spec_of(Order))
CUSTOMERS = EntityQueries(spec_of(Customer))
SHIPMENTS = EntityQueries(spec_of(Shipment))
CUSTOMER_ID = UUID("01900000-0000-7000-8000-000000000001")


def order(**fields: Any) -> Order:
    values: dict[str, Any] = {
        "customer_id": CUSTOMER_ID,
        "number": 1,
        "sku": "A-1",
        "total": Decimal("10.50"),
        "weight_kg": 1.5,
        "placed_at": datetime(2024, 1, 2, tzinfo=UTC),
    }
    values.update(fields)
    return Order(**values)


def test_operands_take_the_fields_type() -> None:
    assert ORDERS.parse({"total": {"$gte": 10}}) == Compare(
        FieldRef("total"), "$gte", Decimal(10)
    )
    assert ORDERS.parse({"priority": Priority.HIGH}) == Compare(FieldRef("priority"), "$eq", 3)
    assert ORDERS.parse({"priority": 3}) == Compare(FieldRef("priority"), "$eq", 3)
    assert CUSTOMERS.parse({"tier": "gold"}) == Compare(FieldRef("tier"), "$eq", "gold")
    assert CUSTOMERS.parse({"birthday": "2000-01-31"}) == Compare(
        FieldRef("birthday"), "$eq", date(2000, 1, 31)
    )
    assert ORDERS.parse({"customer_id": str(CUSTOMER_ID)}) == Compare(
        FieldRef("customer_id"), "$eq", CUSTOMER_ID
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"total": 1.5}, "floats are not exact"),
        ({"total": "1.5"}, "takes a Decimal"),
        ({"number": "1"}, "takes a number"),
        ({"number": True}, "takes a number"),
        ({"sku": 1}, "takes a string"),
        ({"status": "lost"}, "takes one of 'open', 'paid', 'shipped'"),
        ({"priority": Tier.GOLD}, "takes a priority value"),
        ({"placed_at": "yesterday"}, "not an ISO-8601 datetime"),
        ({"no_such": 1}, "unknown filter field 'no_such' of Order"),
        ({"sku.x": 1}, "is not a dict or nested model"),
        ({"tags.x": 1}, "is a list: filter it without a path"),
        ({"number": {"$gt": None}}, "takes a value, not null"),
        ({"number": {"$exists": True}}, "paths inside JSON fields only"),
        ({"details.a": {"$gt": True}}, "not a boolean"),
    ],
)
def test_a_wrong_filter_names_what_is_wrong(where: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        ORDERS.parse(where)


def test_booleans_are_not_ordered() -> None:
    with pytest.raises(InvalidQueryError, match="booleans are not ordered"):
        CUSTOMERS.parse({"vip": {"$gt": False}})


def test_paths_into_a_nested_model_are_checked_against_its_fields() -> None:
    assert CUSTOMERS.parse({"address.city": "Oslo"}) == Compare(
        FieldRef("address", ("city",), json=True), "$eq", "Oslo"
    )
    with pytest.raises(InvalidQueryError, match="Address has no field 'town'"):
        CUSTOMERS.parse({"address.town": "Oslo"})


def test_the_reference_evaluator_reads_fields_as_backends_compare_them() -> None:
    node = ORDERS.parse({"priority": {"$gte": 2}, "tags": "red", "details.k.x": 1})
    matching = order(priority=Priority.HIGH, tags=["blue", "red"], details={"k": {"x": 1}})
    assert matches(node, matching, ORDERS.read)
    assert not matches(node, order(priority=Priority.LOW, tags=["red"]), ORDERS.read)


def test_null_matches_an_optional_field_left_empty() -> None:
    node = ORDERS.parse({"coupon": None})
    assert matches(node, order(), ORDERS.read)
    assert ORDERS.parse({"coupon": {"$ne": None}}) == Not(
        Compare(FieldRef("coupon"), "$eq", None)
    )


def test_nested_models_are_compared_as_json() -> None:
    home = Customer(
        email="a@example.com",
        name="A",
        signed_up=datetime(2024, 1, 1),
        address=Address(street="Main 1", city="Oslo", lines=["x"]),
    )
    def selects(where: dict[str, Any]) -> bool:
        return matches(CUSTOMERS.parse(where), home, CUSTOMERS.read)

    assert selects({"address.city": {"$in": ["Oslo", "Bergen"]}})
    assert selects({"address.zip": None})
    assert not selects({"address.zip": {"$exists": False}})


def test_in_takes_values_of_the_fields_type() -> None:
    assert SHIPMENTS.parse({"shipped_on": {"$in": ["2024-01-01"]}}) == In(
        FieldRef("shipped_on"), (date(2024, 1, 1),)
    )


def test_orderings_name_a_required_scalar_field() -> None:
    assert ORDERS.ordering("placed_at", True).cursor_kind == "example_orders:placed_at:desc"
    for name in ("tags", "coupon", "nope"):
        with pytest.raises(InvalidQueryError, match="cannot order Order by"):
            ORDERS.ordering(name, False)


def test_cursors_round_trip_the_ordering_value_and_refuse_other_orderings() -> None:
    ordering = ORDERS.ordering("total", False)
    row = order()
    cursor = ORDERS.encode_cursor(ordering, row)
    assert ORDERS.decode_cursor(ordering, cursor) == (Decimal("10.50"), row.id)
    with pytest.raises(InvalidQueryError, match="belongs to"):
        ORDERS.decode_cursor(ORDERS.ordering("total", True), cursor)
    assert ORDERS.decode_cursor(ordering, ORDERS.start_cursor(ordering)) is None


def test_get_by_takes_exactly_one_unique_group() -> None:
    assert ORDERS.unique_key({"sku": "A-1"}) == {"sku": "A-1"}
    assert ORDERS.unique_key({"number": 4, "customer_id": str(CUSTOMER_ID)}) == {
        "customer_id": CUSTOMER_ID,
        "number": 4,
    }
    with pytest.raises(InvalidQueryError, match=r"sku or \(customer_id, number\)"):
        ORDERS.unique_key({"number": 4})
    with pytest.raises(InvalidQueryError, match="null is never unique"):
        CUSTOMERS.unique_key({"nickname": None})
