"""Statements compiled once per store and run on the driver connection.

The hot paths (read by id, insert, versioned update) always run the same SQL,
so it is compiled once from SQLAlchemy Core into the dialect's SQL string and
its parameter order, then executed with plain tuples: no statement building,
no cache-key computation and no result-object machinery per call.

Where the dialect has no ``UPDATE ... RETURNING`` (MySQL, MariaDB) or no
``DELETE ... RETURNING`` (MySQL), the statements are compiled without it and
the repository counts the rows changed instead (``returns_rows``), reading the
kept columns of an update with ``select_returning``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Table, bindparam, delete, insert, literal_column, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from repokit.infrastructure.sql.mapping import EntityMapping

E = TypeVar("E", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class CompiledSql:
    """A dialect SQL string and the names of its parameters in positional order."""

    sql: str
    params: tuple[str, ...]


def compile_sql(statement: ClauseElement, dialect: Dialect) -> CompiledSql:
    """Compile ``statement`` (with named ``bindparam``s) for ``dialect``."""
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    return CompiledSql(compiled.string, tuple(compiled.positiontup or ()))


class EntityStatements(Generic[E]):
    """The precompiled statements of one mapped table.

    Args:
        mapping: the entity mapping (its dialect compiles the SQL).
        updatable: columns a versioned update writes; others keep their stored value.
        returning: columns a versioned update reads back (e.g. a kept ``created_at``).
    """

    def __init__(
        self,
        mapping: EntityMapping[E],
        *,
        updatable: Sequence[str] = (),
        returning: Sequence[str] = (),
    ) -> None:
        table: Table = mapping.table
        dialect = mapping.dialect
        self.mapping = mapping
        self.columns = mapping.columns
        self.updatable = tuple(updatable)
        self.returning = tuple(returning)
        key = table.c.id
        self.read = [table.c[name] for name in mapping.read_columns]
        """The columns a read selects (what ``mapping.decode`` takes)."""
        self.select_by_id = compile_sql(select(*self.read).where(key == bindparam("id")), dialect)
        self.insert = compile_sql(
            insert(table).values({name: bindparam(name) for name in self.columns}), dialect
        )
        deleting = delete(table).where(key == bindparam("id"))
        self.delete_returns_rows = bool(dialect.delete_returning)
        """True when :attr:`delete_by_id` returns the deleted id, else count the rows."""
        self.delete_by_id = compile_sql(
            deleting.returning(key) if self.delete_returns_rows else deleting, dialect
        )
        if "version" in table.c:
            self.version_of = compile_sql(
                select(table.c.version).where(key == bindparam("id")), dialect
            )
            values: dict[str, Any] = {name: bindparam(name) for name in self.updatable}
            values["version"] = table.c.version + literal_column("1")
            versioned = (
                update(table)
                .where(key == bindparam("match_id"), table.c.version == bindparam("match_version"))
                .values(values)
            )
            self.update_returns_rows = bool(dialect.update_returning)
            """True when :attr:`update_versioned` returns ``version`` and the kept columns;
            else it is counted and they are read by :attr:`select_returning`."""
            kept = [table.c[name] for name in ("version", *self.returning)]
            if self.update_returns_rows:
                versioned = versioned.returning(*kept)
            self.update_versioned = compile_sql(versioned, dialect)
            self.select_returning = compile_sql(
                select(*kept).where(key == bindparam("id")), dialect
            )
        self._id_encoder = mapping.encoder("id")

    def encode_id(self, value: Any) -> Any:
        """The driver value of an id."""
        return self._id_encoder(value)


__all__ = ["CompiledSql", "EntityStatements", "compile_sql"]
