"""The keyset condition compiles per dialect: a row value where an index serves one,
the expanded form on MySQL (which reads a whole index for a row value)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import mysql, postgresql, sqlite

from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.paging import START, Beyond, after_position

documents = tables.documents


def where_clause(dialect: object, condition: object) -> str:
    statement = select(documents.c.id).where(condition, documents.c.title == "t")  # type: ignore[arg-type]
    sql = str(statement.compile(dialect=dialect))  # type: ignore[arg-type]
    return " ".join(sql.split("WHERE", 1)[1].split())


def test_sqlite_and_postgresql_compare_a_row_value() -> None:
    condition = after_position(documents.c.created_at, documents.c.id, START)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert where_clause(dialect, condition).startswith("(documents.created_at, documents.id) >")


def test_mysql_gets_the_expanded_form_in_parentheses_without_a_boolean_cast() -> None:
    condition = after_position(documents.c.created_at, documents.c.id, START)
    assert where_clause(mysql.dialect(), condition) == (
        "(documents.created_at > %s OR documents.created_at = %s AND documents.id > %s) "
        "AND documents.title = %s"
    )


def test_a_descending_keyset_compares_downwards_in_both_forms() -> None:
    position = (documents.c.created_at, documents.c.id)
    condition = Beyond(position, position, descending=True)
    assert "<" in where_clause(sqlite.dialect(), condition)
    assert ">" not in where_clause(mysql.dialect(), condition).split("AND documents.title")[0]
