"""``benchmarks/entities_cache_bench.py --quick`` runs end to end (a smoke test: no timing).

Loaded the way ``repokit bench`` loads its benchmarks, so it needs no ``benchmarks``
package on ``sys.path``.
"""

from __future__ import annotations

import io

from rich.console import Console

from repokit.cli import _benchmark_module


async def test_quick_entities_cache_bench_prints_every_contender(redis_url: str) -> None:
    bench = _benchmark_module("entities_cache_bench")
    out = io.StringIO()
    await bench.run_benchmark(
        bench.BenchOptions(url=redis_url, quick=True), Console(file=out, width=200)
    )
    printed = out.getvalue()
    for contender in ("raw redis-py GET", "two GETs", "cached get_by_id", "cached get_by(sku"):
        assert contender in printed
