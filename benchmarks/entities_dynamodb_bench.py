"""Declared entities on DynamoDB beside raw aioboto3 / boto3 doing the same work, same endpoint.

Run: ``repokit bench entities --backend dynamodb [--url dynamodb://host:port?table=..] [--quick]``.
Without ``--url`` it starts a private moto_server on a free port (stopped at the
end); with one, give it a scratch table (it is created if needed and written to).
The entity is the example ``Order`` (a reference, a unique SKU, a compound unique
``(customer_id, number)``, a compound index, a decimal, a datetime, an enum, a
Literal, a list and a dict). In both forms it times

* ``get_by_id`` and ``get_by(sku=...)`` (latency) against a raw consistent
  ``GetItem`` of the same entity item whose JSON body is turned into the ``Order``
  by hand (the same work; the raw side knows the key, repokit's ``get_by`` reads
  the SKU's guard item, which holds a copy of the body);
* ``save_many`` of new orders (rate) against raw ``TransactWriteItems`` of the
  same items (the entity item as repokit encodes it, so both sides pay for the
  JSON): each order's item and its two guard items under
  ``attribute_not_exists``, and one ``ConditionCheck`` of the customer, 100
  actions a request, as repokit must to keep SKUs unique and references valid
  (a ``BatchWriteItem`` could do neither);

each read and each batch timed beside its raw twin (which goes first
alternating), in rounds; it prints the median of the per-round ratios against
the aims: at most 1.25x raw latency, at least 0.8x raw rate.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import aioboto3  # type: ignore[import-untyped]
import boto3  # type: ignore[import-untyped]
from rich.console import Console
from rich.progress import Progress

from benchmarks import document_rounds
from benchmarks.entity_rounds import (
    Ratios,
    Sizes,
    Workload,
    paired,
    paired_async,
    print_report,
    sample_orders,
)
from repokit.infrastructure.config import Settings
from repokit.infrastructure.dynamodb.client_options import client_config, session_options
from repokit.infrastructure.dynamodb.emulator import MotoServer
from repokit.infrastructure.dynamodb.entity_items import items_of
from repokit.infrastructure.dynamodb.items import key_attrs
from repokit.infrastructure.dynamodb.store import open_dynamodb_store
from repokit.infrastructure.dynamodb.sync.store import (
    open_dynamodb_store as open_sync_dynamodb_store,
)
from repokit.infrastructure.dynamodb.url import parse_dynamodb_url
from repokit.testing.examples import Customer, Order

__all__ = ["BenchOptions", "run_benchmark"]

BATCHES = 2
"""``save_many`` batches a side inserts each round (paired with the other side's)."""
TRANSACTION = 100
T = TypeVar("T")


@dataclass
class BenchOptions:
    """``url``: a DynamoDB endpoint (None: a private moto_server); ``quick``: a smoke run."""

    url: str | None = None
    quick: bool = False


def sizes(quick: bool) -> Sizes:
    """The sizes of a quick (smoke) or a full run."""
    return Sizes(50, 50, 30, 2) if quick else Sizes(300, 300, 100, 5)


def raw_key(order: Order) -> dict[str, Any]:
    """The entity item's key, written by hand."""
    return {"PK": {"S": "E#example_orders"}, "SK": {"S": str(order.id)}}


def raw_order(item: dict[str, Any]) -> Order:
    """What a hand-written raw reader does: the stored JSON body into an ``Order``."""
    return Order.model_validate_json(item["d"]["S"])


def raw_actions(table: str, batch: Sequence[Order]) -> list[list[dict[str, Any]]]:
    """The transactions a hand-written writer sends for ``batch`` (see the module docs):
    the same items repokit writes, hand-built, 100 actions a request."""
    items = items_of(Order)
    actions: list[dict[str, Any]] = []
    customers: set[UUID] = set()
    absent = {
        "ConditionExpression": "attribute_not_exists(#pk)",
        "ExpressionAttributeNames": {"#pk": "PK"},
    }
    for order in batch:
        stored = order.model_copy(update={"version": 1})
        item, _ = items.encode(stored)
        actions.append({"Put": {"TableName": table, "Item": {**item, **raw_key(order)}, **absent}})
        guard = {"owner": {"S": str(order.id)}, "v": item["v"], "d": item["d"]}
        for key in (
            f"EU#example_orders#sku#{json.dumps([order.sku])}",
            f"EU#example_orders#customer_id+number#"
            f"{json.dumps([str(order.customer_id), order.number])}",
        ):
            actions.append(
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**guard, **key_attrs((key, "EU"))},
                        **absent,
                    }
                }
            )
        customers.add(order.customer_id)
    for customer in customers:
        actions.append(
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key_attrs(("E#example_customers", str(customer))),
                    "ConditionExpression": "attribute_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": "PK"},
                }
            }
        )
    return [actions[i : i + TRANSACTION] for i in range(0, len(actions), TRANSACTION)]


