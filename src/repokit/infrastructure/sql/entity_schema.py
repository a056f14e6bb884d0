"""Make declared entities storable by adding to the schema, never by changing it.

``store.migrate()`` runs this after repokit's Alembic chain, in the same
transaction. Alembic's autogenerate comparison (``compare_metadata``) says how
the database differs from :func:`~.entity_tables.entity_metadata`; what can be
applied by adding is applied with Alembic's operations:

* a missing table, with its indexes, keys and foreign keys;
* a missing column: an optional field's column is NULL for the rows already
  stored; a required field needs a static default, written as the column's
  server default (``x: int = 0``);
* a missing index or unique index (a unique index fails, naming the fields,
  when stored rows already share values).

Anything else (a changed type or nullability, a dropped field or index, a new
``Ref`` on an existing SQLite column) raises :class:`ConfigurationError` that
says what differs and what to do: write an Alembic revision. Nothing is
applied silently, and on an error nothing is applied at all (the caller's
transaction rolls back). A run whose declarations are those the last run found
in step skips the comparison (:mod:`.entity_fingerprints`).
:func:`schema_differences` gives the same comparison for ``repokit migrations
check``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, DefaultClause, Index, MetaData, Table, inspect, literal, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import IntegrityError

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import EntitySpec, spec_of
from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.sql.entity_fingerprints import fingerprints, record, unchanged
from repokit.infrastructure.sql.entity_layout import ColumnPlan, entity_columns
from repokit.infrastructure.sql.entity_tables import entity_metadata, entity_of
from repokit.infrastructure.sql.jsonb_codec import json_serializer
from repokit.infrastructure.sql.types import JsonDocument, UUIDType

REVISION_ADVICE = (
    "it cannot be applied by adding to the schema: write an Alembic revision for it "
    '(`repokit migrations generate "what changed" --entities your.module --dir migrations/`, '
    "then edit it to move the data), or change the declaration back"
)


@dataclass
class SchemaPlan:
    """What a comparison found: the additions to make and the differences refused."""

    tables: list[Table] = field(default_factory=list)
    columns: list[tuple[str, Column[Any]]] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def additions(self) -> list[str]:
        """The additions in words, e.g. ``create table orders``."""
        return [
            *(f"create table {t.name}" for t in self.tables),
            *(f"add column {table}.{c.name}" for table, c in self.columns),
            *(f"create index {i.name} on {_table_of(i)}" for i in self.indexes),
        ]


def ensure_entities(connection: Connection, models: Sequence[type[Entity]]) -> list[str]:
    """Add what ``models`` need to the database of ``connection`` (inside the caller's
    transaction); returns the additions made, in words.

    Raises:
        ConfigurationError: a difference that adding cannot resolve, or stored rows that
            break a new unique index.
    """
    metadata = entity_metadata(models)
    if not metadata.tables:
        return []
    prints = fingerprints(metadata, connection.dialect)
    if unchanged(connection, prints):
        return []  # in step when last checked, and the declarations are the same
    plan = compare(connection, metadata)
    if plan.refused:
        raise ConfigurationError(
            "the database differs from the declared entities: "
            + "; ".join(plan.refused)
            + f". {REVISION_ADVICE}"
        )
    _apply(connection, plan)
    record(connection, prints)
    return plan.additions


def schema_differences(connection: Connection, metadata: MetaData) -> list[str]:
    """Every difference between ``metadata`` and the database, in words (none: in step)."""
    plan = compare(connection, metadata)
    return [*plan.additions, *plan.refused]


def compare(connection: Connection, metadata: MetaData) -> SchemaPlan:
    """Sort Alembic's comparison of ``metadata`` with the database into a plan."""
    dialect = connection.dialect.name
    if not set(metadata.tables) & set(inspect(connection).get_table_names()):
        # None of them stored yet: every table is an addition. (Asked to compare, Alembic
        # would reflect every table of the schema to find that out: it reads an empty
        # list of names to reflect as "all of them".)
        return SchemaPlan(tables=list(metadata.sorted_tables))
    teach_vector_type(dialect)

    def include_name(name: str | None, type_: str, parents: Any) -> bool:
        # Other tables (repokit's, other services') are not even reflected.
        return type_ != "table" or name in metadata.tables

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        condition = getattr(obj, "_ddl_if", None)  # e.g. a GIN index, PostgreSQL only
        return condition is None or condition.dialect in (None, dialect)

    context = MigrationContext.configure(
        connection,
        opts={
            "include_name": include_name,
            "include_object": include_object,
            "compare_type": True,
        },
    )
    plan = SchemaPlan()
    new_tables: set[str] = set()
    for diff in _flatten(compare_metadata(context, metadata)):
        kind = diff[0]
        if kind == "add_table":
            new_tables.add(diff[1].name)
        elif kind == "add_column":
            plan.columns.append((diff[2], diff[3]))
        elif kind == "add_index":
            plan.indexes.append(diff[1])
        else:
            plan.refused.append(_describe(diff))
    plan.tables = [t for t in metadata.sorted_tables if t.name in new_tables]
    # A new table's indexes come with the table.
    plan.indexes = [i for i in plan.indexes if _table_of(i) not in new_tables]
    for table, column in plan.columns:
        problem = _column_problem(metadata.tables[table], column, dialect)
        if problem is not None:
            plan.refused.append(problem)
    return plan


