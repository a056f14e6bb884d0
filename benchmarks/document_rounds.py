"""What the document benchmarks of MongoDB and MySQL share: sizes, figures, sample data.

Both run rounds of the same work (reads by id, a batch insert) on the adapter
and beside the raw driver, and report medians per measure and side.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from repokit.domain.entities import Document


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
