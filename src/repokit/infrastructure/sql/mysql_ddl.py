"""What every repokit table and index needs on MySQL / MariaDB, written once.

* Tables are InnoDB in ``utf8mb4`` with the binary collation ``utf8mb4_bin``:
  UTF-8 byte order is code-point order, so text compares and sorts exactly as on
  SQLite (``BINARY``) and PostgreSQL (``COLLATE "C"``), case-sensitively, and a
  server or database whose default is ``latin1`` or a case-insensitive collation
  changes nothing.
* A plain index cannot cover a ``TEXT`` column whole: its text columns are
  indexed on their first :data:`TEXT_PREFIX` characters, which still serves
  equality, ``$in`` and range filters (the rows found are re-checked). A unique
  index on ``TEXT`` needs no prefix on MariaDB, which enforces it with a hash
  (``USING HASH``); MySQL 8 refuses one, so unique text fields need MariaDB.

* A primary key is always named ``PRIMARY`` on MySQL, which warns (``1280``) about
  any other name; ``pk_<table>`` is left out of MySQL's DDL (the constraint stays
  named for the other databases and for Alembic's comparisons elsewhere).

Other dialects ignore ``mysql_*`` options, so these are passed everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, PrimaryKeyConstraint, String
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.types import TypeDecorator, TypeEngine

_DIALECT = mysql.dialect()

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}
"""Keyword arguments of every ``Table`` (and Alembic ``create_table``) for MySQL."""

TEXT_PREFIX = 255
"""Characters of a ``TEXT`` column a plain index holds (1,020 bytes of utf8mb4, inside
InnoDB's 3,072-byte key with room for the other columns)."""


def index_options(columns: Iterable[Column[Any]]) -> dict[str, Any]:
    """``Index`` keyword arguments giving the text columns among ``columns`` a prefix on MySQL."""
    lengths = {column.name: TEXT_PREFIX for column in columns if _is_text(column.type)}
    return {"mysql_length": lengths} if lengths else {}


@compiles(PrimaryKeyConstraint, "mysql")
def _unnamed_primary_key(constraint: PrimaryKeyConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    """``PRIMARY KEY (...)`` without the ``CONSTRAINT <name>`` MySQL ignores and warns about."""
    ddl = compiler.visit_primary_key_constraint(constraint, **kw)
    return re.sub(r"^CONSTRAINT \S+ ", "", ddl)


def _is_text(type_: TypeEngine[Any]) -> bool:
    """True when ``type_`` is stored as a ``TEXT`` kind on MySQL (a decorator's MySQL form
    counts): a string of no declared length (``LONGTEXT`` is a ``String``, not a ``Text``)."""
    if isinstance(type_, TypeDecorator):
        type_ = type_.load_dialect_impl(_DIALECT)
    return isinstance(type_, String) and type_.length is None


__all__ = ["MYSQL_TABLE_OPTIONS", "TEXT_PREFIX", "index_options"]
