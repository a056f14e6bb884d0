"""Running the Alembic revisions: upgrade, downgrade, current revision, offline SQL.

Two callers: ``SqlStore.migrate()`` hands over its own connection, already in
a transaction (:func:`upgrade_connection`, through ``run_sync``, holding
:mod:`.migration_lock`), and the
``repokit migrate`` command gives a URL (:func:`upgrade` and friends), for
which ``migrations/env.py`` opens a synchronous engine. Either way the whole
run is one transaction, and ``progress`` hears of each revision once it is
applied.

The script directory is looked up inside the installed package first
(``repokit/_migrations``, put there by the wheel build) and then in the source
checkout (``<repo>/migrations``).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from repokit.domain.errors import BackendUnavailableError, ConfigurationError, RepokitError
from repokit.infrastructure.config import redact_url
from repokit.infrastructure.sql.entity_schema import ensure_entities
from repokit.infrastructure.sql.entity_tables import service_entities
from repokit.infrastructure.sql.migration_checks import (
    INSUFFICIENT_PRIVILEGE,
    check_embedding_dim,
    migration_lock,
    sqlstate,
)
from repokit.infrastructure.sql.migration_lock import alembic_lock
from repokit.infrastructure.sql.migration_replay import is_empty_sqlite, upgrade_empty
from repokit.infrastructure.sql.migration_url import (
    connect,
    create_migration_engine,
    migration_url,
)

_PACKAGED_SCRIPTS = "_migrations"
_CHECKOUT_SCRIPTS = Path(__file__).resolve().parents[4] / "migrations"


@dataclass(frozen=True, slots=True)
class AppliedRevision:
    """One revision a run applied (or, going down, undid)."""

    revision: str
    message: str
    upgrade: bool = True


Progress = Callable[[AppliedRevision], None]
"""Called once per revision, right after it ran (still inside the transaction)."""


def script_location() -> str:
    """Where the revisions are: the installed package's copy, else the source checkout.

    Raises:
        ConfigurationError: neither exists (a broken installation).
    """
    packaged = resources.files("repokit").joinpath(_PACKAGED_SCRIPTS)
    if packaged.is_dir():
        return str(packaged)
    if _CHECKOUT_SCRIPTS.is_dir():
        return str(_CHECKOUT_SCRIPTS)
    raise ConfigurationError(
        "repokit's migration scripts are missing: reinstall repokit, or run from a source checkout"
    )


def alembic_config(
    *,
    url: str | None = None,
    connection: Connection | None = None,
    embedding_dim: int | None = None,
    progress: Progress | None = None,
    output: io.StringIO | None = None,
) -> Config:
    """An Alembic ``Config`` for repokit's revisions, with no ``alembic.ini`` needed.

    The URL travels in ``attributes`` rather than ``sqlalchemy.url``: the ini
    option goes through ``ConfigParser`` interpolation, where a ``%`` in a
    password would break.
    """
    config = Config(output_buffer=output) if output is not None else Config()
    config.set_main_option("script_location", script_location())
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    if embedding_dim is not None:
        config.attributes["embedding_dim"] = embedding_dim
    if progress is not None:
        config.attributes["on_version_apply"] = progress_hook(progress)
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision id of this repokit version.

    Cached: the scripts ship with the package and do not change while it runs, and
    reading them imports every revision file again.
    """
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the repository always ships revisions
        raise ConfigurationError("repokit ships no migration revisions")
    return head


