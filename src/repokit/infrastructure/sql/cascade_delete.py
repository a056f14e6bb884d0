"""Deletes whose cascades grow with the data, as statements that each finish well
inside the statement timeout (PostgreSQL).

A document's delete cascades to its chunks; a workspace's to its ACL, its
documents and their chunks; a declared entity's to the entities that refer to it
with ``Ref(..., on_delete="cascade")``, and on from them. As one statement such a
delete grows with every row it reaches, and PostgreSQL's ``statement_timeout``
would cancel a big one. So on a connection with a statement timeout the rows the
delete would cascade to are deleted first, deepest first, in parts sized by
:mod:`.write_parts` (a part the server cancels is retried smaller), all in the
delete's transaction; the row itself
goes last, its cascade then reaching nothing. A ``restrict`` reference met on
the way fails the transaction, so nothing is deleted, as before.

The cascading references are read from the database's own catalog
(``pg_constraint``), so every table that refers to the row is covered, whoever
declared it; they are read once per connection (connections are recycled every
``REPOKIT_POOL_RECYCLE_S``). A reference added later by another process is
missed until then, and the delete's own cascade removes its rows in one
statement, as before.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.write_parts import RETRIES, PartSizer, first_part_rows, run_part

DELETE_ROWS_PER_S = 20_000.0
"""A conservative rate of cascade deletes: it sizes the first part (later parts follow
the measured rate)."""

_FACT = "cascading_references"
_CASCADING_REFERENCES = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, pa.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.confdeltype = 'c' AND cardinality(c.conkey) = 1
"""


@dataclass(frozen=True, slots=True)
class Reference:
    """``child.column`` refers to ``parent.parent_column`` with ``ON DELETE CASCADE``."""

    child: str
    column: str
    parent: str
    parent_column: str


def cascade_paths(root: str, references: Sequence[Reference]) -> list[list[Reference]]:
    """Every chain of cascading references down from table ``root``, deepest first.

    A table already on a chain is not entered again (a self-reference or a cycle).
    """
    paths: list[list[Reference]] = []

    def descend(table: str, path: list[Reference], seen: frozenset[str]) -> None:
        for reference in references:
            if reference.parent == table and reference.child not in seen:
                longer = [*path, reference]
                descend(reference.child, longer, seen | {reference.child})
                paths.append(longer)

    descend(root, [], frozenset({root}))
    return paths


def part_delete_sql(root: str, path: Sequence[Reference]) -> str:
    """Delete at most ``$2`` rows of the path's last table reached from ``root.id = $1``;
    the statement returns how many it deleted."""
    joins = [f"{root} t0"]
    for depth, reference in enumerate(path, start=1):
        joins.append(
            f"JOIN {reference.child} t{depth} ON t{depth}.{_quote(reference.column)} "
            f"= t{depth - 1}.{_quote(reference.parent_column)}"
        )
    last = len(path)
    # By ctid: the part's rows are found by the join, then deleted by their address.
    return (
        f"WITH gone AS (DELETE FROM {path[-1].child} WHERE ctid = ANY(ARRAY("
        f"SELECT t{last}.ctid FROM {' '.join(joins)} WHERE t0.id = $1 LIMIT $2"
        ")) RETURNING 1) SELECT count(*) FROM gone"
    )


async def delete_cascades_in_parts(connection: SqlConnection, table: str, key: Any) -> None:
    """Delete, in parts, every row that deleting ``table``'s row ``key`` would cascade to.

    Nothing where the connection has no statement timeout (SQLite): there the
    delete's own cascade runs without a limit. Call it inside the delete's
    transaction, before the delete.
    """
    limit = connection.statement_timeout_s
    if not limit:
        return
    facts = connection.schema_facts
    references: list[Reference] | None = facts.get(_FACT)
    if references is None:
        rows = await connection.fetch_all(_CASCADING_REFERENCES)
        references = facts[_FACT] = [Reference(*row) for row in rows]
    deleted: list[int] = []

    async def delete_part(sql: str, asked: int) -> None:
        found = await connection.fetch_one(sql, (key, asked))
        deleted.append(int(found[0]) if found is not None else 0)

    for path in cascade_paths(table, references):
        sql = part_delete_sql(table, path)
        sizer = PartSizer(limit, first_part_rows(limit, DELETE_ROWS_PER_S))
        retries = RETRIES
        while True:
            asked = sizer.size
            began = time.monotonic()
            retry = retries > 0 and asked > 1
            if not await run_part(connection, partial(delete_part, sql, asked), retry=retry):
                retries -= 1
                sizer.cancelled(asked)
                continue
            if deleted[-1] < asked:
                break
            sizer.measured(deleted[-1], time.monotonic() - began)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


__all__ = ["Reference", "cascade_paths", "delete_cascades_in_parts", "part_delete_sql"]
