"""``benchmarks/entities_dynamodb_bench.py --quick`` runs end to end on a moto_server it starts.

A smoke test only: the run completes and prints every measure of both forms beside
raw aioboto3/boto3, never a timing (the figures depend on the machine;
``docs/entities.md`` has them). Loaded the way ``repokit bench`` loads its benchmarks.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from repokit.cli import _benchmark_module

pytest.importorskip("aioboto3", reason="needs aioboto3 (repokit[dynamodb])")


async def test_quick_run_prints_every_measure_of_both_forms() -> None:
    bench = _benchmark_module("entities_dynamodb_bench")
    console = Console(record=True, width=200)
    await bench.run_benchmark(bench.BenchOptions(url=None, quick=True), console)
    text = console.export_text()
    assert "Declared entities on DynamoDB: repokit vs raw aioboto3/boto3 (moto_server)" in text
    for form in ("async", "sync"):
        for measure in (
            "get_by_id (50 reads)",
            "get_by (50 reads)",
            "save_many (2 x 30 new orders)",
        ):
            assert f"│ {form:<5} │ {measure}" in text, text
    assert "x latency" in text
    assert "x rate" in text
