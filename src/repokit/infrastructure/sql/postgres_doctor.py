"""``repokit doctor`` on PostgreSQL: what the vector search needs, checked in order.

1. the server is reachable (and which PostgreSQL it is);
2. pgvector is available on the server, in a version with iterative scans (0.8);
3. the schema is at this repokit's newest revision;
4. the HNSW index on ``chunks.embedding`` exists and is valid;
5. the search settings in force on repokit's connections (``hnsw.ef_search``,
   ``hnsw.iterative_scan``, ``statement_timeout``).

Each check is one :class:`Check`, saying what was found and, when it fails, what
to do. The checks stop at the first failure that makes the later ones
meaningless: a server without pgvector is reported as such, not as a schema to
migrate. The connection is opened exactly as the store opens its own (same
engine, same session settings), so step 5 shows what searches really run with.
"""

from __future__ import annotations

from repokit.domain.errors import RepokitError
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.diagnosis_check import Check
from repokit.infrastructure.sql.chunks import HNSW_INDEX_NAME
from repokit.infrastructure.sql.driver_postgres import PostgresConnection, create_postgres_engine
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, driver_error, translate_error
from repokit.infrastructure.sql.migrations import head_revision
from repokit.infrastructure.sql.postgres import parse_postgres_url
from repokit.infrastructure.sql.search_tuning import stored_ef_search
from repokit.infrastructure.sql.tables import HNSW_OPTIONS

ITERATIVE_SCAN_VERSION = (0, 8)
"""The first pgvector with ``hnsw.iterative_scan`` (filtered searches that find k hits)."""


async def diagnose_postgres(url: str, settings: Settings) -> list[Check]:
    """The checks of the module docstring for the PostgreSQL database at ``url``."""
    target = redact_url(url)
    engine = create_postgres_engine(parse_postgres_url(url), settings)
    checks: list[Check] = []
    try:
        try:
            connection = await PostgresConnection.open(engine)
        except DRIVER_ERRORS as exc:
            error = translate_error(exc)
            error.__cause__ = driver_error(exc)
            return [_unreachable(target, error)]
        except RepokitError as exc:
            return [_unreachable(target, exc)]
        try:
            await _run_checks(connection, target, settings, checks)
        except DRIVER_ERRORS as exc:
            checks.append(Check("query", False, f"a check failed: {translate_error(exc)}"))
        finally:
            await connection.close()
    finally:
        await engine.dispose()
    return checks


def _unreachable(target: str, error: BaseException) -> Check:
    return Check(
        "reachable",
        False,
        f"cannot reach {target}: {str(error).rstrip('.')}. Check the URL "
        "(REPOKIT_DATABASE_URL), that the "
        "server runs and that it accepts this user.",
    )


async def _run_checks(
    connection: PostgresConnection, target: str, settings: Settings, checks: list[Check]
) -> None:
    version = await connection.fetch_one("SHOW server_version")
    checks.append(
        Check("reachable", True, f"{target} answers (PostgreSQL {version[0] if version else '?'})")
    )
    pgvector = await _pgvector(connection)
    checks.append(pgvector)
    if not pgvector.ok:
        return
    schema = await _schema(connection)
    checks.append(schema)
    if not schema.ok:
        return
    index = await _index(connection)
    checks.append(index)
    checks.append(await _settings(connection, settings))


async def _pgvector(connection: PostgresConnection) -> Check:
    row = await connection.fetch_one(
        "SELECT default_version, installed_version FROM pg_available_extensions "
        "WHERE name = 'vector'"
    )
    if row is None:
        return Check(
            "pgvector",
            False,
            "pgvector is not available on this server: install it on the server (the "
            "postgresql-<major>-pgvector package, or the pgvector/pgvector Docker image), "
            "or use the embedded server (REPOKIT_DATABASE_URL=embedded); then run "
            "`repokit migrate`",
        )
    available, installed = row[0], row[1]
    if installed is None:
        return Check(
            "pgvector",
            True,
            f"pgvector {available} is available; `repokit migrate` creates it in this database",
        )
    if _version(installed) < ITERATIVE_SCAN_VERSION:
        update = (
            "run ALTER EXTENSION vector UPDATE"
            if _version(available) >= ITERATIVE_SCAN_VERSION
            else "upgrade the server's pgvector package, then run ALTER EXTENSION vector UPDATE"
        )
        return Check(
            "pgvector",
            False,
            f"pgvector {installed} has no iterative scan, so filtered searches can return "
            f"fewer than k hits: {update} (0.8 or later)",
        )
    return Check("pgvector", True, f"pgvector {installed} is installed")


