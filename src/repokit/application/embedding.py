"""The embedder port: text in, fixed-length vectors out.

It is synchronous on purpose. Embedding is pure computation (hashing here, a
local model later) with no I/O to overlap, so an ``async`` signature would only
add an event-loop hop per call. An embedder that does block for long (a large
local model, a remote API) belongs in a worker thread, which a caller gets with
``await asyncio.to_thread(embedder.embed, texts)`` without changing this port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class EmbedderPort(Protocol):
    """Turns texts into vectors of length :attr:`dim`; similar texts get close vectors."""

    @property
    def dim(self) -> int:
        """Length of every vector :meth:`embed` returns."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in the order given."""
        ...


__all__ = ["EmbedderPort"]
