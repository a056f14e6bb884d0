"""Declaring entities: what the spec holds, and every declaration refused at class definition."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, JsonValue, ValidationError

from repokit import DeclarationError, Entity, Immutable, Indexed, Ref, Unique
from repokit.domain.entity import declared_entities, forget_entity
from repokit.domain.entity_spec import FieldKind, JsonShape, spec_of
from repokit.testing.examples import Customer, Order, Shipment


@pytest.fixture
def throwaway() -> Iterator[list[type[Entity]]]:
    """Classes a test declares; forgotten afterwards so no store migrates them."""
    made: list[type[Entity]] = []
    yield made
    for model in made:
        forget_entity(model)


def test_the_spec_holds_each_fields_kind_and_markers() -> None:
    spec = spec_of(Order)
    kinds = {f.name: f.kind for f in spec.fields}
    assert kinds["total"] is FieldKind.DECIMAL
    assert kinds["placed_at"] is FieldKind.DATETIME
    assert kinds["status"] is FieldKind.LITERAL
    assert kinds["priority"] is FieldKind.ENUM
    assert spec.field("tags").shape is JsonShape.LIST
    assert spec.field("details").shape is JsonShape.DICT
    assert spec.field("coupon").nullable
    assert spec.unique == (("sku",), ("customer_id", "number"))
    assert spec.indexes == (("customer_id",), ("status", "placed_at"))
    (ref,) = spec.refs
    assert (ref.field, ref.target, ref.on_delete) == ("customer_id", Customer, "cascade")


def test_id_and_version_come_from_entity() -> None:
    customer = Customer(email="a@example.com", name="A", signed_up=datetime(2024, 1, 1))
    assert isinstance(customer.id, UUID)
    assert customer.version == 0
    assert [f.name for f in spec_of(Customer).fields][:2] == ["id", "version"]


def test_nested_models_keep_their_model_for_paths() -> None:
    field = spec_of(Customer).field("address")
    assert field.shape is JsonShape.MODEL
    assert field.nullable


def test_immutable_fields_are_listed() -> None:
    assert spec_of(Customer).immutable == ("signed_up",)


def test_declared_entities_lists_storable_classes() -> None:
    assert {Customer, Order, Shipment} <= set(declared_entities())


def test_a_class_without_collection_is_an_abstract_base(throwaway: list[type[Entity]]) -> None:
    class Tenanted(Entity):
        tenant_id: UUID

    class Invoice(Tenanted, collection="unit_invoices", unique=[("tenant_id", "number")]):
        number: int

    throwaway.append(Invoice)
    assert spec_of(Tenanted).collection is None
    assert Tenanted not in declared_entities()
    assert spec_of(Invoice).unique == (("tenant_id", "number"),)
    with pytest.raises(DeclarationError, match="declares no collection"):
        spec_of(Tenanted).table()


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (set[int], "set\\[int\\] cannot be stored exactly"),
        (bytes, "bytes cannot be stored exactly"),
        (int | str, "a union of several types"),
        (list[Decimal], "Decimal inside a list"),
        (dict[int, str], "dict keys must be str"),
        (Literal["a", 1], "all strings or all integers"),
        (Any, "cannot be stored exactly"),
        (timedelta, "timedelta cannot be stored exactly"),
    ],
)
def test_an_unsupported_type_fails_at_definition_naming_the_field(
    annotation: Any, message: str
) -> None:
    with pytest.raises(DeclarationError, match=rf"Bad\.field: .*{message}|Bad\.field.*{message}"):
        type("Bad", (Entity,), {"__annotations__": {"field": annotation}}, collection="unit_bad")


def test_a_unique_list_field_fails_at_definition() -> None:
    with pytest.raises(DeclarationError, match=r"Bad\.tags: a list, dict or nested-model field"):

        class Bad(Entity, collection="unit_bad_unique"):
            tags: Annotated[list[str], Unique()]


def test_a_ref_to_a_non_entity_fails_at_definition() -> None:
    class Plain(BaseModel):
        x: int

    with pytest.raises(DeclarationError, match=r"Bad\.plain_id: Ref\('Plain'\) must name"):

        class Bad(Entity, collection="unit_bad_ref"):
            plain_id: Annotated[UUID, Ref(Plain)]


def test_a_ref_field_must_hold_a_uuid() -> None:
    with pytest.raises(DeclarationError, match=r"Bad\.customer: a Ref field holds an id"):

        class Bad(Entity, collection="unit_bad_ref_type"):
            customer: Annotated[str, Ref(Customer)]


def test_a_ref_with_an_unknown_rule_fails() -> None:
    with pytest.raises(DeclarationError, match="on_delete must be one of cascade, restrict"):

        class Bad(Entity, collection="unit_bad_rule"):
            customer_id: Annotated[UUID, Ref(Customer, on_delete="nullify")]  # type: ignore[arg-type]


def test_a_clashing_collection_name_fails() -> None:
    with pytest.raises(DeclarationError, match="'example_orders' is already declared by"):

        class Other(Entity, collection="example_orders"):
            x: int


def test_repokits_own_table_names_are_refused() -> None:
    with pytest.raises(DeclarationError, match="'documents' is one of repokit's own"):

        class Mine(Entity, collection="documents"):
            x: int


@pytest.mark.parametrize("name", ["Orders", "1orders", "orders-2", "", "a" * 49])
def test_a_collection_name_must_be_a_plain_identifier(name: str) -> None:
    with pytest.raises(DeclarationError, match="lower-case letters"):
        type("Bad", (Entity,), {"__annotations__": {"x": int}}, collection=name)


def test_a_compound_unique_naming_an_unknown_field_fails() -> None:
    with pytest.raises(DeclarationError, match="unique= names 'nope', which is no field"):

        class Bad(Entity, collection="unit_bad_group", unique=[("x", "nope")]):
            x: int


def test_a_compound_unique_with_an_optional_member_fails() -> None:
    with pytest.raises(DeclarationError, match="includes the optional field 'y'"):

        class Bad(Entity, collection="unit_bad_optional", unique=[("x", "y")]):
            x: int
            y: int | None = None


def test_a_single_field_group_is_marked_on_the_field_instead() -> None:
    with pytest.raises(DeclarationError, match="two or more field names"):

        class Bad(Entity, collection="unit_bad_single", indexes=[("x",)]):
            x: int


def test_more_indexes_than_the_pool_holds_fail() -> None:
    with pytest.raises(DeclarationError, match="at most 5 are allowed"):

        class Bad(Entity, collection="unit_bad_indexes"):
            a: Annotated[int, Indexed()]
            b: Annotated[int, Indexed()]
            c: Annotated[int, Indexed()]
            d: Annotated[int, Indexed()]
            e: Annotated[int, Indexed()]
            f: Annotated[int, Indexed()]


def test_a_nested_entity_is_refused() -> None:
    with pytest.raises(DeclarationError, match="cannot be nested; store its id"):

        class Bad(Entity, collection="unit_bad_nested"):
            customer: Customer


def test_the_same_class_declared_again_replaces_itself(throwaway: list[type[Entity]]) -> None:
    def declare() -> type[Entity]:
        class Gadget(Entity, collection="unit_gadgets"):
            __qualname__ = "Gadget"
            name: str

        return Gadget

    first, second = declare(), declare()
    throwaway.append(second)
    assert first is not second
    assert second in declared_entities()
    assert first not in declared_entities()


class Color(enum.Enum):
    RED = "red"


def test_values_are_checked_as_every_backend_stores_them(throwaway: list[type[Entity]]) -> None:
    class Sample(Entity, collection="unit_values"):
        n: int = 0
        x: float = 0.0
        d: Decimal = Decimal(0)
        s: str = ""
        j: dict[str, JsonValue] = {}
        when: datetime = datetime(2024, 1, 1, tzinfo=UTC)
        day: date = date(2024, 1, 1)
        color: Color = Color.RED

    throwaway.append(Sample)
    bad: list[dict[str, Any]] = [
        {"n": 2**63},
        {"x": float("inf")},
        {"d": Decimal("NaN")},
        {"d": Decimal("1" * 35)},
        {"s": "nul\x00"},
        {"j": {"k": 2**64}},
        {"j": {"k": "nul\x00"}},
    ]
    for values in bad:
        with pytest.raises(ValidationError):
            Sample(**values)
    tz = timezone(timedelta(hours=2))
    stored = Sample(when=datetime(2024, 5, 6, 9, 8, 7, 654_321, tzinfo=tz))
    assert stored.when == datetime(2024, 5, 6, 7, 8, 7, 654_000, tzinfo=UTC)
    naive = Sample(when=datetime(2024, 5, 6, 7, 8, 7))
    assert naive.when.tzinfo is UTC


def test_immutable_marks_are_read_from_annotated_optional(
    throwaway: list[type[Entity]],
) -> None:
    class Stamped(Entity, collection="unit_stamped"):
        first_seen: Annotated[datetime | None, Immutable()] = None

    throwaway.append(Stamped)
    assert spec_of(Stamped).immutable == ("first_seen",)


def test_a_field_type_defined_later_in_the_module_resolves_on_first_use(
    throwaway: list[type[Entity]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module that declares the entity before the nested model one of its fields uses.
    (tmp_path / "late_parcels.py").write_text(
        "from __future__ import annotations\n"
        "from pydantic import BaseModel\n"
        "from repokit import Entity\n"
        "class Parcel(Entity, collection='unit_late_parcels'):\n"
        "    box: Box | None = None\n"
        "class Box(BaseModel):\n"
        "    size: int\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("late_parcels")
    throwaway.append(module.Parcel)
    parcel = module.Parcel(box=module.Box(size=2))
    assert spec_of(module.Parcel).field("box").shape is JsonShape.MODEL
    assert parcel.box.size == 2
