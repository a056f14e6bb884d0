"""The Redis cache for declared entities beside raw redis-py, in one run.

Run: ``python -m benchmarks.entities_cache_bench [--url redis://...] [--quick]``
(``repokit bench entities`` runs it among the backends' entity benchmarks). With
no ``--url`` it uses the Redis on 127.0.0.1:6379, or starts a throwaway
``redis-server`` when none answers; the backend is the in-memory store (every
cached read is a hit, so the backend never answers one).

The entity is the example ``Order`` (a decimal, datetimes, an enum, a Literal,
a list and a dict, a unique ``sku``). Contenders, in each form (async:
``redis.asyncio``; sync: ``redis``), rounds interleaved so a noisy moment hits
all alike; times are medians per call over the rounds, ratios medians of each
round's own ratio (both sides timed back to back), as in ``cache_bench``:

* raw redis-py: ``GET`` of the very bytes the cache stores for the order —
  the floor of ``get_by_id``;
* raw redis-py, two ``GET``\\ s in a row: the sku's entry, then the order's —
  the floor of ``get_by`` (its value names the id; the order is its id's entry);
* repokit's cached ``get_by_id`` (hit; aim ≤ 1.3x one raw ``GET``, as the built-ins);
* repokit's cached ``get_by(sku=...)`` (hit; compared with the two ``GET``\\ s);
* for comparison, in the same rounds: a built-in, ``documents.get_by_id`` (hit),
  beside a raw ``GET`` of its own bytes, as ``cache_bench`` measures it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import repokit
from benchmarks.cache_bench import paired_ratio, redis_for, timed, timed_sync
from repokit.domain.entities import Document
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.infrastructure.cache.entity_keys import EntityKeys
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.infrastructure.cache.store import CachedStore
from repokit.infrastructure.cache.sync.store import CachedStore as SyncCachedStore
from repokit.infrastructure.config import Settings
from repokit.testing.examples import Customer, Order

AIM = 1.3


@dataclass
class BenchOptions:
    """What to measure: ``url`` of a scratch Redis (None: local), sizes."""

    url: str | None = None
    quick: bool = False
    entities: int = 1000
    lookups: int = 500
    rounds: int = 31

    def __post_init__(self) -> None:
        if self.quick:
            self.entities, self.lookups, self.rounds = 100, 300, 3


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Measure and print the table (see the module docstring)."""
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    # A generous Redis timeout: on a loaded machine the default 0.1 s would open the
    # breaker now and then and turn hits into misses (what the fail-open client
    # settings cost by themselves is cache_bench's second row).
    settings = Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=16,
        cache_namespace=namespace,
        cache_timeout_s=2.0,
    )
    with redis_for(options.url) as redis_url:
        store = await repokit.connect("memory://", cache_url=redis_url, settings=settings)
        assert isinstance(store, CachedStore)
        sync_store = repokit.connect_sync("memory://", cache_url=redis_url, settings=settings)
        assert isinstance(sync_store, SyncCachedStore)
        raw, sync_raw = Redis.from_url(redis_url), SyncRedis.from_url(redis_url)
        try:
            await store.migrate()
            sync_store.migrate()
            samples = await _measure(
                (store, sync_store), (raw, sync_raw), options, CacheKeys(namespace), console
            )
        finally:
            await raw.aclose()
            sync_raw.close()
            await store.close()
            sync_store.close()
    _report(samples, console, redis_url)


def _orders(count: int) -> tuple[Customer, list[Order]]:
    placed = datetime(2024, 1, 1, tzinfo=UTC)
    customer = Customer(email="bench@example.com", name="Bench", signed_up=placed)
    orders = [
        Order(
            customer_id=customer.id,
            number=n,
            sku=f"SKU-{n:06d}",
            status="paid",
            total=Decimal(n) / 100,
            weight_kg=n / 10,
            placed_at=placed + timedelta(minutes=n),
            tags=["bench", f"t{n % 7}"],
            details={"n": n, "gift": n % 2 == 0},
        )
        for n in range(count)
    ]
    return customer, orders


def _documents(count: int) -> list[Document]:
    return [
        Document(title=f"doc {n}", content="lorem ipsum " * 20, metadata={"n": n})
        for n in range(count)
    ]


