"""A service's own Alembic revisions for its declared entities, beside repokit's chain.

For production, where schema changes are reviewed: the service keeps a folder
of revisions (``migrations/``) with a version table of its own
(``alembic_version_app``), so its history never mixes with repokit's.

* :func:`generate_revision` writes a revision into the folder: Alembic's
  autogenerate compares the declared entities (:func:`~.entity_tables.entity_metadata`
  after importing the modules that declare them) with the database. The first
  call sets the folder up (``env.py``, ``script.py.mako``, ``versions/``).
  Column types are written for both dialects (``with_variant``), and a new
  required column gets its field's static default as a server default.
* :func:`upgrade_app` applies the folder's revisions (after repokit's chain).
* :func:`check` lists every difference between the declarations, repokit's
  chain, the folder's revisions and the database (empty: in step), for a CI.

The folder's ``env.py`` only calls :func:`run_environment`, which reads the URL
and the entity modules from the Alembic ``Config`` these functions pass.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.autogenerate import rewriter
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DefaultClause, MetaData, text
from sqlalchemy.engine import Connection

from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.sql.entity_layout import entity_columns
from repokit.infrastructure.sql.entity_schema import (
    schema_differences,
    sql_literal,
    teach_vector_type,
)
from repokit.infrastructure.sql.entity_tables import entity_metadata, entity_of
from repokit.infrastructure.sql.migration_checks import (
    check_sqlite_foreign_keys,
    migration_lock,
)
from repokit.infrastructure.sql.migration_lock import alembic_lock
from repokit.infrastructure.sql.migration_url import connect, create_migration_engine, migration_url
from repokit.infrastructure.sql.migrations import (
    AppliedRevision,
    Progress,
    current_revision_of,
    head_revision,
    progress_hook,
    repokit_errors,
)
from repokit.infrastructure.sql.types import (
    CalendarDate,
    CodePointText,
    DecimalKey,
    UtcDateTime,
    UUIDType,
)

APP_VERSION_TABLE = "alembic_version_app"
"""The version table of a service's own revisions (repokit's chain has ``alembic_version``)."""

_ENV = '''"""Alembic environment of this service's declared entities (written by repokit).

repokit runs it: `repokit migrations generate "message" --entities your.module --dir <here>`
writes a revision, `repokit migrate --dir <here>` applies repokit's revisions, then these.
"""

from repokit.infrastructure.sql.app_migrations import run_environment

run_environment()
'''
_TEMPLATE = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''
_PORTABLE_TYPES: dict[type, str] = {
    UUIDType: "sa.LargeBinary(length=16)"
    ".with_variant(postgresql.UUID(as_uuid=True), 'postgresql')"
    ".with_variant(mysql.BINARY(16), 'mysql')",
    UtcDateTime: "sa.BigInteger()"
    ".with_variant(postgresql.TIMESTAMP(timezone=True), 'postgresql')"
    ".with_variant(mysql.DATETIME(fsp=6), 'mysql')",
    CodePointText: "sa.Text()"
    ".with_variant(postgresql.TEXT(collation='C'), 'postgresql')"
    ".with_variant(mysql.LONGTEXT(), 'mysql')",
    DecimalKey: "sa.Text()"
    ".with_variant(sa.Numeric(), 'postgresql')"
    ".with_variant(mysql.VARCHAR(40, charset='ascii', collation='ascii_bin'), 'mysql')",
    CalendarDate: "sa.Text()"
    ".with_variant(postgresql.DATE(), 'postgresql')"
    ".with_variant(mysql.DATE(), 'mysql')",
}
"""How a revision spells repokit's column types: their storage on every dialect, so the
revision does not import repokit's types (which may change) and runs on any of them."""


def import_entities(modules: Iterable[str]) -> None:
    """Import the modules that declare the entities (from the working directory too)."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigurationError(f"cannot import the entity module {name!r}: {exc}") from exc


def app_config(directory: Path, url: str | None, modules: Sequence[str] = ()) -> Config:
    """An Alembic ``Config`` for the service's folder ``directory`` (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    config.attributes["url"] = url
    config.attributes["entities"] = list(modules)
    return config


def ensure_folder(directory: Path) -> bool:
    """Set up ``directory`` as a revisions folder; True when it was new."""
    created = not (directory / "env.py").exists()
    (directory / "versions").mkdir(parents=True, exist_ok=True)
    if created:
        (directory / "env.py").write_text(_ENV, encoding="utf-8")
    template = directory / "script.py.mako"
    if not template.exists():
        template.write_text(_TEMPLATE, encoding="utf-8")
    return created


def generate_revision(
    directory: Path, message: str, modules: Sequence[str], url: str | None = None
) -> Path | None:
    """Write a revision for what the declarations add or change; None when nothing differs.

    The database ``url`` must be at the folder's head (run ``upgrade_app`` first).
    """
    import_entities(modules)
    ensure_folder(directory)
    config = app_config(directory, url, modules)
    with alembic_lock(), repokit_errors(url):
        script = command.revision(config, message=message, autogenerate=True)
    if script is None or isinstance(script, list):
        return None
    return Path(script.path)


