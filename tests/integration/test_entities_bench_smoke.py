"""``benchmarks/entities_sql_bench.py`` runs end to end on both SQL databases.

A smoke test: the quick run completes, prints its table, and leaves no declared
entity behind; it checks no timing (the figures depend on the machine;
``docs/backends.md`` has them). ``repokit bench entities`` runs the same function.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from repokit.cli import _benchmark_module
from repokit.domain.entity import declared_entities

pytest.importorskip("pgserver", reason="needs the embedded PostgreSQL (repokit[embedded])")


async def test_a_quick_run_prints_every_backend_shape_and_operation() -> None:
    bench = _benchmark_module("entities_sql_bench")
    output = io.StringIO()
    results = await bench.run_benchmark(
        bench.BenchOptions(quick=True), Console(file=output, width=200)
    )

    assert {(r.backend, r.shape, r.operation) for r in results} == {
        (backend, shape, operation)
        for backend in ("PostgreSQL", "SQLite")
        for shape in ("orders", "readings")
        for operation in ("get_by_id", "get_by", "save_many")
    }
    assert "declared entities vs raw drivers" in output.getvalue()
    assert not [m for m in declared_entities() if m.__module__ == "benchmarks.entities_sql_bench"]
