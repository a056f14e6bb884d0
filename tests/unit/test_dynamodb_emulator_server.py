"""The test emulator's faster response serialization sends exactly moto's bytes."""

from __future__ import annotations

import random
from typing import Any

import pytest

pytest.importorskip("moto")

from moto.core.serialize import XFormedAttributePicker, get_serializer_class
from moto.core.utils import get_service_model

from repokit.infrastructure.dynamodb.emulator_server import (
    all_items_by_values,
    dict_first_picker,
    fast_attribute_values,
    plain_results,
    sorted_items_by_values,
)

ITEM = {
    "PK": {"S": "E#orders"},
    "SK": {"S": "0192"},
    "v": {"N": "3"},
    "d": {"B": b"\x00\x01body"},
    "tags": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2.5"]},
    "gone": {"BOOL": True},
    "none": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {}}]}}},
}
RESPONSES: dict[str, dict[str, Any]] = {
    "Query": {
        "Items": [ITEM, {"PK": {"S": "p"}, "SK": {"S": "s"}}],
        "Count": 2,
        "ScannedCount": 5,
        "LastEvaluatedKey": {"PK": {"S": "p"}, "SK": {"S": "s"}},
    },
    "GetItem": {"Item": ITEM},
    "BatchGetItem": {
        "Responses": {"t": [ITEM, {"PK": {"S": "q"}, "big": {"BS": [b"a", b"bc"]}}]},
        "UnprocessedKeys": {},
    },
    "TransactGetItems": {"Responses": [{"Item": ITEM}, {}]},
    "UpdateItem": {"Attributes": {**ITEM, "odd": {"S": "x", "N": "1"}, "skip": {"S": None}}},
    "BatchWriteItem": {"UnprocessedItems": {}},
}


@pytest.mark.parametrize("operation", sorted(RESPONSES))
def test_the_dict_first_picker_serializes_exactly_like_moto(operation: str) -> None:
    model = get_service_model("dynamodb").operation_model(operation)
    serializer = get_serializer_class("dynamodb", "json")
    bodies = []
    for picker in (XFormedAttributePicker(), dict_first_picker()()):
        made = serializer(operation_model=model, pretty_print=False, value_picker=picker)
        bodies.append(made.serialize(RESPONSES[operation])["body"])
    assert bodies[0] == bodies[1]


@pytest.mark.parametrize("operation", sorted(RESPONSES))
def test_attribute_values_written_directly_are_moto_bytes(operation: str) -> None:
    model = get_service_model("dynamodb").operation_model(operation)
    serializer = get_serializer_class("dynamodb", "json")

    class Fast(serializer):  # type: ignore[misc,valid-type]
        _serialize_type_structure = fast_attribute_values(serializer._serialize_type_structure)

    bodies = [
        made(operation_model=model, pretty_print=False, value_picker=XFormedAttributePicker())
        .serialize(RESPONSES[operation])["body"]
        for made in (serializer, Fast)
    ]
    assert bodies[0] == bodies[1]


def _table(table_class: type) -> Any:
    table = table_class(
        "t",
        account_id="123456789012",
        region="us-east-1",
        schema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        attr=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "G", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        global_indexes=[
            {
                "IndexName": "g",
                "KeySchema": [
                    {"AttributeName": "G", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    rng = random.Random(7)
    for i in range(300):
        table.put_item(
            {
                "PK": {"S": rng.choice(["a", "b", "é", "B", "a#1"])},
                "SK": {"S": f"{rng.randrange(50):x}{rng.choice(['', '~', 'Z'])}"},
                "G": {"S": rng.choice(["x", "y"])},
                "n": {"N": rng.choice(["1", "1.0", "-2", "10", "2.50", str(i)])},
            }
        )
    return table


def test_sorting_by_key_values_gives_moto_s_orders() -> None:
    from moto.dynamodb.models.table import Table

    table = _table(Table)

    def keys(items: list[Any]) -> list[Any]:
        return [(i.hash_key.value, i.range_key.value, i.attrs["n"].value) for i in items]

    assert keys(all_items_by_values(table)) == keys(table.all_items())
    for attrs in ((["G", "PK"], ["n", "SK"]), (["PK"], ["SK"])):
        ours = sorted_items_by_values(table, *attrs, all_items_by_values(table))
        assert keys(ours) == keys(table.sorted_items(*attrs, table.all_items()))


def test_plain_results_are_moto_s_dicts() -> None:
    import base64
    from datetime import UTC, datetime
    from decimal import Decimal

    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.utilities import dynamo_to_dict

    wire = {**ITEM, "d": {"B": base64.b64encode(b"\x00\x01body").decode()}}
    wire["bs"] = {"BS": [base64.b64encode(b"a").decode()]}
    attrs = {name: DynamoType(value) for name, value in wire.items()}
    item = Item(DynamoType({"S": "E#orders"}), DynamoType({"S": "0192"}), wire)
    result = {
        "Items": [attrs, dict(attrs)],
        "Count": 2,
        "Item": item,
        "Table": {"CreationDateTime": datetime(2026, 1, 2, tzinfo=UTC), "Size": Decimal("1.5")},
        "Raw": [b"bytes", None, True, 1.5, ["x", {"y": 1}]],
    }
    assert plain_results(dynamo_to_dict)(result) == dynamo_to_dict(result)
