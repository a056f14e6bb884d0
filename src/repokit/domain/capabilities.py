"""What a backend can do, so callers and the contract suite can ask instead of guess."""

from __future__ import annotations

from dataclasses import dataclass, field

from repokit.domain.vectors import METRICS, Metric


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Features a store offers. A feature it lacks raises ``CapabilityError`` when used.

    Attributes:
        backend: short backend name, e.g. ``"sqlite"``.
        transactions: ``unit_of_work()`` is atomic and isolated; when False it raises
            ``CapabilityError``.
        vector_index: ``search_similar`` can use an approximate index; when False
            every search is exact (and ``exact=False`` is simply exact too).
        vector_search: how searches run: ``"exact"``, ``"hnsw"``, ``"atlas"``, ...
        metrics: the similarity metrics ``search_similar`` accepts.
        concurrent_units: units of work run on their own connections, so the store's
            plain repositories can be used (and see only committed data) while a unit
            is open; when False that use raises ``CapabilityError`` instead of
            deadlocking.
        max_unit_writes: most writes one unit of work may hold, or None for no limit.
        entities: ``store.repository(Model)`` stores declared ``repokit.Entity``
            classes; when False it raises ``CapabilityError``.
    """

    backend: str
    transactions: bool = True
    vector_index: bool = False
    vector_search: str = "exact"
    metrics: frozenset[Metric] = field(default_factory=lambda: frozenset(METRICS))
    concurrent_units: bool = True
    max_unit_writes: int | None = None
    entities: bool = False