def current_revision_of(connection: Connection) -> str | None:
    """The revision ``connection``'s database is at; None when never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_connection(
    connection: Connection,
    *,
    embedding_dim: int,
    progress: Progress | None = None,
    target: str = "head",
) -> list[AppliedRevision]:
    """Upgrade the database of ``connection`` inside the transaction the caller opened.

    The caller holds :func:`~.migration_lock.async_alembic_lock` (or
    ``alembic_lock``) and commits or rolls back; nothing here does. (Alembic leaves a
    connection that is already in a transaction to its owner; SQLAlchemy marks
    one as such only after its first statement, hence the ``begin()`` below,
    which on a driver-autocommit connection sends nothing to the database.)
    """
    if not connection.in_transaction():
        connection.begin()
    config = alembic_config(connection=connection, embedding_dim=embedding_dim)
    # For messages only: SQLAlchemy's URL string hides the password.
    config.attributes["where"] = str(connection.engine.url)
    return _upgrade(config, progress, target)


def migrate_connection(
    connection: Connection, *, embedding_dim: int, progress: Progress | None = None
) -> list[AppliedRevision]:
    """``store.migrate()``'s work, in the caller's transaction: repokit's revisions up to
    head, then every declared entity made storable by adding what it lacks
    (:func:`~.entity_schema.ensure_entities`).

    A database already at head skips Alembic (whose environment, revision files
    included, is loaded again on every run: most of the cost of opening a store)
    after the same checks ``env.py`` makes, under the same lock. A new, empty SQLite
    database replays the statements of the process's first such upgrade
    (:mod:`.migration_replay`).
    """
    revision = current_revision_of(connection)
    if revision == head_revision():
        with migration_lock(connection):
            check_embedding_dim(connection, embedding_dim)
            ensure_entities(connection, service_entities())
        return []

    def upgrade() -> list[AppliedRevision]:
        return upgrade_connection(connection, embedding_dim=embedding_dim, progress=progress)

    if revision is None and is_empty_sqlite(connection):
        # A new SQLite database (every ``:memory:`` store): see .migration_replay.
        applied = upgrade_empty(
            connection,
            embedding_dim=embedding_dim,
            head=head_revision(),
            upgrade=upgrade,
            progress=progress,
        )
    else:
        applied = upgrade()
    ensure_entities(connection, service_entities())
    return applied


def upgrade(
    url: str | None = None,
    *,
    embedding_dim: int | None = None,
    progress: Progress | None = None,
    target: str = "head",
) -> list[AppliedRevision]:
    """Upgrade the database ``url`` names (default: the configured one) in one transaction."""
    with alembic_lock():
        return _upgrade(alembic_config(url=url, embedding_dim=embedding_dim), progress, target)


def downgrade(
    url: str | None = None,
    *,
    target: str = "base",
    embedding_dim: int | None = None,
    progress: Progress | None = None,
) -> list[AppliedRevision]:
    """Undo revisions down to ``target`` (``"base"``: an empty schema) in one transaction."""
    applied: list[AppliedRevision] = []
    config = alembic_config(
        url=url, embedding_dim=embedding_dim, progress=_collect(applied, progress)
    )
    config.attributes["downgrading"] = True
    with alembic_lock(), repokit_errors(url):
        command.downgrade(config, target)
    return applied


def current_revision(url: str | None = None) -> str | None:
    """The revision the database ``url`` names is at; None when never migrated."""
    with repokit_errors(url):
        sync_url = migration_url(url)
        engine = create_migration_engine(sync_url)
        try:
            with connect(engine, sync_url) as connection:
                return current_revision_of(connection)
        finally:
            engine.dispose()


def offline_sql(
    url: str | None = None,
    *,
    embedding_dim: int | None = None,
    target: str = "head",
    start: str | None = None,
) -> str:
    """The DDL of an upgrade as SQL text (Alembic's offline mode); touches no database.

    ``start`` is the revision the database is at (None: an empty database).
    """
    output = io.StringIO()
    config = alembic_config(url=url, embedding_dim=embedding_dim, output=output)
    span = f"{start}:{target}" if start else target
    with alembic_lock(), repokit_errors(url):
        command.upgrade(config, span, sql=True)
    return output.getvalue()


def _upgrade(config: Config, progress: Progress | None, target: str) -> list[AppliedRevision]:
    applied: list[AppliedRevision] = []
    config.attributes["on_version_apply"] = progress_hook(_collect(applied, progress))
    with repokit_errors(config.attributes.get("url") or config.attributes.get("where")):
        command.upgrade(config, target)
    return applied


def _collect(into: list[AppliedRevision], then: Progress | None) -> Progress:
    def hear(step: AppliedRevision) -> None:
        into.append(step)
        if then is not None:
            then(step)

    return hear


def progress_hook(progress: Progress) -> Callable[..., None]:
    """Alembic's ``on_version_apply`` callback, reduced to an :class:`AppliedRevision`."""

    def on_version_apply(*, step: MigrationInfo, **_: Any) -> None:
        script = step.up_revision
        message = (script.doc or "").strip() if isinstance(script, Script) else ""
        progress(AppliedRevision(step.up_revision_id or "", message, step.is_upgrade))

    return on_version_apply


@contextmanager
def repokit_errors(url: str | None) -> Iterator[None]:
    """Alembic and driver errors as repokit errors, with the URL redacted."""
    where = redact_url(url) if url else "the configured database"
    try:
        yield
    except RepokitError:
        raise
    except CommandError as exc:
        # e.g. a database migrated by a newer repokit: its revision is unknown here.
        raise ConfigurationError(f"migration of {where} failed: {exc}") from exc
    except sa_exc.DBAPIError as exc:
        if exc.connection_invalidated:
            raise BackendUnavailableError(
                f"lost the connection to {where} while migrating; nothing was changed"
            ) from exc
        if sqlstate(exc) == INSUFFICIENT_PRIVILEGE:
            raise ConfigurationError(
                f"the database user of {where} lacks a privilege the migration needs "
                f"({_first_line(exc)}); nothing was changed"
            ) from exc
        raise RepokitError(
            f"migration of {where} failed and was rolled back: {_first_line(exc)}"
        ) from exc


def _first_line(exc: sa_exc.DBAPIError) -> str:
    # The driver's own message, first line only: DDL carries no user data, and the
    # line never holds the URL's password (drivers do not echo it).
    text = str(exc.orig).strip().splitlines()
    return text[0] if text else type(exc.orig).__name__


__all__ = [
    "AppliedRevision",
    "Progress",
    "alembic_config",
    "current_revision",
    "current_revision_of",
    "downgrade",
    "head_revision",
    "migrate_connection",
    "offline_sql",
    "progress_hook",
    "repokit_errors",
    "script_location",
    "upgrade",
    "upgrade_connection",
]