async def _measure(
    stores: tuple[CachedStore, SyncCachedStore],
    raws: tuple[Redis, SyncRedis],
    options: BenchOptions,
    keys: CacheKeys,
    console: Console,
) -> dict[str, list[float]]:
    store, sync_store = stores
    raw, sync_raw = raws
    rng = random.Random(3)
    order_keys = EntityKeys.of_spec(keys, spec_of(Order))
    unique = EntityQueries(spec_of(Order)).unique_key
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("seeding and warming the cache", total=options.rounds + 1)
        customer, orders = _orders(options.entities)
        # Each form has a memory backend of its own holding the same rows; the cache
        # (one namespace) is shared, so both forms read the entries filled here.
        await store.repository(Customer).save(customer)
        await store.repository(Order).save_many(orders)
        sync_store.repository(Customer).save(customer)
        sync_store.repository(Order).save_many(orders)
        async_orders, sync_orders = store.repository(Order), sync_store.repository(Order)
        for order in orders:  # fills both entries of each order (both forms read them)
            await async_orders.get_by(sku=order.sku)
        documents = _documents(options.entities)
        await store.documents.save_many(documents)
        sync_store.documents.save_many(documents)
        for document in documents:
            await store.documents.get_by_id(document.id)
        picked = [rng.choice(orders) for _ in range(options.lookups)]
        ids, skus = [o.id for o in picked], [o.sku for o in picked]
        entity_keys = [order_keys.by_id(o.id).value for o in picked]
        document_ids = [rng.choice(documents).id for _ in range(options.lookups)]
        document_keys = [keys.document(document_id).value for document_id in document_ids]
        pairs = [
            (order_keys.by_unique(unique({"sku": o.sku})).value, order_keys.by_id(o.id).value)
            for o in picked
        ]

        async def raw_pair(pair: tuple[str, str]) -> None:
            await raw.get(pair[0])
            await raw.get(pair[1])

        def sync_raw_pair(pair: tuple[str, str]) -> None:
            sync_raw.get(pair[0])
            sync_raw.get(pair[1])

        async def get_by(sku: str) -> object:
            return await async_orders.get_by(sku=sku)

        def sync_get_by(sku: str) -> object:
            return sync_orders.get_by(sku=sku)

        progress.update(task, advance=1, description="timing, rounds interleaved")
        samples: dict[str, list[float]] = {}
        for _ in range(options.rounds):
            for name, seconds in (
                ("async raw", await timed(raw.get, entity_keys)),
                ("async raw pair", await timed(raw_pair, pairs)),
                ("async get_by_id", await timed(async_orders.get_by_id, ids)),
                ("async get_by", await timed(get_by, skus)),
                ("sync raw", timed_sync(sync_raw.get, entity_keys)),
                ("sync raw pair", timed_sync(sync_raw_pair, pairs)),
                ("sync get_by_id", timed_sync(sync_orders.get_by_id, ids)),
                ("sync get_by", timed_sync(sync_get_by, skus)),
                ("async raw doc", await timed(raw.get, document_keys)),
                ("async documents", await timed(store.documents.get_by_id, document_ids)),
                ("sync raw doc", timed_sync(sync_raw.get, document_keys)),
                ("sync documents", timed_sync(sync_store.documents.get_by_id, document_ids)),
            ):
                samples.setdefault(name, []).append(seconds)
            progress.advance(task)
    # Warming up misses three times per entity (an order's two entries, a document's one).
    misses = sum(cached.cache_stats().misses for cached in stores)
    if misses > 3 * options.entities:
        console.print(f"[yellow]warning: {misses} misses; the cached side was not all hits")
    return samples


def _report(samples: dict[str, list[float]], console: Console, redis_url: str) -> None:
    median = {name: statistics.median(values) for name, values in samples.items()}
    table = Table(title="Redis cache: a declared entity's point reads (median per call)")
    for header in ("form", "contender", "µs per call", "ratio", "aim"):
        table.add_column(header, justify="left" if header in ("form", "contender") else "right")
    for form in ("async", "sync"):

        def ratio(name: str, floor: str, form: str = form) -> float:
            return paired_ratio(samples[f"{form} {name}"], samples[f"{form} {floor}"])

        by_id = ratio("get_by_id", "raw")
        table.add_row(form, "raw redis-py GET of the same bytes", _us(median, form, "raw"), "")
        table.add_row(
            form,
            "raw redis-py, two GETs (values' entry, then the entity's)",
            _us(median, form, "raw pair"),
            f"{ratio('raw pair', 'raw'):.2f}x raw",
        )
        table.add_row(
            form,
            "repokit cached get_by_id (hit)",
            _us(median, form, "get_by_id"),
            f"{by_id:.2f}x raw",
            f"≤ {AIM}x {'✓' if by_id <= AIM else '✗'}",
        )
        table.add_row(
            form,
            "repokit cached get_by(sku=...) (hit)",
            _us(median, form, "get_by"),
            f"{ratio('get_by', 'raw'):.2f}x raw, {ratio('get_by', 'raw pair'):.2f}x two GETs",
            "",
        )
        table.add_row(
            form,
            "  built-in, for comparison: cached documents.get_by_id (hit)",
            _us(median, form, "documents"),
            f"{ratio('documents', 'raw doc'):.2f}x its raw GET",
            "",
        )
    console.print(table)
    console.print(f"Redis {redis_url.rsplit('@', 1)[-1]}; the entity: the example Order")


def _us(median: dict[str, float], form: str, name: str) -> str:
    return f"{median[f'{form} {name}'] * 1e6:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=None, help="a scratch Redis URL")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args()
    asyncio.run(run_benchmark(BenchOptions(url=args.url, quick=args.quick), Console()))


if __name__ == "__main__":
    main()
