"""What the declared-entity benchmarks of MongoDB and DynamoDB share.

The sample orders, the workload of a round, the paired timing of each call
beside its raw twin, and the per-round ratios, so every backend's benchmark
measures the same work the same way and differs only in its raw calls.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from rich.console import Console
from rich.table import Table

from benchmarks.document_rounds import LATENCY_AIM, RATE_AIM
from repokit.testing.examples import Order, Priority

T = TypeVar("T")


@dataclass
class Ratios:
    """Per form and measure, one ``(raw, repokit)`` pair of seconds per round."""

    rounds: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, form: str, measure: str, raw: float, ours: float) -> None:
        self.rounds.setdefault((form, measure), []).append((raw, ours))

    def median(self, form: str, measure: str) -> float:
        """The median of the rounds' time ratios, repokit over raw."""
        return statistics.median(ours / raw for raw, ours in self.rounds[(form, measure)])

    def median_seconds(self, form: str, measure: str, side: int) -> float:
        """The median time of one side (0: raw, 1: repokit) over the rounds."""
        return statistics.median(pair[side] for pair in self.rounds[(form, measure)])


def sample_orders(count: int, customers: list[UUID], start: int) -> list[Order]:
    """Orders of a typical shape, SKUs and numbers unique from ``start`` on."""
    moment = datetime(2024, 3, 1, tzinfo=UTC)
    return [
        Order(
            customer_id=customers[n % len(customers)],
            number=n,
            sku=f"SKU-{n:08d}",
            status=("open", "paid", "shipped")[n % 3],
            total=Decimal(n * 7 % 10_000) / 100,
            weight_kg=n / 3,
            placed_at=moment + timedelta(seconds=n),
            priority=Priority((n % 3) + 1),
            tags=["new", f"t{n % 5}"],
            details={"channel": "web", "items": n % 4},
        )
        for n in range(start, start + count)
    ]


@dataclass
class Workload:
    """What one round reads and writes; ``next`` numbers new orders past the stored ones."""

    reads: list[Order]
    customers: list[UUID]
    batch: int
    next: int
    batches: int

    def new_batches(self) -> list[list[Order]]:
        """``batches`` batches of new orders."""
        start, self.next = self.next, self.next + self.batches * self.batch
        return [
            sample_orders(self.batch, self.customers, start + n * self.batch)
            for n in range(self.batches)
        ]


async def paired_async(
    raw_call: Callable[[T], Awaitable[Any]],
    our_call: Callable[[T], Awaitable[Any]],
    items: Sequence[T],
) -> tuple[float, float]:
    """Seconds of raw and of repokit over ``items``, each call timed beside its twin (which
    goes first alternating), so a busy machine slows both sides alike."""
    times = [0.0, 0.0]
    for n, item in enumerate(items):
        for side in (n % 2, 1 - n % 2):
            start = time.perf_counter()
            await (our_call if side else raw_call)(item)
            times[side] += time.perf_counter() - start
    return times[0], times[1]


def paired(
    raw_call: Callable[[T], Any], our_call: Callable[[T], Any], items: Sequence[T]
) -> tuple[float, float]:
    """The sync form of :func:`paired_async`."""
    times = [0.0, 0.0]
    for n, item in enumerate(items):
        for side in (n % 2, 1 - n % 2):
            start = time.perf_counter()
            (our_call if side else raw_call)(item)
            times[side] += time.perf_counter() - start
    return times[0], times[1]


READS = ("get_by_id", "get_by")
"""The read measures, timed per call against the raw primary-key read."""


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much one run stores, reads and writes."""

    orders: int
    reads: int
    batch: int
    rounds: int


def print_report(
    ratios: Ratios, size: Sizes, batches: int, title: str, raw_name: str, console: Console
) -> None:
    """The table of both forms' medians and ratios against the aims."""
    table = Table(title=title)
    for column in ("form", "measure", raw_name, "repokit", "ratio", "aim", "met"):
        table.add_column(column, justify="left" if column in ("form", "measure") else "right")
    for form in ("async", "sync"):
        for measure in READS:
            raw, ours = (ratios.median_seconds(form, measure, side) / size.reads for side in (0, 1))
            ratio = ratios.median(form, measure)
            table.add_row(
                form,
                f"{measure} ({size.reads:,} reads)",
                f"{raw * 1e6:,.0f} µs",
                f"{ours * 1e6:,.0f} µs",
                f"{ratio:.2f}x latency",
                f"≤ {LATENCY_AIM}x",
                "yes" if ratio <= LATENCY_AIM else "no",
            )
        inserted = size.batch * batches
        raw, ours = (inserted / ratios.median_seconds(form, "save_many", s) for s in (0, 1))
        rate = 1 / ratios.median(form, "save_many")
        table.add_row(
            form,
            f"save_many ({batches} x {size.batch:,} new orders)",
            f"{raw:,.0f} /s",
            f"{ours:,.0f} /s",
            f"{rate:.2f}x rate",
            f"≥ {RATE_AIM}x",
            "yes" if rate >= RATE_AIM else "no",
        )
    console.print(table)
    console.print(
        f"ratio: the median of {size.rounds} interleaved rounds' ratios; raw and repokit: the "
        f"median of the rounds; {size.orders:,} stored orders."
    )
