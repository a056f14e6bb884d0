"""``repokit migrations``: a service's own Alembic revisions for its declared entities.

* ``repokit migrations generate "message" --entities pkg.module --dir migrations/``
  writes a revision of what the declarations add or change into the folder
  (set up on first use), comparing them with the database at ``--url``;
* ``repokit migrations check [--entities pkg.module] [--dir migrations/]`` exits 1,
  listing every difference, when repokit's schema, the folder's revisions or the
  declared entities are not in step with the database (for a CI);
* ``repokit migrate --dir migrations/`` applies repokit's revisions, then the
  folder's (:func:`apply_app_revisions`).

SQL backends only. A repokit error ends the command with one red line and exit
code 1; URLs are shown redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from repokit.domain.errors import ConfigurationError, RepokitError
from repokit.infrastructure.config import load_settings, redact_url, resolve_database_url

T = TypeVar("T")

migrations_app = typer.Typer(
    help="A service's own Alembic revisions for its declared entities (SQL backends).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = Console()
errors = Console(stderr=True)

EntitiesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--entities",
        help="A module that declares entities (importable from here); repeat for several.",
        show_default=False,
    ),
]
UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Database URL (default: REPOKIT_DATABASE_URL).", show_default=False),
]


FOLDER_HELP = "The service's revisions folder, e.g. migrations/ (its own version table)."
FolderOption = Annotated[Path, typer.Option("--dir", help=FOLDER_HELP, show_default=False)]
OptionalFolder = Annotated[Path | None, typer.Option("--dir", help=FOLDER_HELP, show_default=False)]


@contextmanager
def reported() -> Iterator[None]:
    """A repokit error as one red line and exit code 1, never a traceback."""
    try:
        yield
    except RepokitError as exc:
        errors.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None


def _sql_url(url: str | None) -> str:
    from repokit.infrastructure.sql.migration_url import is_migratable

    resolved = resolve_database_url(url, load_settings())
    if not is_migratable(resolved):
        raise ConfigurationError(
            f"{redact_url(resolved)} is not a SQL database: its schema needs no revisions "
            "(store.migrate() sets it up)"
        )
    return resolved


def _with_status(message: str, work: Callable[[], T]) -> T:
    with console.status(message):
        return work()


@migrations_app.command("generate")
def generate(
    message: Annotated[str, typer.Argument(help="What the revision does.")],
    directory: FolderOption,
    entities: EntitiesOption = None,
    url: UrlOption = None,
) -> None:
    """Write a revision for what the declared entities add or change (review it, then migrate)."""
    from repokit.infrastructure.sql.app_migrations import generate_revision

    with reported():
        if not entities:
            raise ConfigurationError("name the modules that declare the entities: --entities")
        target = _sql_url(url)
        path = _with_status(
            f"comparing the declarations with {escape(redact_url(target))}",
            lambda: generate_revision(directory, message, entities, target),
        )
    if path is None:
        console.print("no changes: the database already matches the declared entities")
        return
    console.print(f"[green]✓[/] wrote {escape(str(path))}: review it, then `repokit migrate --dir`")


@migrations_app.command("check")
def check(
    entities: EntitiesOption = None,
    directory: OptionalFolder = None,
    url: UrlOption = None,
) -> None:
    """Exit 1 when the database is not in step with repokit, the revisions or the entities."""
    from repokit.infrastructure.sql.app_migrations import check as compare

    with reported():
        target = _sql_url(url)
        problems = _with_status(
            f"comparing {escape(redact_url(target))}",
            lambda: compare(target, entities or [], directory),
        )
    if problems:
        for problem in problems:
            errors.print(f"[red]✗[/] {escape(problem)}", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"[green]✓[/] in step: {escape(redact_url(target))}", soft_wrap=True)


def apply_app_revisions(url: str, directory: Path) -> None:
    """``repokit migrate --dir``'s second half: the folder's revisions, a line each."""
    from repokit.infrastructure.sql.app_migrations import upgrade_app
    from repokit.infrastructure.sql.migrations import AppliedRevision

    def report(step: AppliedRevision) -> None:
        console.print(f"[green]✓[/] {step.revision} {escape(step.message)}", soft_wrap=True)

    applied = upgrade_app(directory, url, report)
    if not applied:
        console.print(f"the revisions of {escape(str(directory))} are already applied")


__all__ = ["OptionalFolder", "apply_app_revisions", "migrations_app", "reported"]
