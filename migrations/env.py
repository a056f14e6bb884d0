"""Alembic environment for repokit.

The database comes from, in order: a connection handed over by
``store.migrate()`` (``config.attributes["connection"]``), a URL handed over by
repokit's runner (``config.attributes["url"]``), ``-x url=...``,
``sqlalchemy.url`` in ``alembic.ini``, then repokit's settings
(``REPOKIT_DATABASE_URL`` / ``DATABASE_URL``, else the default). URLs are
normalised to synchronous drivers (psycopg, sqlite3); ``embedded`` starts the
embedded server.

The embedding dimension comes from ``config.attributes["embedding_dim"]``,
``-x embedding_dim=...``, then ``REPOKIT_EMBEDDING_DIM``; the revisions read it
back from ``config.attributes["embedding_dim"]``.

Revisions are hand-written DDL, so there is no ``target_metadata``:
``tests/integration/test_migrations.py`` checks that the migrated schema is the
one ``repokit.infrastructure.sql.tables`` declares. Every run is one
transaction (``transactional_ddl``: SQLite's DDL is transactional too).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy.engine import Connection

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import load_settings
from repokit.infrastructure.sql.migration_checks import (
    check_embedding_dim,
    check_sqlite_foreign_keys,
    migration_lock,
)
from repokit.infrastructure.sql.migration_url import (
    connect,
    create_migration_engine,
    migration_url,
)

config = context.config
target_metadata = None

if config.config_file_name is not None:
    # The `alembic` command with alembic.ini: log each revision as it runs.
    # repokit's runner passes no ini file and reports progress itself.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _x_arguments() -> dict[str, str]:
    return context.get_x_argument(as_dictionary=True)


def _given_url() -> str | None:
    url = (
        config.attributes.get("url")
        or _x_arguments().get("url")
        or config.get_main_option("sqlalchemy.url")
    )
    return url or None  # an empty sqlalchemy.url in alembic.ini means "from the settings"


def _embedding_dim() -> int:
    """Resolve the dimension once and leave it where the revisions read it."""
    value = config.attributes.get("embedding_dim") or _x_arguments().get("embedding_dim")
    if value is None:
        dim = load_settings().embedding_dim
    else:
        try:
            dim = int(value)
        except ValueError:
            raise ConfigurationError(f"embedding_dim must be an integer, not {value!r}") from None
    if not 1 <= dim <= 16_000:
        raise ConfigurationError(f"embedding_dim must be between 1 and 16000, not {dim}")
    config.attributes["embedding_dim"] = dim
    return dim


def _configure(**options: Any) -> list[object]:
    """``context.configure`` with repokit's options; returns the list of applied steps."""
    applied: list[object] = []
    report = config.attributes.get("on_version_apply")

    def on_version_apply(
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        applied.append(step)
        if report is not None:
            report(ctx=ctx, step=step, heads=heads, run_args=run_args)

    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite rebuilds tables for ALTERs; elsewhere a no-op
        transactional_ddl=True,  # one transaction for the whole run, SQLite included
        transaction_per_migration=False,
        on_version_apply=on_version_apply,
        **options,
    )
    return applied


def run_migrations_offline() -> None:
    """Write the DDL as SQL text (``alembic upgrade head --sql``, ``repokit migrate --sql``)."""
    _embedding_dim()
    _configure(
        url=migration_url(_given_url(), start_embedded=False),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _is_downgrade() -> bool:
    """True for repokit's ``downgrade()`` and for ``alembic downgrade``."""
    if config.attributes.get("downgrading"):
        return True
    command: tuple[Any, ...] = getattr(config.cmd_opts, "cmd", None) or ()  # alembic's CLI
    return bool(command) and getattr(command[0], "__name__", "") == "downgrade"


def _migrate(connection: Connection) -> None:
    dim = _embedding_dim()
    applied = _configure(connection=connection)
    # A handed-over connection already in a transaction stays its owner's to end:
    # begin_transaction() is then a no-op.
    with migration_lock(connection), context.begin_transaction():
        # Going down to rebuild with another dimension must stay possible.
        if not _is_downgrade():
            check_embedding_dim(connection, dim)
        context.run_migrations()
        if applied:
            check_sqlite_foreign_keys(connection)


def run_migrations_online() -> None:
    """Migrate a live database in one transaction."""
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = migration_url(_given_url())
    engine = create_migration_engine(url)
    try:
        with connect(engine, url) as connection:
            _migrate(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
