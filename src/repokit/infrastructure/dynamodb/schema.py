"""``store.migrate()``: the table and its GSIs, created idempotently, waited for.

The GSIs are the two of repokit's own items and the pool of declared entities
(:data:`.entity_layout.POOL`), all listed in :data:`.queries.INDEXES`; a table
made before the pool existed gets the missing ones, one at a time.

On-demand billing (``PAY_PER_REQUEST``), so there is no capacity to size. No
item expires, so TTL is not enabled. An existing table is checked for the
key schema and indexes this adapter needs, and a missing GSI is added.
"""

from __future__ import annotations

import time
from typing import Any

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.dynamodb.client import DynamoClient, pause
from repokit.infrastructure.dynamodb.errors import error_code
from repokit.infrastructure.dynamodb.queries import INDEXES

WAIT_S = 300.0
"""How long ``migrate`` waits for the table and its indexes to become ACTIVE."""


def _index(name: str) -> dict[str, Any]:
    pk, sk = INDEXES[name]
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": pk, "KeyType": "HASH"},
            {"AttributeName": sk, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def table_definition(table: str) -> dict[str, Any]:
    """The ``CreateTable`` request of the repokit table."""
    names = [name for pair in INDEXES.values() for name in pair]
    return {
        "TableName": table,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in names],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [_index(name) for name in INDEXES if name is not None],
        "BillingMode": "PAY_PER_REQUEST",
    }


async def describe(client: DynamoClient) -> dict[str, Any] | None:
    """The table's description, or None when it does not exist."""
    try:
        response = await client.call("describe_table", TableName=client.table)
    except ConfigurationError as exc:
        if error_code(exc.__cause__ or exc) == "ResourceNotFoundException":
            return None
        raise
    table: dict[str, Any] = response["Table"]
    return table


async def migrate(client: DynamoClient) -> None:
    """Create the table and its GSIs if missing, then wait until all are ACTIVE."""
    table = await describe(client)
    if table is None:
        try:
            await client.call("create_table", **table_definition(client.table))
        except ConfigurationError:
            raise
        except Exception as exc:  # created meanwhile by another process: fine
            if error_code(exc.__cause__ or exc) != "ResourceInUseException":
                raise
    else:
        keys = [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]]
        if keys != [("PK", "HASH"), ("SK", "RANGE")]:
            raise ConfigurationError(
                f"table {client.table} exists with another key schema; "
                "use a table of its own for repokit (?table=NAME)"
            )
        present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
        missing = [name for name in INDEXES if name is not None and name not in present]
        if not missing and _active(table):
            return  # the common case: nothing to create and nothing to wait for
        for name in missing:
            pk, sk = INDEXES[name]
            await client.call(
                "update_table",
                TableName=client.table,
                AttributeDefinitions=[
                    {"AttributeName": pk, "AttributeType": "S"},
                    {"AttributeName": sk, "AttributeType": "S"},
                ],
                GlobalSecondaryIndexUpdates=[{"Create": _index(name)}],
            )
            await wait_active(client)
    await wait_active(client)


def _active(table: dict[str, Any] | None) -> bool:
    return (
        table is not None
        and table.get("TableStatus") == "ACTIVE"
        and all(
            index.get("IndexStatus", "ACTIVE") == "ACTIVE"
            for index in table.get("GlobalSecondaryIndexes", [])
        )
    )


async def wait_active(client: DynamoClient) -> None:
    """Poll until the table and every GSI are ACTIVE (``ConfigurationError`` after WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    delay = 0.05
    while True:
        table = await describe(client)
        if _active(table):
            return
        if time.monotonic() > deadline:
            raise ConfigurationError(f"table {client.table} did not become ACTIVE in {WAIT_S}s")
        await pause(delay)
        delay = min(delay * 2, 2.0)
