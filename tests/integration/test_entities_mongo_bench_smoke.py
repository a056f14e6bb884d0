"""``benchmarks/entities_mongo_bench.py --quick`` runs end to end on a stand-in it starts.

A smoke test only: the run completes and prints every measure of both forms beside
raw PyMongo, never a timing (the figures depend on the machine; ``docs/backends.md``
has them). Loaded the way ``repokit bench`` loads its benchmarks.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from repokit.cli import _benchmark_module

pytest.importorskip("pymongo", reason="needs PyMongo (repokit[mongo])")


async def test_quick_run_prints_every_measure_of_both_forms() -> None:
    bench = _benchmark_module("entities_mongo_bench")
    console = Console(record=True, width=200)
    await bench.run_benchmark(bench.BenchOptions(url=None, quick=True), console)
    text = console.export_text()
    assert "Declared entities on MongoDB: repokit vs raw PyMongo (nx-27017 stand-in)" in text
    for form in ("async", "sync"):
        for measure in (
            "get_by_id (200 reads)",
            "get_by (200 reads)",
            "save_many (4 x 200 new orders)",
        ):
            assert f"│ {form:<5} │ {measure}" in text, text
    assert "x latency" in text
    assert "x rate" in text
