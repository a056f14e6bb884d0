"""The Redis cache beside raw redis-py and beside uncached PostgreSQL, in one run.

Run: ``repokit bench cache [--url redis://...] [--quick]`` (or
``python -m benchmarks.cache_bench``). With no ``--url`` it uses the Redis on
127.0.0.1:6379, or starts a throwaway ``redis-server`` when none answers; the
database is a throwaway embedded PostgreSQL.

Four contenders read the same documents, in each form (async: ``redis.asyncio``
and asyncpg; sync: ``redis`` and psycopg 3), rounds interleaved so a noisy
moment hits all alike. Times are medians per call over the rounds; ratios are
medians of each round's own ratio (both sides timed back to back), which a
busy machine disturbs least:

* raw redis-py: ``GET`` of the very bytes the cache stores for each document,
  nothing decoded — the floor;
* the same ``GET`` on a client set up as the cache's own (0.1 s socket
  timeouts, no retries): what the fail-open settings cost by themselves;
* repokit's cached ``documents.get_by_id``, every call a hit (aim: ≤ 1.3x raw);
* repokit's uncached PostgreSQL ``documents.get_by_id`` (the speed-up the cache buys).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import repokit
from repokit.domain.entities import Document
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.infrastructure.cache.options import CacheOptions
from repokit.infrastructure.cache.redis_cache import connect_redis
from repokit.infrastructure.cache.store import CachedStore
from repokit.infrastructure.cache.sync.redis_cache import connect_redis as connect_sync_redis
from repokit.infrastructure.cache.sync.store import CachedStore as SyncCachedStore
from repokit.infrastructure.config import Settings
from repokit.infrastructure.embedded import embedded_postgres_url, stop_embedded_postgres

AIM = 1.3
T = TypeVar("T")


@dataclass
class BenchOptions:
    """What to measure: ``url`` of a scratch Redis (None: local), sizes."""

    url: str | None = None
    quick: bool = False
    documents: int = 1000
    lookups: int = 500
    rounds: int = 31

    def __post_init__(self) -> None:
        if self.quick:
            self.documents, self.lookups, self.rounds = 100, 300, 3


@contextmanager
def redis_for(url: str | None) -> Iterator[str]:
    """``url``, else the local Redis on 6379, else a throwaway redis-server."""
    if url is not None:
        yield url
        return
    with socket.socket() as probe:
        probe.settimeout(0.2)
        if probe.connect_ex(("127.0.0.1", 6379)) == 0:
            yield "redis://127.0.0.1:6379/0"
            return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("no Redis on 127.0.0.1:6379 and no redis-server to start: pass --url")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.kill()
        server.wait()


async def timed(call: Callable[[T], Awaitable[object]], items: Sequence[T]) -> float:
    """Seconds per call of ``call(item)`` over ``items``."""
    start = time.perf_counter()
    for item in items:
        await call(item)
    return (time.perf_counter() - start) / len(items)


def timed_sync(call: Callable[[T], object], items: Sequence[T]) -> float:
    """Seconds per call of ``call(item)`` over ``items``."""
    start = time.perf_counter()
    for item in items:
        call(item)
    return (time.perf_counter() - start) / len(items)


async def run_benchmark(options: BenchOptions, console: Console) -> None:
    """Measure and print the table (see the module docstring)."""
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=None, cache_url=None, embedding_dim=16, cache_namespace=namespace
    )
    with (
        tempfile.TemporaryDirectory(prefix="repokit-cache-bench-") as folder,
        redis_for(options.url) as redis_url,
    ):
        pg_folder = Path(folder) / "pg"
        pg_url = embedded_postgres_url(pg_folder)
        store = await repokit.connect(pg_url, cache_url=redis_url, settings=settings)
        assert isinstance(store, CachedStore)
        sync_store = repokit.connect_sync(pg_url, cache_url=redis_url, settings=settings)
        assert isinstance(sync_store, SyncCachedStore)
        raw, sync_raw = Redis.from_url(redis_url), SyncRedis.from_url(redis_url)
        cache_options = CacheOptions.from_settings(settings)
        tuned = connect_redis(redis_url, cache_options)
        sync_tuned = connect_sync_redis(redis_url, cache_options)
        try:
            await store.migrate()
            samples = await _measure(
                (store, sync_store),
                (raw, sync_raw, tuned, sync_tuned),
                options,
                CacheKeys(namespace),
                console,
            )
        finally:
            for client in (raw, tuned):
                await client.aclose()
            for sync_client in (sync_raw, sync_tuned):
                sync_client.close()
            await store.close()
            sync_store.close()
            stop_embedded_postgres(pg_folder)
    _report(samples, console, redis_url)


async def _measure(
    stores: tuple[CachedStore, SyncCachedStore],
    raws: tuple[Redis, SyncRedis, Redis, SyncRedis],
    options: BenchOptions,
    keys: CacheKeys,
    console: Console,
) -> dict[str, list[float]]:
    store, sync_store = stores
    raw, sync_raw, tuned, sync_tuned = raws
    rng = random.Random(3)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("seeding and warming the cache", total=options.rounds + 1)
        saved = await store.documents.save_many(
            [
                Document(title=f"doc {n}", content="lorem ipsum " * 20, metadata={"n": n})
                for n in range(options.documents)
            ]
        )
        for document in saved:
            await store.documents.get_by_id(document.id)  # fills the cache (both forms share it)
        ids = [rng.choice(saved).id for _ in range(options.lookups)]
        value_keys = [keys.document(document_id).value for document_id in ids]
        progress.update(task, advance=1, description="timing, rounds interleaved")
        uncached, sync_uncached = store.inner.documents, sync_store.inner.documents
        samples: dict[str, list[float]] = {}
        for _ in range(options.rounds):
            for name, seconds in (
                ("async raw", await timed(raw.get, value_keys)),
                ("async tuned", await timed(tuned.get, value_keys)),
                ("async cached", await timed(store.documents.get_by_id, ids)),
                ("async uncached", await timed(uncached.get_by_id, ids)),
                ("sync raw", timed_sync(sync_raw.get, value_keys)),
                ("sync tuned", timed_sync(sync_tuned.get, value_keys)),
                ("sync cached", timed_sync(sync_store.documents.get_by_id, ids)),
                ("sync uncached", timed_sync(sync_uncached.get_by_id, ids)),
            ):
                samples.setdefault(name, []).append(seconds)
            progress.advance(task)
    for cached in stores:
        misses = cached.cache_stats().misses
        if misses > options.documents:
            console.print(f"[yellow]warning: {misses} misses; the cached side was not all hits")
    return samples


def paired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of the rounds' ratios (round ``i`` of one side over round ``i`` of the other)."""
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True))