async def _schema(connection: PostgresConnection) -> Check:
    head = head_revision()
    exists = await connection.fetch_one("SELECT to_regclass('alembic_version') IS NOT NULL")
    current = None
    if exists is not None and exists[0]:
        row = await connection.fetch_one("SELECT version_num FROM alembic_version LIMIT 1")
        current = None if row is None else row[0]
    if current is None:
        return Check("schema", False, "the database has no repokit schema: run `repokit migrate`")
    if current != head:
        return Check(
            "schema",
            False,
            f"the schema is at revision {current}, this repokit's newest is {head}: run "
            "`repokit migrate` (a newer repokit's schema needs that version of repokit)",
        )
    return Check("schema", True, f"the schema is at the newest revision ({head})")


async def _index(connection: PostgresConnection) -> Check:
    row = await connection.fetch_one(
        "SELECT i.indisvalid, i.indisready, pg_get_indexdef(i.indexrelid), "
        "pg_size_pretty(pg_relation_size(i.indexrelid)) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1",
        (HNSW_INDEX_NAME,),
    )
    if row is None:
        return Check(
            "vector index",
            False,
            f"the HNSW index {HNSW_INDEX_NAME} is missing, so every search scans all chunks: "
            "run `repokit migrate` (it builds it)",
        )
    valid, ready, definition, size = row
    if not (valid and ready):
        return Check(
            "vector index",
            False,
            f"the HNSW index {HNSW_INDEX_NAME} is not valid (an interrupted build): run "
            f"REINDEX INDEX {HNSW_INDEX_NAME}",
        )
    expected = ", ".join(f"{name}='{value}'" for name, value in HNSW_OPTIONS.items())
    if "vector_cosine_ops" not in definition or expected not in definition:
        return Check(
            "vector index",
            False,
            f"{HNSW_INDEX_NAME} is not the index repokit builds ({definition}): drop it and "
            "run `repokit migrate`",
        )
    return Check("vector index", True, f"{HNSW_INDEX_NAME} is valid ({size}, {expected})")


async def _settings(connection: PostgresConnection, settings: Settings) -> Check:
    # Loads pgvector's library, so its settings are read as pgvector checks them.
    await connection.fetch_one("SELECT '[1]'::vector <=> '[1]'::vector")
    row = await connection.fetch_one(
        "SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan'), "
        "current_setting('statement_timeout')"
    )
    ef_search, iterative, timeout = row if row is not None else ("?", "?", "?")
    found = f"hnsw.ef_search={ef_search}, hnsw.iterative_scan={iterative}, "
    found += f"statement_timeout={timeout}"
    if str(ef_search) != str(settings.hnsw_ef_search) or iterative != settings.hnsw_iterative_scan:
        return Check(
            "search settings",
            False,
            f"{found}, but the configuration asks for hnsw.ef_search="
            f"{settings.hnsw_ef_search}, hnsw.iterative_scan={settings.hnsw_iterative_scan}: "
            "check for a server setting that overrides them",
        )
    if iterative == "off":
        return Check(
            "search settings",
            False,
            f"{found}: filtered searches can return fewer than k hits; set "
            "REPOKIT_HNSW_ITERATIVE_SCAN=relaxed_order",
        )
    tuned = await stored_ef_search(connection)
    if tuned is not None:
        if "hnsw_ef_search" in settings.model_fields_set:
            found += f"; the tuned hnsw.ef_search={tuned} is overridden by REPOKIT_HNSW_EF_SEARCH"
        else:
            found += f"; searches run at the tuned hnsw.ef_search={tuned} (`repokit tune`)"
    return Check("search settings", True, f"in force: {found}")


def _version(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


__all__ = ["ITERATIVE_SCAN_VERSION", "diagnose_postgres"]
