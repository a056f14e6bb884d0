"""Declared entities on MySQL / MariaDB beside raw asyncmy doing the same work, on the same tables.

Run: ``repokit bench entities --backend mysql [--url mysql://user@host:3306/db]``
(``--quick`` for a smoke run). Without ``--url`` it uses the local server
(``REPOKIT_TEST_MYSQL_URL``, else ``mysql://root@127.0.0.1:3306``) and a scratch
database it creates and drops. The two entity shapes, the contenders, the rounds
and the aims are those of :mod:`benchmarks.entities_sql_bench`; the raw side is
asyncmy: the prepared primary-key or unique-column ``SELECT`` of the same columns
decoded by hand, and ``executemany`` of the same rows in one transaction (asyncmy
sends them as multi-row ``INSERT``\\ s, as the adapter does).
"""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from benchmarks.entities_sql_bench import (
    BenchOptions,
    Result,
    bench_backend,
    declare_shapes,
    progress_display,
    render,
)
from benchmarks.mysql_bench import scratch_database
from repokit.domain.entity import forget_entity

__all__ = ["BenchOptions", "run_benchmark"]


async def run_benchmark(options: BenchOptions, console: Console) -> list[Result]:
    """Measure MySQL with a progress display, print the table, return the results."""
    shapes = declare_shapes()
    try:
        with progress_display(console) as progress, scratch_database(options.url) as (url, _):
            results = await bench_backend("MySQL", url, shapes, options, progress)
    finally:
        for model in shapes.values():
            forget_entity(model)
    render(results, options, console)
    return results


def main() -> None:
    """``python -m benchmarks.entities_mysql_bench [--url URL] [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=None, help="a MySQL server (default: the local one)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (seconds)")
    args = parser.parse_args()
    options = BenchOptions(url=args.url, quick=args.quick)
    asyncio.run(run_benchmark(options, Console(width=140)))


if __name__ == "__main__":
    main()
