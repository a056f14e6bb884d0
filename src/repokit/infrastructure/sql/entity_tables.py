"""The table of each declared entity, built from its spec, for SQLite, PostgreSQL and MySQL.

* columns: :mod:`.entity_layout` (``NOT NULL`` unless the field is optional);
* ``pk_<table>`` on ``id``;
* a ``Unique()`` field or compound unique: a unique index ``uq_<table>_<fields>``
  (an index, not a table constraint, so a later field can get one without
  rebuilding a SQLite table; several NULLs are allowed, as in memory);
* an ``Indexed()`` field, a ``Ref`` and a compound index: ``ix_<table>_<fields>``
  on the fields then ``id``, which serves equality and range filters and the
  ``(field, id)`` keyset pages alike; an indexed list, dict or model field gets a
  GIN index (``jsonb_path_ops``, serving the containment its equality filters
  compile to) on PostgreSQL and none on SQLite or MySQL, which cannot index inside
  JSON without a generated column; on MySQL text columns are indexed on a prefix
  and tables are ``utf8mb4_bin`` (:mod:`.mysql_ddl`);
* a ``Ref``: ``fk_<table>_<field>_<target>`` with ``ON DELETE CASCADE`` or
  ``RESTRICT``.

Names longer than PostgreSQL's 63 characters are cut and end with a hash, so
they are the same on every database and every run (Alembic compares them).
:func:`entity_metadata` gives a service's declared entities as one ``MetaData``
(for an Alembic ``env.py``'s ``target_metadata``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Column, ForeignKey, Index, MetaData, PrimaryKeyConstraint, Table

from repokit.domain.entity import Entity, declared_entities
from repokit.domain.entity_spec import EntitySpec, spec_of
from repokit.infrastructure.sql.entity_layout import ColumnPlan, entity_columns
from repokit.infrastructure.sql.mysql_ddl import MYSQL_TABLE_OPTIONS, index_options

MAX_NAME = 63
"""PostgreSQL's identifier limit."""
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""The convention of the entity ``MetaData`` (every name below is also given explicitly)."""


_ENTITIES: WeakKeyDictionary[Table, type[Entity]] = WeakKeyDictionary()
"""The entity of each generated table (kept off ``Table.info``, which Alembic would
write into revisions)."""


def object_name(prefix: str, table: str, *parts: str) -> str:
    """``prefix_table_part1_part2``, cut to 63 characters with a hash of the whole."""
    name = "_".join((prefix, table, *parts))
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def entity_metadata(models: Iterable[type[Entity]] | None = None) -> MetaData:
    """The tables of ``models`` (default: every declared entity but repokit's own users
    and workspaces), and of the entities they refer to, in a ``MetaData`` of their own.

    References to repokit's built-in entities point at repokit's tables (which the
    Alembic chain creates) without copying them in.
    """
    if models is None:
        models = service_entities()
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    for model in models:
        add_entity_table(metadata, spec_of(model))
    return metadata


def service_entities() -> list[type[Entity]]:
    """The declared entities whose tables :func:`entity_metadata` makes: every declared
    entity but repokit's own ``User`` and ``Workspace`` (the Alembic chain makes theirs)."""
    return [model for model in declared_entities() if not is_builtin(spec_of(model))]


def is_builtin(spec: EntitySpec) -> bool:
    """True for the declared entities whose table repokit's own Alembic chain creates."""
    from repokit.infrastructure.sql.tables import metadata as builtin

    table = builtin.tables.get(spec.table())
    return table is not None and _ENTITIES.get(table) is spec.model


def entity_of(table: Table) -> type[Entity]:
    """The declared entity whose table ``table`` is (KeyError for any other table)."""
    return _ENTITIES[table]


def add_entity_table(metadata: MetaData, spec: EntitySpec) -> Table:
    """The table of ``spec`` in ``metadata``, added (with its references' tables) if missing."""
    name = spec.table()
    known = metadata.tables.get(name)
    if known is not None:
        return known
    targets = {ref.field: _target_table(metadata, ref.target_spec) for ref in spec.refs}
    plans = entity_columns(spec)
    columns = [_column(name, plan, spec, targets) for plan in plans]
    table = Table(
        name,
        metadata,
        *columns,
        PrimaryKeyConstraint("id", name=object_name("pk", name)),
        **MYSQL_TABLE_OPTIONS,
    )
    _ENTITIES[table] = spec.model
    for group in spec.unique:
        Index(object_name("uq", name, *group), *_columns(table, group), unique=True)
    for group in spec.indexes:
        _add_index(table, spec, group)
    return table


def _target_table(metadata: MetaData, target: EntitySpec) -> Table:
    if is_builtin(target):
        from repokit.infrastructure.sql.tables import metadata as builtin

        return builtin.tables[target.table()]
    return add_entity_table(metadata, target)


def _column(
    table: str, plan: ColumnPlan, spec: EntitySpec, targets: dict[str, Table]
) -> Column[Any]:
    field = spec.field(plan.field)
    arguments: list[Any] = []
    if field.ref is not None and plan.name == field.name:
        target = targets[field.name]
        arguments.append(
            ForeignKey(
                target.c.id,
                ondelete=field.ref.on_delete.upper(),
                name=object_name("fk", table, field.name, target.name),
            )
        )
    return Column(plan.name, plan.type, *arguments, nullable=plan.nullable)


def _columns(table: Table, group: Sequence[str]) -> list[Column[Any]]:
    # A decimal's index is on its comparable column, which bears the field's name.
    return [table.c[name] for name in group]


def _add_index(table: Table, spec: EntitySpec, group: tuple[str, ...]) -> None:
    name = object_name("ix", table.name, *group)
    if len(group) == 1 and spec.field(group[0]).is_json:
        (field,) = group
        Index(
            name,
            table.c[field],
            postgresql_using="gin",
            postgresql_ops={field: "jsonb_path_ops"},
        ).ddl_if(dialect="postgresql")
        return
    columns = [*_columns(table, group), table.c.id]
    Index(name, *columns, **index_options(columns))


__all__ = [
    "MAX_NAME",
    "NAMING_CONVENTION",
    "add_entity_table",
    "entity_metadata",
    "entity_of",
    "is_builtin",
    "object_name",
    "service_entities",
]
