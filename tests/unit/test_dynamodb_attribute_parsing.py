"""The DynamoDB client's one-pass attribute value parsing gives botocore's own result."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.session
import pytest
from aiobotocore.parsers import AioResponseParserFactory
from botocore.parsers import ResponseParserFactory

from repokit.infrastructure.dynamodb.client_options import AttributeValueParsers

B64 = base64.b64encode(b"\x00\x01body").decode()
ITEM: dict[str, Any] = {
    "PK": {"S": "E#orders"},
    "v": {"N": "3"},
    "d": {"B": B64},
    "tags": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [B64, ""]},
    "yes": {"BOOL": True},
    "none": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {}}, None]}, "n": None}},
    "odd": {"S": "x", "N": "1"},
    "unknown": {"Z": "1"},
    "deep": {"M": {"a": {"Q": 1}}},
    "half": {"S": None, "N": "2"},
    "empty": {"L": []},
}
BODIES: dict[str, dict[str, Any]] = {
    "Query": {"Items": [ITEM, {"PK": {"S": "p"}}], "Count": 2, "LastEvaluatedKey": ITEM},
    "GetItem": {"Item": ITEM},
    "BatchGetItem": {"Responses": {"t": [ITEM]}, "UnprocessedKeys": {}},
    "TransactGetItems": {"Responses": [{"Item": ITEM}, {}]},
    "TransactWriteItems": {},
}


def parse(factory: Any, operation: str, body: dict[str, Any]) -> Any:
    model = botocore.session.get_session().get_service_model("dynamodb")
    shape = model.operation_model(operation).output_shape
    response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
    return factory.create_parser("json").parse(response, shape)


@pytest.mark.parametrize("operation", sorted(BODIES))
def test_one_pass_parsing_gives_botocore_s_result(operation: str) -> None:
    theirs = parse(ResponseParserFactory(), operation, BODIES[operation])
    ours = parse(AttributeValueParsers(ResponseParserFactory()), operation, BODIES[operation])

    assert ours == theirs
    if "Item" in theirs:
        assert ours["Item"]["d"] == {"B": b"\x00\x01body"}


async def test_the_async_parsers_too() -> None:
    body = BODIES["Query"]
    model = botocore.session.get_session().get_service_model("dynamodb")
    shape = model.operation_model("Query").output_shape
    results = []
    for factory in (AioResponseParserFactory(), AttributeValueParsers(AioResponseParserFactory())):
        response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
        results.append(await factory.create_parser("json").parse(response, shape))

    assert results[0] == results[1]