def teach_vector_type(dialect: str) -> None:
    """Let reflection read pgvector's ``vector`` columns (Alembic reads every table's
    columns, repokit's ``chunks`` included, and would warn about the unknown type)."""
    if dialect == "postgresql":
        with contextlib.suppress(ImportError):
            import pgvector.sqlalchemy  # noqa: F401  # registers the type with reflection


def _apply(connection: Connection, plan: SchemaPlan) -> None:
    operations = Operations(MigrationContext.configure(connection))
    sqlite = connection.dialect.name == "sqlite"
    for table in plan.tables:
        table.create(connection)
    for table_name, column in plan.columns:
        added = column._copy()
        if not column.nullable:
            plan_ = _plan_of(column.table, column.name)
            default = _static_default(column.table, plan_)
            assert default is not None  # checked by compare()
            literal_sql = sql_literal(plan_, default[0], connection.dialect)
            added.server_default = DefaultClause(text(literal_sql))
        # SQLite adds a reference only inline, within ADD COLUMN.
        operations.add_column(table_name, added, inline_references=sqlite)
    for index in plan.indexes:
        try:
            index.create(connection)
        except IntegrityError as exc:
            raise ConfigurationError(
                f"cannot create the unique index {index.name}: stored rows of "
                f"{_table_of(index)} already share values of "
                f"({', '.join(c.name for c in index.columns)}); make them distinct first"
            ) from exc


def _column_problem(table: Table, column: Column[Any], dialect: str) -> str | None:
    """Why ``column`` cannot be added to the stored ``table``, or None."""
    plan = _plan_of(table, column.name)
    where = f"{table.name}.{column.name}"
    if not column.nullable and _static_default(table, plan) is None:
        return (
            f"{where} is a new required field without a static default, which the rows "
            f"already stored would lack (give it one, e.g. `{plan.field}: int = 0`, or make "
            "it optional)"
        )
    if column.foreign_keys and dialect == "sqlite" and not column.nullable:
        return f"{where} is a new required reference, which SQLite cannot add to stored rows"
    return None


def _static_default(table: Table, plan: ColumnPlan) -> tuple[Any] | None:
    """``(default,)`` of the field ``plan`` holds, or None when it has no static default."""
    field_spec = _spec(table).field(plan.field)
    return (field_spec.default,) if field_spec.has_default else None


def sql_literal(plan: ColumnPlan, value: Any, dialect: Dialect) -> str:
    """``value`` of the field ``plan`` holds, as a SQL literal of its column on ``dialect``."""
    if plan.to_column is not None:
        value = plan.to_column(value)
    if value is None:
        return "NULL"
    if plan.type is JsonDocument:
        serialize = json_serializer if dialect.name == "postgresql" else json.dumps
        return _quoted(serialize(value))
    if isinstance(plan.type, UUIDType) and dialect.name == "sqlite":
        return f"X'{value.hex}'"
    compiled = literal(value, plan.type).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _plan_of(table: Table, column: str) -> ColumnPlan:
    return next(p for p in entity_columns(_spec(table)) if p.name == column)


def _spec(table: Table) -> EntitySpec:
    return spec_of(entity_of(table))


def _table_of(index: Index) -> str:
    return index.table.name if index.table is not None else "?"


def _flatten(diffs: Iterable[Any]) -> Iterable[tuple[Any, ...]]:
    # compare_metadata groups the column modifications of one column in a list.
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


def _describe(diff: tuple[Any, ...]) -> str:
    kind = diff[0]
    if kind in ("modify_type", "modify_nullable", "modify_default", "modify_comment"):
        _, _, table, column, _, old, new = diff
        what = kind.removeprefix("modify_")
        return f"{table}.{column} has {what} {old} in the database but {new} declared"
    if kind == "remove_column":
        return f"{diff[2]}.{diff[3].name} is stored but no longer declared (a dropped field)"
    if kind == "remove_index":
        return f"index {diff[1].name} on {_table_of(diff[1])} is stored but no longer declared"
    if kind in ("add_fk", "remove_fk"):
        constraint = diff[1]
        columns = ", ".join(c.name for c in constraint.columns)
        verb = "is declared but missing" if kind == "add_fk" else "is stored but not declared"
        return f"the reference of {constraint.table.name}.{columns} {verb}"
    return f"{kind} {diff[1:]!r}"


__all__ = [
    "REVISION_ADVICE",
    "SchemaPlan",
    "compare",
    "ensure_entities",
    "schema_differences",
    "sql_literal",
    "teach_vector_type",
]
