"""A declared entity's compiled SQL is made once per process and dialect flavour."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.entity_catalog import shared_entity_sql
from repokit.testing.examples import Order


def test_catalogs_of_one_flavour_share_the_entity_sql() -> None:
    first, second = Catalog(PGDialect_asyncpg()), Catalog(PGDialect_asyncpg())

    assert first.entity(Order) is second.entity(Order)


def test_another_driver_or_dialect_gets_its_own() -> None:
    asyncpg = Catalog(PGDialect_asyncpg()).entity(Order)
    psycopg = Catalog(PGDialect_psycopg()).entity(Order)
    sqlite = Catalog(SQLiteDialect_pysqlite()).entity(Order)

    assert asyncpg is not psycopg
    assert "$1" in asyncpg.statements.select_by_id.sql
    assert "%(" in psycopg.statements.select_by_id.sql
    assert sqlite not in (asyncpg, psycopg)


def test_another_server_version_gets_its_own() -> None:
    old, new = SQLiteDialect_pysqlite(), SQLiteDialect_pysqlite()
    old.server_version_info, new.server_version_info = (3, 30, 0), (3, 45, 0)
    catalog = Catalog(old)

    assert shared_entity_sql(Order, old, catalog.json) is not shared_entity_sql(
        Order, new, catalog.json
    )
