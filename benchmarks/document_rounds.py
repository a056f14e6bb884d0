"""What the document benchmarks of MongoDB, MySQL and Firestore share: sizes, figures,
sample data, the rounds, the report (the entity benchmarks use the rounds too).

Both run rounds of the same work (reads by id, a batch insert) on the adapter
and beside the raw driver, and report medians per measure and side.
"""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from repokit.domain.entities import Document

LATENCY_AIM = 1.25
"""``get_by_id`` at most this many times the raw driver's latency."""
RATE_AIM = 0.8
"""``save_many`` at least this share of the raw driver's rate."""


@dataclass(frozen=True, slots=True)
class Sizes:
    """Documents stored, reads per round, rows per batch insert, rounds."""

    documents: int
    reads: int
    batch: int
    rounds: int

    @classmethod
    def of(cls, quick: bool, rounds: int) -> Sizes:
        """A smoke run's sizes with ``quick``, else a full run of ``rounds`` rounds."""
        return cls(200, 200, 200, 2) if quick else cls(1000, 2000, 1000, rounds)


@dataclass
class Results:
    """Per measure and side, one figure per round."""

    figures: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, measure: str, side: str, value: float) -> None:
        """Record one round's figure."""
        self.figures.setdefault((measure, side), []).append(value)

    def median(self, measure: str, side: str) -> float:
        """The median of the rounds' figures."""
        return statistics.median(self.figures[(measure, side)])


def sample_documents(count: int) -> list[Document]:
    """Documents of a typical shape: a title, ~500 characters, small metadata."""
    return [
        Document(
            title=f"document {i}",
            content="lorem ipsum " * 40,
            metadata={"year": 2000 + i % 25, "tags": ["a", "b"], "score": i / 7},
        )
        for i in range(count)
    ]


async def timed_async(call: Callable[[], Awaitable[Any]]) -> float:
    """Seconds one awaited call takes."""
    start = time.perf_counter()
    await call()
    return time.perf_counter() - start


def timed(call: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


async def alternate_rounds(
    progress: Progress,
    task: TaskID,
    rounds: int,
    async_round: Callable[[], Awaitable[None]],
    sync_round: Callable[[], Any],
) -> None:
    """Run ``rounds`` rounds, each the async measures and then the sync ones, with their
    progress (``sync_round`` may return an awaitable, e.g. run in a thread)."""
    for turn in range(rounds):
        progress.update(task, description=f"async round {turn + 1}/{rounds}")
        await async_round()
        progress.advance(task)
        progress.update(task, description=f"sync round {turn + 1}/{rounds}")
        done = sync_round()
        if inspect.isawaitable(done):
            await done
        progress.advance(task)


def report(
    results: Results,
    size: Sizes,
    title: str,
    forms: Sequence[tuple[str, str]],
    console: Console,
) -> None:
    """Print the table of ``get_by_id`` and ``save_many`` per form (``(form, label)``:
    the results' form and how the table names it), beside the raw driver, with the aims."""
    table = Table(title=title)
    for column in ("form", "measure", "raw", "repokit", "ratio", "aim", "met"):
        table.add_column(column, justify="left" if column in ("form", "measure") else "right")
    for form, label in forms:
        raw = results.median("get_by_id", f"{form} raw")
        ours = results.median("get_by_id", f"{form} repokit")
        ratio = ours / raw
        table.add_row(
            label,
            f"get_by_id ({size.reads:,} reads, median of {size.rounds})",
            f"{raw * 1e6:,.0f} µs",
            f"{ours * 1e6:,.0f} µs",
            f"{ratio:.2f}x latency",
            f"≤ {LATENCY_AIM}x",
            "yes" if ratio <= LATENCY_AIM else "no",
        )
        raw = results.median("save_many", f"{form} raw")
        ours = results.median("save_many", f"{form} repokit")
        ratio = ours / raw
        table.add_row(
            label,
            f"save_many ({size.batch:,} new documents)",
            f"{raw:,.0f} docs/s",
            f"{ours:,.0f} docs/s",
            f"{ratio:.2f}x rate",
            f"≥ {RATE_AIM}x",
            "yes" if ratio >= RATE_AIM else "no",
        )
    console.print(table)
