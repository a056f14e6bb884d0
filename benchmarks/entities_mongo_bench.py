"""Declared entities on MongoDB beside raw PyMongo doing the same work on the same server.

Run: ``python -m benchmarks.entities_mongo_bench [--url mongodb://host/db] [--quick]``
(``repokit bench entities`` once wired). Without ``--url`` it starts the nx-27017
stand-in on a free port. The entity is the example ``Order`` (a reference, a unique
SKU, a decimal, a datetime, an enum, a Literal, an optional UUID, a list and a
dict), and in both forms it times

* ``get_by_id`` and ``get_by(sku=...)`` (latency) against a raw ``find_one`` by
  ``_id`` / ``sku`` whose document is turned into the ``Order`` by hand
  (``model_construct``, field by field), the same work;
* ``save_many`` of new orders (rate) against a raw ``insert_many(ordered=True)`` of
  the same documents, encoded by hand, into a collection with the same indexes,

each read and each batch timed beside its raw twin (which goes first
alternating, so a busy machine slows both sides alike), in rounds; it prints the
median of the per-round ratios against the aims: at most 1.25x raw latency, at
least 0.8x raw rate. Everything lives in one scratch database, dropped at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import pymongo
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
from benchmarks.mongo_bench import (
    BenchOptions,
    command_line,
    scratch_database,
)
from repokit.infrastructure.config import Settings
from repokit.infrastructure.mongo.codec import decode_json, decode_time
from repokit.infrastructure.mongo.decimals import encode_decimal
from repokit.infrastructure.mongo.store import client_options, open_mongo_store
from repokit.infrastructure.mongo.sync.store import open_mongo_store as open_sync_mongo_store
from repokit.testing.examples import Customer, Order, Priority

__all__ = ["BenchOptions", "run_benchmark"]

BATCHES = 4
"""``save_many`` batches a side inserts each round (paired with the other side's)."""
T = TypeVar("T")


def sizes(quick: bool) -> Sizes:
    """The sizes of a quick (smoke) or a full run."""
    return Sizes(200, 200, 200, 2) if quick else Sizes(1000, 1000, 1000, 5)


def raw_row(order: Order) -> dict[str, Any]:
    """What a hand-written raw PyMongo writer stores: the adapter's document."""
    return {
        "_id": str(order.id),
        "version": 1,
        "customer_id": str(order.customer_id),
        "number": order.number,
        "sku": order.sku,
        "status": order.status,
        "total": encode_decimal(order.total),
        "weight_kg": order.weight_kg,
        "placed_at": order.placed_at,
        "priority": order.priority.value,
        "coupon": None if order.coupon is None else str(order.coupon),
        "tags": list(order.tags),
        "details": dict(order.details),
    }


def raw_order(doc: dict[str, Any]) -> Order:
    """What a hand-written raw PyMongo reader does: the fields into an ``Order``."""
    return Order.model_construct(
        id=UUID(doc["_id"]),
        version=doc["version"],
        customer_id=UUID(doc["customer_id"]),
        number=doc["number"],
        sku=doc["sku"],
        status=doc["status"],
        total=Decimal(doc["total"]["text"]),
        weight_kg=doc["weight_kg"],
        placed_at=decode_time(doc["placed_at"]),
        priority=Priority(doc["priority"]),
        coupon=None if doc["coupon"] is None else UUID(doc["coupon"]),
        tags=decode_json(doc["tags"]),
        details=decode_json(doc["details"]),
    )


async def async_round(store: Any, raw: Any, scratch: Any, work: Workload, ratios: Ratios) -> None:
    """One round of the async measures."""
    orders = store.repository(Order)

    async def raw_by_id(order: Order) -> Order:
        return raw_order(await raw.find_one({"_id": str(order.id)}))

    async def raw_by_sku(order: Order) -> Order:
        return raw_order(await raw.find_one({"sku": order.sku}))

    ratios.add(
        "async",
        "get_by_id",
        *await paired_async(raw_by_id, lambda o: orders.get_by_id(o.id), work.reads),
    )
    ratios.add(
        "async",
        "get_by",
        *await paired_async(raw_by_sku, lambda o: orders.get_by(sku=o.sku), work.reads),
    )
    raw_batches, batches = work.new_batches(), work.new_batches()
    ratios.add(
        "async",
        "save_many",
        *await paired_async(
            lambda n: scratch.insert_many([raw_row(o) for o in raw_batches[n]]),
            lambda n: orders.save_many(batches[n]),
            range(BATCHES),
        ),
    )


def sync_round(store: Any, raw: Any, scratch: Any, work: Workload, ratios: Ratios) -> None:
    """One round of the sync measures."""
    orders = store.repository(Order)

    def raw_by_id(order: Order) -> Order:
        return raw_order(raw.find_one({"_id": str(order.id)}))

    def raw_by_sku(order: Order) -> Order:
        return raw_order(raw.find_one({"sku": order.sku}))

    ratios.add(
        "sync", "get_by_id", *paired(raw_by_id, lambda o: orders.get_by_id(o.id), work.reads)
    )
    ratios.add(
        "sync", "get_by", *paired(raw_by_sku, lambda o: orders.get_by(sku=o.sku), work.reads)
    )
    raw_batches, batches = work.new_batches(), work.new_batches()
    ratios.add(
        "sync",
        "save_many",
        *paired(
            lambda n: scratch.insert_many([raw_row(o) for o in raw_batches[n]]),
            lambda n: orders.save_many(batches[n]),
            range(BATCHES),
        ),
    )


async def measure(url: str, size: Sizes, ratios: Ratios, progress: Progress) -> None:
    settings = Settings(embedding_dim=8)
    store = await open_mongo_store(url, settings)
    sync_store = open_sync_mongo_store(url, settings)
    raw_async: pymongo.AsyncMongoClient[dict[str, Any]] = pymongo.AsyncMongoClient(
        url, **client_options(settings)
    )
    raw_sync: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        url, **client_options(settings)
    )
    try:
        task = progress.add_task("seeding", total=1 + 2 * size.rounds)
        await store.migrate()
        customers = await store.repository(Customer).save_many(
            [
                Customer(email=f"c{n}@example.com", name=f"c{n}", signed_up=datetime.now(UTC))
                for n in range(20)
            ]
        )
        ids = [c.id for c in customers]
        stored = await store.repository(Order).save_many(sample_orders(size.orders, ids, 0))
        work = Workload(
            [stored[n % len(stored)] for n in range(size.reads)],
            ids,
            size.batch,
            size.orders,
            BATCHES,
        )
        db, sync_db = raw_async.get_default_database(), raw_sync.get_default_database()
        # The raw sides insert into a scratch collection with the orders' indexes.
        for index in (await db["example_orders"].index_information()).values():
            if index["key"] != [("_id", 1)]:
                await db["raw_orders"].create_index(index["key"], unique=bool(index.get("unique")))
        await db["example_orders"].find_one({})  # connect before the clock starts
        sync_db["example_orders"].find_one({})
        progress.advance(task)
        await document_rounds.alternate_rounds(
            progress,
            task,
            size.rounds,
            lambda: async_round(store, db["example_orders"], db["raw_orders"], work, ratios),
            lambda: sync_round(
                sync_store, sync_db["example_orders"], sync_db["raw_orders"], work, ratios
            ),
        )
    finally:
        await store.close()
        sync_store.close()
        await raw_async.drop_database(raw_async.get_default_database().name)
        await raw_async.close()
        raw_sync.close()


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Time the entity repository beside raw PyMongo and print the table."""
    size = sizes(options.quick)
    ratios = Ratios()
    with (
        Progress(console=console, transient=True) as progress,
        scratch_database(options.url) as (url, where),
    ):
        await measure(url, size, ratios, progress)
    print_report(
        ratios,
        size,
        BATCHES,
        f"Declared entities on MongoDB: repokit vs raw PyMongo ({where})",
        "raw PyMongo",
        console,
    )


if __name__ == "__main__":
    command_line(run_benchmark, __doc__)
