"""``benchmarks/entities_cache_bench.py --quick`` runs end to end (a smoke test: no timing)."""

from __future__ import annotations

import io

from benchmarks.entities_cache_bench import BenchOptions, run_benchmark
from rich.console import Console


async def test_quick_entities_cache_bench_prints_every_contender(redis_url: str) -> None:
    out = io.StringIO()
    await run_benchmark(BenchOptions(url=redis_url, quick=True), Console(file=out, width=200))
    printed = out.getvalue()
    for contender in ("raw redis-py GET", "two GETs", "cached get_by_id", "cached get_by(sku"):
        assert contender in printed
