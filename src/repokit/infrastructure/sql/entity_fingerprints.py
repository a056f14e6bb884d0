"""What ``store.migrate()`` last made each declared entity's table from, to skip re-checking.

Comparing the declarations with the database reflects every table (Alembic's
``compare_metadata``), which costs far more than the rest of a migration that
finds nothing to do. So after a comparison has found the database in step (or
made it so), a fingerprint of each table's DDL for the dialect is recorded in
``schema_settings`` (``entity:<table>``); a later run whose declarations give
the same fingerprints skips the comparison. A change to a declaration changes
its fingerprint, so the next run compares again. ``repokit migrations check``
always compares.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, Table, delete, insert, inspect, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from repokit.infrastructure.sql.tables import schema_settings

_PREFIX = "entity:"


def fingerprints(metadata: MetaData, dialect: Dialect) -> dict[str, str]:
    """``{"entity:<table>": digest}`` of every table of ``metadata`` on ``dialect``."""
    return {_PREFIX + table.name: _digest(table, dialect) for table in metadata.sorted_tables}


def unchanged(connection: Connection, prints: dict[str, str]) -> bool:
    """True when every fingerprint is the one recorded by the last run and every table
    is still there (a table dropped by hand is made again)."""
    name, value = schema_settings.c.name, schema_settings.c.value
    rows = connection.execute(select(name, value).where(name.in_(list(prints)))).all()
    if dict(rows) != prints:
        return False
    tables = {key.removeprefix(_PREFIX) for key in prints}
    return tables <= set(inspect(connection).get_table_names())


def record(connection: Connection, prints: dict[str, str]) -> None:
    """Remember ``prints`` as what the database now holds."""
    connection.execute(delete(schema_settings).where(schema_settings.c.name.in_(list(prints))))
    connection.execute(
        insert(schema_settings), [{"name": key, "value": value} for key, value in prints.items()]
    )


def _digest(table: Table, dialect: Dialect) -> str:
    statements = [str(CreateTable(table).compile(dialect=dialect))]
    statements += [
        str(CreateIndex(index).compile(dialect=dialect))
        for index in sorted(table.indexes, key=lambda index: str(index.name))
        if (condition := getattr(index, "_ddl_if", None)) is None
        or condition.dialect in (None, dialect.name)
    ]
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()


__all__ = ["fingerprints", "record", "unchanged"]