def _report(samples: dict[str, list[float]], console: Console, redis_url: str) -> None:
    median = {name: statistics.median(values) for name, values in samples.items()}
    table = Table(title="Redis cache: get_by_id (median per call)")
    for header in ("form", "contender", "µs per call", "ratio", "aim"):
        table.add_column(header, justify="left" if header in ("form", "contender") else "right")
    for form in ("async", "sync"):
        raw, tuned, cached, uncached = (
            median[f"{form} {name}"] for name in ("raw", "tuned", "cached", "uncached")
        )
        ratio = paired_ratio(samples[f"{form} cached"], samples[f"{form} raw"])
        speed_up = paired_ratio(samples[f"{form} uncached"], samples[f"{form} cached"])
        table.add_row(form, "raw redis-py GET of the same bytes", f"{raw * 1e6:,.1f}", "1.00x", "")
        table.add_row(
            form,
            "  the same GET, the cache's client settings",
            f"{tuned * 1e6:,.1f}",
            f"{paired_ratio(samples[f'{form} tuned'], samples[f'{form} raw']):.2f}x raw",
            "",
        )
        table.add_row(
            form,
            "repokit cached get_by_id (hit)",
            f"{cached * 1e6:,.1f}",
            f"{ratio:.2f}x raw",
            f"≤ {AIM}x {'✓' if ratio <= AIM else '✗'}",
        )
        table.add_row(
            form,
            "repokit uncached PostgreSQL get_by_id",
            f"{uncached * 1e6:,.1f}",
            f"cached hit: {speed_up:.2f}x as fast",
            "",
        )
    console.print(table)
    console.print(f"Redis {redis_url.rsplit('@', 1)[-1]}, embedded PostgreSQL on a Unix socket")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=None, help="a scratch Redis URL")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args()
    asyncio.run(run_benchmark(BenchOptions(url=args.url, quick=args.quick), Console()))


if __name__ == "__main__":
    main()
