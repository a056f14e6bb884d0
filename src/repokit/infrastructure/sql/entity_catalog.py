"""Everything one declared entity needs on one SQL dialect, built once per store.

An :class:`EntitySql` holds the entity's table (:mod:`.entity_tables`; repokit's
own for ``User`` and ``Workspace``), its mapping (:mod:`.entity_layout`'s
columns, written and read through the column types), the precompiled hot
statements (read by id, insert, versioned update, delete, one ``get_by`` per
unique group), the filter target and its cache of compiled filters, and the
error contexts. :class:`~.catalog.Catalog` asks :func:`shared_entity_sql` for one per
entity class on first use: it is made once per process and dialect flavour and
shared by every store, since building it (compiling its statements) costs more than
opening a connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Table, bindparam, select
from sqlalchemy.engine import Dialect

from repokit.domain.entity import Entity
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import EntitySpec, FieldKind, spec_of
from repokit.infrastructure.sql.entity_errors import EntityErrors
from repokit.infrastructure.sql.entity_layout import ColumnPlan, entity_columns
from repokit.infrastructure.sql.entity_tables import entity_metadata, is_builtin
from repokit.infrastructure.sql.filters import (
    CompiledFilterCache,
    FilterTarget,
    JsonDialect,
    OperandRule,
)
from repokit.infrastructure.sql.mapping import Converter, EntityMapping
from repokit.infrastructure.sql.numeric_operands import (
    float_operand,
    int32_operand,
    integer_operand,
)
from repokit.infrastructure.sql.statements import CompiledSql, EntityStatements, compile_sql

E = TypeVar("E", bound=Entity)

_OPERAND_RULES: dict[FieldKind, OperandRule] = {
    FieldKind.INT: integer_operand,
    FieldKind.FLOAT: float_operand,
}


def entity_table(spec: EntitySpec) -> Table:
    """The table of ``spec``: repokit's own for the built-in entities, else a new one."""
    if is_builtin(spec):
        from repokit.infrastructure.sql.tables import metadata

        return metadata.tables[spec.table()]
    return entity_metadata([spec.model]).tables[spec.table()]


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """A ``get_by`` read: its SQL and, per parameter, the field and its driver encoder."""

    sql: str
    params: tuple[tuple[str, Converter], ...]

    def values(self, key: Mapping[str, Any]) -> tuple[Any, ...]:
        """The driver values of ``key`` (field -> value), in parameter order."""
        return tuple(encode(key[name]) for name, encode in self.params)


class EntitySql(Generic[E]):
    """The table, mapping, statements, filters and errors of one declared entity."""

    def __init__(self, model: type[E], dialect: Dialect, json: JsonDialect) -> None:
        spec = spec_of(model)
        self.spec = spec
        self.queries = EntityQueries(spec)
        self.errors = EntityErrors(spec)
        table = entity_table(spec)
        self.table = table
        plans = entity_columns(spec)
        self.mapping: EntityMapping[E] = EntityMapping(
            model,
            table,
            dialect,
            to_column={p.name: p.to_column for p in plans if p.to_column is not None},
            to_field={p.name: p.to_field for p in plans if p.to_field is not None},
            sources={p.name: p.field for p in plans},
            unread=[p.name for p in plans if not p.read],
        )
        immutable = set(spec.immutable)
        self.statements = EntityStatements(
            self.mapping,
            updatable=[p.name for p in plans if p.field not in ("id", "version", *immutable)],
            returning=[p.name for p in plans if p.read and p.field in immutable],
        )
        self.compared = self._compared(table, plans)
        """Per scalar field, the expression filters, orderings and ``get_by`` compare."""
        self.filters = CompiledFilterCache(self._filter_target(json))
        by_group = {frozenset(group): self._select_by(group, dialect) for group in spec.unique}
        by_group[frozenset(("id",))] = self.statements.select_by_id
        self._get_by = {
            group: KeyLookup(
                statement.sql,
                tuple((name, self.mapping.encoder(name)) for name in statement.params),
            )
            for group, statement in by_group.items()
        }

    def get_by(self, group: frozenset[str]) -> KeyLookup:
        """The precompiled read by one unique group's values, with its parameters' encoders."""
        return self._get_by[group]

    def _select_by(self, group: tuple[str, ...], dialect: Dialect) -> CompiledSql:
        statement = select(*self.statements.read).where(
            *(self.table.c[name] == bindparam(name) for name in group)
        )
        return compile_sql(statement, dialect)

    @staticmethod
    def _compared(table: Table, plans: tuple[ColumnPlan, ...]) -> dict[str, ColumnElement[Any]]:
        # A field's own-named column is the one that compares (a decimal's key, not its text).
        return {p.field: table.c[p.name] for p in plans if p.name == p.field}

    def _filter_target(self, json: JsonDialect) -> FilterTarget:
        spec = self.spec
        scalars = {f.name: self.compared[f.name] for f in spec.fields if not f.is_json}
        documents = {f.name: self.table.c[f.name] for f in spec.fields if f.is_json}
        return FilterTarget(
            columns=scalars,
            json=json,
            documents=documents,
            nullable=frozenset(f.name for f in spec.fields if f.nullable),
            operands={
                f.name: int32_operand if f.name == "version" else _OPERAND_RULES[f.kind]
                for f in spec.fields
                if f.kind in _OPERAND_RULES
            },
        )


T = TypeVar("T")


class MadeOnce(Generic[T]):
    """Values made once per process and key, for every store and thread to share."""

    def __init__(self) -> None:
        self._made: dict[Hashable, T] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value of ``key``, made by ``make()`` the first time it is asked for."""
        made = self._made.get(key)
        if made is None:
            with self._lock:
                made = self._made.get(key)
                if made is None:
                    made = self._made[key] = make()
        return made


def dialect_flavour(dialect: Dialect) -> tuple[Any, ...]:
    """What SQL compiled for ``dialect`` depends on: its class (the driver, so the
    parameter style), the server version it found, and MariaDB or MySQL."""
    return (
        type(dialect),
        dialect.paramstyle,
        dialect.server_version_info,
        getattr(dialect, "is_mariadb", False),
    )


_ENTITY_SQL: MadeOnce[EntitySql[Any]] = MadeOnce()


def shared_entity_sql(model: type[E], dialect: Dialect, json: JsonDialect) -> EntitySql[E]:
    """The :class:`EntitySql` of ``model`` on ``dialect``, made once per process and
    dialect flavour (it holds no state of any one database)."""
    key = (model, *dialect_flavour(dialect))
    return _ENTITY_SQL.get(key, lambda: EntitySql(model, dialect, json))


__all__ = ["EntitySql", "MadeOnce", "dialect_flavour", "entity_table", "shared_entity_sql"]
