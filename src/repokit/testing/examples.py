"""Example declared entities: what repokit's own runs of ``EntityContract`` check.

Three entities that together use every supported field type (text, 64-bit
integers, floats, booleans, decimals, UUIDs, datetimes, dates, a string enum, an
int enum, a Literal, optional fields, lists, dicts of JSON and nested models),
an optional unique field, a compound unique constraint, a compound index, and
references that cascade (an order goes with its customer) and restrict (an
order that was shipped cannot be deleted). Also a model to copy.

Importing this module declares them; ``store.migrate()`` then stores them too.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, JsonValue

from repokit.domain.entity import Entity
from repokit.domain.markers import Immutable, Indexed, Ref, Unique


class Tier(enum.StrEnum):
    """A customer's tier (an enum stored by its string value)."""

    BASIC = "basic"
    SILVER = "silver"
    GOLD = "gold"


class Priority(enum.IntEnum):
    """An order's priority (an enum stored by its integer value)."""

    LOW = 1
    NORMAL = 2
    HIGH = 3


class Address(BaseModel):
    """A nested model: stored as JSON, filtered by dotted paths (``address.city``)."""

    street: str
    city: str
    zip: str | None = None
    lines: list[str] = []


class Parcel(BaseModel):
    """One parcel of a shipment (a list of nested models)."""

    label: str
    grams: int
    fragile: bool = False


class Customer(Entity, collection="example_customers"):
    """A customer: a unique email, an optional unique nickname, a nested address."""

    email: Annotated[str, Unique()]
    name: str
    nickname: Annotated[str | None, Unique()] = None
    tier: Tier = Tier.BASIC
    vip: bool = False
    signed_up: Annotated[datetime, Immutable(), Indexed()]
    birthday: date | None = None
    address: Address | None = None


class Order(
    Entity,
    collection="example_orders",
    unique=[("customer_id", "number")],
    indexes=[("status", "placed_at")],
):
    """An order: deleted with its customer; unique by SKU and by (customer, number)."""

    customer_id: Annotated[UUID, Ref(Customer, on_delete="cascade")]
    number: int
    sku: Annotated[str, Unique()]
    status: Literal["open", "paid", "shipped"] = "open"
    total: Decimal
    weight_kg: float
    placed_at: datetime
    priority: Priority = Priority.NORMAL
    coupon: UUID | None = None
    tags: list[str] = []
    details: dict[str, JsonValue] = {}


class Shipment(Entity, collection="example_shipments"):
    """A shipment: its order cannot be deleted while it exists; it goes with the customer
    it was returned to, if any."""

    order_id: Annotated[UUID, Ref(Order, on_delete="restrict")]
    returned_to: Annotated[UUID | None, Ref(Customer, on_delete="cascade")] = None
    tracking: Annotated[str | None, Unique()] = None
    shipped_on: date
    delivered: bool = False
    parcels: list[Parcel] = []


EXAMPLE_ENTITIES: tuple[type[Entity], ...] = (Customer, Order, Shipment)
"""The example entities, targets before the entities that refer to them."""


__all__ = [
    "EXAMPLE_ENTITIES",
    "Address",
    "Customer",
    "Order",
    "Parcel",
    "Priority",
    "Shipment",
    "Tier",
]