def upgrade_app(
    directory: Path, url: str | None = None, progress: Progress | None = None
) -> list[AppliedRevision]:
    """Apply the folder's revisions up to its head, in one transaction."""
    if not (directory / "env.py").exists():
        raise ConfigurationError(
            f"{directory} has no revisions: write one with "
            f'`repokit migrations generate "message" --entities your.module --dir {directory}`'
        )
    applied: list[AppliedRevision] = []

    def hear(step: AppliedRevision) -> None:
        applied.append(step)
        if progress is not None:
            progress(step)

    config = app_config(directory, url)
    config.attributes["on_version_apply"] = progress_hook(hear)
    with alembic_lock(), repokit_errors(url):
        command.upgrade(config, "heads")
    return applied


def check(url: str | None, modules: Sequence[str], directory: Path | None = None) -> list[str]:
    """Every difference between the declarations, the revisions and the database."""
    import_entities(modules)
    metadata = entity_metadata()
    sync_url = migration_url(url)
    engine = create_migration_engine(sync_url)
    try:
        with repokit_errors(url), connect(engine, sync_url) as connection:
            problems = _chain_problems(connection, directory)
            problems += schema_differences(connection, metadata)
    finally:
        engine.dispose()
    return problems


def _chain_problems(connection: Connection, directory: Path | None) -> list[str]:
    problems: list[str] = []
    current, head = current_revision_of(connection), head_revision()
    if current != head:
        problems.append(f"repokit's schema is at revision {current}, not {head}: run migrate")
    if directory is not None:
        heads = set(ScriptDirectory(str(directory)).get_heads())
        stored = MigrationContext.configure(connection, opts={"version_table": APP_VERSION_TABLE})
        at = set(stored.get_current_heads())
        if at != heads:
            problems.append(
                f"the revisions of {directory} are at {sorted(at) or 'none'}, not at their "
                f"head {sorted(heads)}: run `repokit migrate --dir {directory}`"
            )
    return problems


# -- the folder's env.py ---------------------------------------------------------------


def run_environment() -> None:
    """The body of the folder's ``env.py``: migrate, or autogenerate, in one transaction."""
    config = context.config
    import_entities(config.attributes.get("entities") or ())
    metadata = entity_metadata()
    url = migration_url(config.attributes.get("url"))
    engine = create_migration_engine(url)
    try:
        with connect(engine, url) as connection:
            teach_vector_type(connection.dialect.name)
            context.configure(
                connection=connection,
                target_metadata=metadata,
                version_table=APP_VERSION_TABLE,
                include_name=_include_name(metadata),
                include_object=_include_object(metadata, connection.dialect.name),
                render_item=_render_item,
                process_revision_directives=_server_defaults(metadata, connection),
                compare_type=True,
                render_as_batch=True,
                transactional_ddl=True,
                transaction_per_migration=False,
                on_version_apply=config.attributes.get("on_version_apply"),
            )
            with migration_lock(connection), context.begin_transaction():
                context.run_migrations()
                check_sqlite_foreign_keys(connection)
    finally:
        engine.dispose()


def _include_name(metadata: MetaData) -> Any:
    def include(name: str | None, type_: str, parents: Any) -> bool:
        return type_ != "table" or name in metadata.tables

    return include


def _include_object(metadata: MetaData, dialect: str) -> Any:
    # An index for another dialect only (a GIN index) is left out on both sides.
    elsewhere = {
        index.name
        for table in metadata.tables.values()
        for index in table.indexes
        if (condition := getattr(index, "_ddl_if", None)) is not None
        and condition.dialect not in (None, dialect)
    }

    def include(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        return not (type_ == "index" and name in elsewhere)

    return include


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    if type_ != "type":
        return False
    spelled = _PORTABLE_TYPES.get(type(obj))
    if spelled is None and isinstance(obj, JSON):
        spelled = "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    if spelled is None:
        return False
    autogen_context.imports.add("from sqlalchemy.dialects import mysql, postgresql")
    return spelled


def _server_defaults(metadata: MetaData, connection: Connection) -> Any:
    """A required column added to a stored table gets its field's static default."""
    writer = rewriter.Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column(context: Any, revision: Any, op: ops.AddColumnOp) -> ops.AddColumnOp:
        column = op.column
        table = metadata.tables.get(op.table_name)
        if column.nullable or table is None or column.server_default is not None:
            return op
        spec = spec_of(entity_of(table))
        plan = next(p for p in entity_columns(spec) if p.name == column.name)
        field = spec.field(plan.field)
        if field.has_default:
            literal_sql = sql_literal(plan, field.default, connection.dialect)
            column.server_default = DefaultClause(text(literal_sql))
        return op

    def directives(context: Any, revision: Any, directives: list[Any]) -> None:
        writer(context, revision, directives)
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []  # nothing differs: write no revision

    return directives


__all__ = [
    "APP_VERSION_TABLE",
    "app_config",
    "check",
    "ensure_folder",
    "generate_revision",
    "import_entities",
    "run_environment",
    "upgrade_app",
]
