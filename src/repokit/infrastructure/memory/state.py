"""The in-memory database state: named tables of immutable rows.

A :class:`MemoryState` is a value. Once published as the committed state it is
never mutated again; a transaction that writes copies the tables it touches
(copy-on-write), so every open unit of work keeps reading the snapshot it began
with while others commit.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

_EMPTY: Mapping[Any, Any] = {}


@dataclass(frozen=True, slots=True)
class Table(Generic[K, R]):
    """A typed handle on one table: rows of type ``R`` keyed by ``K``.

    Attributes:
        name: the table's key in :attr:`MemoryState.tables`.
        entity: the singular noun used in error messages, e.g. ``"document"``.
    """

    name: str
    entity: str


class MemoryState:
    """A whole database: table name -> primary key -> row.

    Rows are pydantic models (or tuples of them) that nobody outside this
    package ever holds, so sharing them between states is safe.
    """

    __slots__ = ("tables",)

    def __init__(self, tables: Mapping[str, Mapping[Any, Any]] | None = None) -> None:
        self.tables: dict[str, Mapping[Any, Any]] = dict(tables or {})

    def rows(self, table: Table[K, R]) -> Mapping[K, R]:
        """The rows of ``table`` (empty if it was never written)."""
        return cast("Mapping[K, R]", self.tables.get(table.name, _EMPTY))

    def replace(self, tables: Mapping[str, Mapping[Any, Any]]) -> MemoryState:
        """A new state with some tables replaced; this one is left untouched."""
        return MemoryState({**self.tables, **tables})