async def async_round(store: Any, raw: Any, table: str, work: Workload, ratios: Ratios) -> None:
    """One round of the async measures."""
    orders = store.repository(Order)

    async def raw_get(order: Order) -> Order:
        response = await raw.get_item(TableName=table, Key=raw_key(order), ConsistentRead=True)
        return raw_order(response["Item"])

    async def raw_write(batch: list[Order]) -> None:
        for actions in raw_actions(table, batch):
            await raw.transact_write_items(TransactItems=actions)

    by_id = await paired_async(raw_get, lambda o: orders.get_by_id(o.id), work.reads)
    ratios.add("async", "get_by_id", *by_id)
    by_sku = await paired_async(raw_get, lambda o: orders.get_by(sku=o.sku), work.reads)
    ratios.add("async", "get_by", *by_sku)
    raw_batches, batches = work.new_batches(), work.new_batches()
    ratios.add(
        "async",
        "save_many",
        *await paired_async(
            lambda n: raw_write(raw_batches[n]),
            lambda n: orders.save_many(batches[n]),
            range(BATCHES),
        ),
    )


def sync_round(store: Any, raw: Any, table: str, work: Workload, ratios: Ratios) -> None:
    """One round of the sync measures."""
    orders = store.repository(Order)

    def raw_get(order: Order) -> Order:
        response = raw.get_item(TableName=table, Key=raw_key(order), ConsistentRead=True)
        return raw_order(response["Item"])

    def raw_write(batch: list[Order]) -> None:
        for actions in raw_actions(table, batch):
            raw.transact_write_items(TransactItems=actions)

    ratios.add("sync", "get_by_id", *paired(raw_get, lambda o: orders.get_by_id(o.id), work.reads))
    ratios.add("sync", "get_by", *paired(raw_get, lambda o: orders.get_by(sku=o.sku), work.reads))
    raw_batches, batches = work.new_batches(), work.new_batches()
    ratios.add(
        "sync",
        "save_many",
        *paired(
            lambda n: raw_write(raw_batches[n]),
            lambda n: orders.save_many(batches[n]),
            range(BATCHES),
        ),
    )


async def measure(url: str, size: Sizes, ratios: Ratios, progress: Progress) -> None:
    settings = Settings(embedding_dim=8)
    target = parse_dynamodb_url(url)
    store = await open_dynamodb_store(url, settings)
    sync_store = open_sync_dynamodb_store(url, settings)
    session = aioboto3.Session(**session_options(target))
    options = {"endpoint_url": target.endpoint_url, "config": client_config(target, settings)}
    raw_sync = boto3.Session(**session_options(target)).client("dynamodb", **options)
    try:
        async with session.client("dynamodb", **options) as raw_async:
            task = progress.add_task("seeding", total=1 + 2 * size.rounds)
            await store.migrate()
            customers = await store.repository(Customer).save_many(
                [
                    Customer(email=f"c{n}@example.com", name=f"c{n}", signed_up=datetime.now(UTC))
                    for n in range(10)
                ]
            )
            ids = [c.id for c in customers]
            stored: list[Order] = []
            for start in range(0, size.orders, 30):
                count = min(30, size.orders - start)
                stored += await store.repository(Order).save_many(sample_orders(count, ids, start))
            work = Workload(
                [stored[n % len(stored)] for n in range(size.reads)],
                ids,
                size.batch,
                size.orders,
                BATCHES,
            )
            table = target.table
            await raw_async.get_item(TableName=table, Key=raw_key(stored[0]))  # connect first
            raw_sync.get_item(TableName=table, Key=raw_key(stored[0]))
            progress.advance(task)
            await document_rounds.alternate_rounds(
                progress,
                task,
                size.rounds,
                lambda: async_round(store, raw_async, table, work, ratios),
                lambda: asyncio.to_thread(sync_round, sync_store, raw_sync, table, work, ratios),
            )
    finally:
        await store.close()
        sync_store.close()
        raw_sync.close()


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Time the entity repository beside raw aioboto3/boto3 and print the table."""
    size = sizes(options.quick)
    ratios = Ratios()
    server = None
    url = options.url
    if url is None:
        server = MotoServer().start()
        url = server.url("entities_bench")
    try:
        with Progress(console=console, transient=True) as progress:
            await measure(url, size, ratios, progress)
        where = "moto_server" if server else parse_dynamodb_url(url).redacted
        print_report(
            ratios,
            size,
            BATCHES,
            f"Declared entities on DynamoDB: repokit vs raw aioboto3/boto3 ({where})",
            "raw boto3",
            console,
        )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    asyncio.run(run_benchmark(BenchOptions(quick=True), Console(width=160)))
