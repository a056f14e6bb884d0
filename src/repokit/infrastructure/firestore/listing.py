"""What a read of many documents needs: the Firestore query and the rest, in Python.

A :class:`Listing` carries the query Firestore runs (the filters it answers
exactly, the order, the cursor) and, for what it cannot answer, the reference
evaluator's predicate on the decoded entities (``residual``), applied to the
streamed results in query order. ``full`` is the whole condition (filter and
cursor): a unit of work applies it to its own pending writes, which Firestore
has not seen, before merging them into the results by ``sort_key``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Listing(Generic[M]):
    """A query and how to finish it (see the module doc).

    Attributes:
        query: the Firestore query (filters, order, cursor; no limit).
        parent: the path of the collection it reads (pending writes under it merge in).
        decode: stored fields -> entity.
        residual: the condition Firestore did not check, or None when it checked all.
        full: the whole condition, for documents Firestore has not seen.
        sort_key: the listing's order as a Python key.
        descending: the order runs backwards.
        scan: the whole collection, read when Firestore lacks the query's index.
    """

    query: Any
    parent: str
    decode: Callable[[dict[str, Any]], M]
    residual: Callable[[M], bool] | None
    full: Callable[[M], bool]
    sort_key: Callable[[M], Any]
    descending: bool = False
    scan: Any = None


__all__ = ["Listing"]
