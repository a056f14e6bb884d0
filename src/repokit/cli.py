"""The ``repokit`` command: demo, migrate, migrations, new, doctor, tune and bench.

Every command takes ``--url``, which wins over ``REPOKIT_DATABASE_URL``. A
repokit error ends the command with one red line and exit code 1, never a
traceback; URLs are shown redacted.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from repokit import __version__, connect
from repokit.application import HashingEmbedder, SearchHit, search
from repokit.cli_migrations import OptionalFolder, apply_app_revisions, migrations_app, reported
from repokit.demo import load_corpus, seed_corpus
from repokit.demo.seeding import workspace_names
from repokit.domain.errors import CapabilityError, ConfigurationError, RepokitError
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import (
    load_settings,
    redact_url,
    resolve_database_url,
    url_scheme,
)
from repokit.infrastructure.diagnosis import Check, diagnose

T = TypeVar("T")

app = typer.Typer(
    help="repokit: one storage API on PostgreSQL, SQLite, MongoDB, DynamoDB and memory.",
    no_args_is_help=True,
    add_completion=False,
    # Locals can hold a database URL with its password: never print them.
    pretty_exceptions_show_locals=False,
)
console = Console()
errors = Console(stderr=True)

# Wide enough for every benchmark table: piped into a file or a CI log, rich would
# otherwise fold the tables to 80 columns and wrap their row labels.
REPORT_WIDTH = 160


def _report_console() -> Console:
    """The console benchmark reports go to: the terminal's, or a wide one when piped."""
    return console if console.is_terminal else Console(width=REPORT_WIDTH)


UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Backend URL, e.g. sqlite:///demo.db or memory:// (default: REPOKIT_DATABASE_URL, "
        "else the embedded PostgreSQL under REPOKIT_DATA_DIR).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"repokit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """repokit: one storage API, many backends."""


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work``; a repokit error becomes one red line and exit code 1."""
    try:
        return asyncio.run(_call(work))
    except RepokitError as exc:
        errors.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        # The file system said no (a path that cannot be created, a full disk).
        errors.print(f"[red]error:[/] {escape(_os_error(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


def _target(url: str | None) -> str:
    """The URL a command will use, redacted for display."""
    return redact_url(resolve_database_url(url, load_settings()))


app.add_typer(migrations_app, name="migrations")


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="The service's name, e.g. ticket-desk.")],
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to write it (default: ./NAME); new or empty."),
    ] = None,
) -> None:
    """Write a new service: a ticket tracker on repokit with its API, tests and migrations."""
    from repokit.service_template import service_name, write_service

    with reported():
        target = directory if directory is not None else Path(name)
        written = write_service(name, target)
        package = service_name(name).package
    console.print(f"[green]✓[/] wrote {len(written)} files into {escape(str(target))}")
    console.print(f"  cd {escape(str(target))} && cat README.md")
    run = (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && "
        f".venv/bin/uvicorn {package}.api.app:app"
    )
    console.print(f"  {escape(run)}", soft_wrap=True)


@app.command()
def migrate(
    url: UrlOption = None,
    sql: Annotated[
        bool,
        typer.Option("--sql", help="Print the upgrade's SQL instead of running it (offline)."),
    ] = False,
    directory: OptionalFolder = None,
    indexes: Annotated[
        str | None,
        typer.Option(
            "--indexes",
            help="Firestore: write the composite indexes the queries need, in "
            "firestore.indexes.json format, to this file ('-' prints them).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Bring the schema of the configured backend to the newest revision (safe to run again).

    SQL backends run the Alembic revisions, one line per revision applied, then
    those of ``--dir`` (a service's own, see ``repokit migrations``); the others
    set themselves up through ``store.migrate()``. Firestore needs no schema; its
    composite indexes (for a real database; the emulator needs none) are what
    ``--indexes`` writes, from the declared entities' ``Indexed`` fields.
    """

    async def work() -> None:
        settings = load_settings()
        resolved = resolve_database_url(url, settings)
        if _has_revisions(resolved):
            if sql and directory is not None:
                raise CapabilityError("--sql prints repokit's revisions only; leave out --dir")
            await asyncio.to_thread(_run_revisions, resolved, settings.embedding_dim, sql=sql)
            if directory is not None:
                await asyncio.to_thread(apply_app_revisions, resolved, directory)
            return
        if directory is not None:
            raise CapabilityError(
                f"--dir needs a SQL backend; {redact_url(resolved)} has no revisions"
            )
        if sql:
            raise CapabilityError(
                f"--sql needs a SQL backend; {redact_url(resolved)} has no SQL schema"
            )
        store = await connect(resolved, settings=settings)
        try:
            await store.migrate()
            backend = store.capabilities.backend
        finally:
            await store.close()
        if indexes is not None:
            _write_firestore_indexes(backend, indexes, settings.embedding_dim)
            if indexes == "-":
                return
        console.print(f"schema is up to date: {backend} backend at {escape(redact_url(resolved))}")

    _run(work)


def _write_firestore_indexes(backend: str, path: str, embedding_dim: int) -> None:
    """``repokit migrate --indexes``: the Firestore index file, written or printed."""
    if backend != "firestore":
        raise CapabilityError(f"--indexes is for Firestore; the {backend} backend makes its own")
    from repokit.infrastructure.firestore.indexes import indexes_json

    text = indexes_json(embedding_dim)
    if path == "-":
        typer.echo(text, nl=False)
        return
    Path(path).write_text(text, encoding="utf-8")
    console.print(f"wrote the Firestore composite indexes to {escape(path)}")


@app.command()
def tune(
    url: UrlOption = None,
    target: Annotated[
        float | None,
        typer.Option(
            "--target",
            help="recall@10 to reach (default REPOKIT_TARGET_RECALL, 0.95).",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Measure the setting in force only, change nothing; exit 1 below the target.",
        ),
    ] = False,
) -> None:
    """Measure search recall against exact search on the stored data, keep the fastest
    setting that meets the target for every process using the database, print the curve.

    PostgreSQL: recall@10 and q/s per ``hnsw.ef_search`` on stored embeddings perturbed
    with noise; the chosen value is stored in the database. Exact-search backends:
    recall 1.0, nothing to change. ``--check``: the same queries at the setting in
    force only; nothing is stored, and the exit status is 1 when the target is missed.
    """

    async def work() -> None:
        settings = load_settings()
        resolved = resolve_database_url(url, settings)
        store = await connect(resolved, settings=settings)
        try:
            report = await store.documents.tune_search(
                target_recall=settings.target_recall if target is None else target, check=check
            )
        finally:
            await store.close()
        if report.curve:
            table = Table("ef_search", "recall@10", "q/s", "")
            for point in report.curve:
                kept = "← in force" if check else "← kept"
                mark = kept if point.ef_search == report.ef_search else ""
                table.add_row(
                    str(point.ef_search), f"{point.recall:.3f}", f"{point.queries_per_s:,.0f}", mark
                )
            console.print(table)
        if report.ef_search is None:
            console.print(
                f"search is exact on this backend: recall 1.0 (target {report.target_recall:g}); "
                "nothing to tune"
            )
            return
        if report.queries == 0:
            console.print("no embeddings are stored: nothing to measure, nothing changed")
            return
        verdict = "meets" if report.met else "[red]misses[/]"
        if check:
            state = "checked, nothing changed"
        else:
            state = "stored (changed)" if report.changed else "stored (unchanged)"
        console.print(
            f"hnsw.ef_search = {report.ef_search}: recall@10 {report.recall:.3f} {verdict} the "
            f"target {report.target_recall:g}{_margin_note(report.margin)} on {report.queries} "
            f"queries; {state}",
            soft_wrap=True,
        )
        if check and not report.met:
            raise typer.Exit(1)

    _run(work)


def _margin_note(margin: float) -> str:
    """How much more sampled queries had to reach, for the tune report."""
    return (
        f" (+{margin:g}: queries sampled from the stored rows read a little high)" if margin else ""
    )


def _has_revisions(url: str) -> bool:
    """True for the SQL backends, whose schema comes from Alembic revisions."""
    try:
        from repokit.infrastructure.sql.migration_url import is_migratable
    except ImportError:  # no SQL extra installed: connect() names the one to install
        return False
    return is_migratable(url)


def _sql_backend(url: str) -> str:
    """The SQL backend a migratable URL names, for messages."""
    from repokit.infrastructure.sql.migration_url import MYSQL_SCHEMES

    scheme = url_scheme(url)
    if scheme.startswith("sqlite"):
        return "sqlite"
    return "mysql" if scheme in MYSQL_SCHEMES else "postgresql"


def _run_revisions(url: str, embedding_dim: int, *, sql: bool) -> None:
    """Upgrade ``url`` to head with a line per revision, or print the DDL (blocking)."""
    try:
        from repokit.infrastructure.sql import migrations
    except ImportError as exc:  # alembic comes with the sqlite and postgres extras
        raise ConfigurationError(
            "migrations need Alembic: pip install 'repokit[sqlite]' or 'repokit[postgres]'"
        ) from exc
    if sql:
        # Plain stdout, no rich markup or wrapping: the output is meant for psql or a file.
        typer.echo(migrations.offline_sql(url, embedding_dim=embedding_dim), nl=False)
        return

    def report(step: migrations.AppliedRevision) -> None:
        console.print(f"[green]✓[/] {step.revision} {escape(step.message)}", soft_wrap=True)

    applied = migrations.upgrade(url, embedding_dim=embedding_dim, progress=report)
    where = f"{_sql_backend(url)} backend at {escape(redact_url(url))}"
    head = migrations.head_revision()
    if applied:
        console.print(f"schema is up to date: {where} (revision {head})", soft_wrap=True)
    else:
        console.print(f"already at head (revision {head}): {where}", soft_wrap=True)


@app.command()
def demo(
    url: UrlOption = None,
    query: Annotated[
        list[str] | None,
        typer.Option("--query", "-q", help="Search for this instead of the built-in three."),
    ] = None,
    k: Annotated[int, typer.Option("--top", "-k", min=1, max=50, help="Hits per search.")] = 3,
) -> None:
    """Ingest the built-in corpus (once), run three semantic searches, show ranked hits."""
    corpus = load_corpus()
    searches = query or corpus.searches

    async def work() -> None:
        store = await connect(url)
        try:
            await store.migrate()
            embedder = HashingEmbedder(store.embedding_dim)
            console.print(
                f"[bold]repokit demo[/] on the {store.capabilities.backend} backend "
                f"at {escape(_target(url))}"
            )
            with Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("", total=corpus.document_count)

                def advance(title: str, created: bool) -> None:
                    state = "new" if created else "already stored"
                    progress.update(task, advance=1, description=escape(f"{title} ({state})"))

                report = await seed_corpus(store, embedder, corpus, advance)
            total = await _count(store, [w.id for w in report.workspaces.values()])
            console.print(
                f"{report.created} new, {report.skipped} already stored; "
                f"{total} documents in {len(report.workspaces)} workspaces"
            )
            if store.capabilities.backend == "memory":
                console.print("[dim]memory:// keeps nothing once the process exits.[/]")
            names = workspace_names(report)
            for text in searches:
                hits = await search(store, embedder, user_id=report.user.id, query=text, k=k)
                console.print(_hits_table(text, hits, names))
        finally:
            await store.close()

    _run(work)


async def _count(store: StorePort, workspace_ids: list[UUID]) -> int:
    return sum([await store.documents.count(workspace_id=id_) for id_ in workspace_ids])


def _hits_table(query: str, hits: list[SearchHit], names: dict[UUID, str]) -> Table:
    table = Table(title=escape(f"“{query}”"), title_justify="left", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("workspace", no_wrap=True)
    table.add_column("document", no_wrap=True)
    # The passage takes what is left of the terminal, cut with an ellipsis.
    table.add_column("passage", ratio=1, no_wrap=True, overflow="ellipsis")
    for rank, hit in enumerate(hits, start=1):
        workspace_id = hit.document.workspace_id
        workspace = names.get(workspace_id, "?") if workspace_id is not None else "?"
        table.add_row(
            str(rank),
            f"{hit.score:.3f}",
            escape(workspace),
            escape(hit.document.title),
            escape(hit.chunk.content),
        )
    if not hits:
        table.add_row("", "", "", "no hits", "")
    return table


@app.command()
def doctor(url: UrlOption = None) -> None:
    """Check the database step by step, one line each, and say what to do.

    PostgreSQL: reachable, pgvector (and its version), schema at the newest revision,
    the HNSW index present and valid, the search settings in force. Other backends:
    reachable, schema. Exit status 1 when a check fails.
    """
    checks = asyncio.run(_diagnose(url))
    for check in checks:
        line = f"{check.name}: {_sentence(check.detail)}"
        if check.ok:
            console.print(f"[green]✓[/] {escape(line)}", soft_wrap=True)
        else:
            errors.print(f"[red]✗[/] {escape(line)}", soft_wrap=True)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


async def _diagnose(url: str | None) -> list[Check]:
    """The doctor's checks; a failure to even start them is one failed check."""
    target = "the database"
    try:
        settings = load_settings()
        resolved = resolve_database_url(url, settings)
        target = redact_url(resolved)
        return await diagnose(resolved, settings)
    except RepokitError as exc:
        return [Check("reachable", False, f"cannot open {target}: {_sentence(exc)}")]
    except OSError as exc:
        return [Check("reachable", False, f"cannot open {target}: {_sentence(_os_error(exc))}")]
    except Exception as exc:  # a doctor reports, it never crashes
        return [Check("reachable", False, f"cannot open {target}: unexpected {type(exc).__name__}")]


def _os_error(exc: OSError) -> str:
    # strerror and the file name only: the full text could carry more than a path.
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or type(exc).__name__}{where}"


def _sentence(exc: BaseException | str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if text.endswith((".", "!", "?")) else f"{text}."


bench_app = typer.Typer(
    help="Measure a backend beside its raw driver on the same server.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


@bench_app.command("postgres")
def bench_postgres(
    # Not UrlOption: the run truncates repokit's tables, so it never falls back to
    # REPOKIT_DATABASE_URL, which may be a database someone cares about.
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="A scratch PostgreSQL database with pgvector; the run truncates repokit's "
            "tables in it (default: a throwaway embedded server).",
            show_default=False,
        ),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="A smoke run of a few thousand rows (seconds).")
    ] = False,
    rows: Annotated[
        int | None, typer.Option(min=100, help="Chunks to load, 10 per document.")
    ] = None,
    queries: Annotated[int | None, typer.Option(min=1, help="Search queries per round.")] = None,
    rounds: Annotated[int | None, typer.Option(min=1, help="Timed rounds; medians shown.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Concurrent add_chunks tasks.")] = None,
    second_rows: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Chunks of the second, differently generated data set (0: leave it out).",
        ),
    ] = None,
    second_queries: Annotated[
        int | None, typer.Option(min=1, help="Queries on the second data set.")
    ] = None,
) -> None:
    """The PostgreSQL adapter against raw asyncpg: get_by_id, add_chunks, search, recall;
    then recall and q/s on a second data set, at the defaults and after tune."""

    async def work() -> None:
        bench = _benchmark_module("postgres_bench")
        options = bench.BenchOptions.quick(url) if quick else bench.BenchOptions(url=url)
        for name, value in (
            ("rows", rows),
            ("queries", queries),
            ("rounds", rounds),
            ("workers", workers),
            ("second_rows", second_rows),
            ("second_queries", second_queries),
        ):
            if value is not None:
                setattr(options, name, value)
        await bench.run_benchmark(options, _report_console())

    _run(work)


def _scratch_url_option(what: str) -> Any:
    return typer.Option(
        "--url",
        help=f"A scratch {what} the run may fill and empty (default: a throwaway local one).",
        show_default=False,
    )


@bench_app.command("mongo")
def bench_mongo(
    url: Annotated[str | None, _scratch_url_option("MongoDB database")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run (seconds).")] = False,
) -> None:
    """The MongoDB adapter against raw PyMongo: get_by_id and save_many."""
    _run_benchmark("mongo_bench", url, quick)


@bench_app.command("mysql")
def bench_mysql(
    url: Annotated[str | None, _scratch_url_option("MySQL server")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run (seconds).")] = False,
) -> None:
    """The MySQL / MariaDB adapter against raw asyncmy and PyMySQL: get_by_id and save_many."""
    _run_benchmark("mysql_bench", url, quick)


@bench_app.command("firestore")
def bench_firestore(
    url: Annotated[str | None, _scratch_url_option("firestore:// project")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run (seconds).")] = False,
) -> None:
    """The Firestore adapter against the raw client, on the emulator: get_by_id and save_many."""
    _run_benchmark("firestore_bench", url, quick)


@bench_app.command("dynamodb")
def bench_dynamodb(
    url: Annotated[str | None, _scratch_url_option("DynamoDB endpoint")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run (seconds).")] = False,
    vectors: Annotated[
        str | None,
        typer.Option(
            help="Chunk counts to search, comma-separated (e.g. 10000,100000); "
            "default: 10k and 25k on moto, 10k and 100k on --url.",
            show_default=False,
        ),
    ] = None,
    vectors_only: Annotated[
        bool,
        typer.Option(
            "--vectors-only",
            help="Only the vector search (endpoints without TransactWriteItems: dynalite).",
        ),
    ] = False,
) -> None:
    """The DynamoDB adapter against raw aioboto3/boto3: get_by_id, save_many, vector search."""
    sizes = _chunk_counts(vectors) if vectors is not None else None

    async def work() -> None:
        bench = _benchmark_module("dynamodb_bench")
        options = bench.BenchOptions(url=url, quick=quick, vectors=sizes, vectors_only=vectors_only)
        await bench.run_benchmark(options, _report_console())

    _run(work)


def _chunk_counts(text: str) -> tuple[int, ...]:
    """``"10000,100000"`` as ``(10000, 100000)``; a bad list is a usage error."""
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        raise typer.BadParameter(f"not a list of chunk counts: {text!r}", param_hint="--vectors")
    return counts


@bench_app.command("langchain")
def bench_langchain(
    url: Annotated[str | None, _scratch_url_option("PostgreSQL database with pgvector")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run of 2,000 rows.")] = False,
    rows: Annotated[int | None, typer.Option(min=100, help="Chunks per data set.")] = None,
    datasets: Annotated[
        str | None, typer.Option(help="Comma-separated: clustered,easy (default: both).")
    ] = None,
) -> None:
    """repokit's LangChain vector store beside LangChain's PGVector and PGVectorStore."""

    async def work() -> None:
        bench = _benchmark_module("langchain_bench")
        options = bench.BenchOptions.quick_run(url) if quick else bench.BenchOptions(url=url)
        if rows is not None:
            options.rows = rows
        if datasets is not None:
            options.datasets = tuple(part for part in datasets.split(",") if part)
        await bench.run_benchmark(options, _report_console())

    _run(work)


@bench_app.command("cache")
def bench_cache(
    url: Annotated[str | None, _scratch_url_option("Redis server")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run (seconds).")] = False,
) -> None:
    """A cached get_by_id hit against a raw redis-py GET, and against uncached PostgreSQL."""
    _run_benchmark("cache_bench", url, quick)


ENTITY_BENCHMARKS = {
    "sql": "entities_sql_bench",
    "mysql": "entities_mysql_bench",
    "mongo": "entities_mongo_bench",
    "dynamodb": "entities_dynamodb_bench",
    "cache": "entities_cache_bench",
}
"""``repokit bench entities --backend NAME`` -> the benchmark module of that backend."""


@bench_app.command("entities")
def bench_entities(
    backend: Annotated[
        list[str] | None,
        typer.Option(
            "--backend",
            help=f"Which backends, repeatable: {', '.join(ENTITY_BENCHMARKS)} (default: all).",
            show_default=False,
        ),
    ] = None,
    url: Annotated[str | None, _scratch_url_option("database of the one --backend")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run (seconds).")] = False,
) -> None:
    """Declared entities beside each backend's raw driver: get_by_id, get_by, save_many."""
    chosen = backend or list(ENTITY_BENCHMARKS)
    unknown = [name for name in chosen if name not in ENTITY_BENCHMARKS]
    if unknown:
        raise typer.BadParameter(
            f"unknown backend {unknown[0]!r}; choose from {', '.join(ENTITY_BENCHMARKS)}",
            param_hint="--backend",
        )
    if url is not None and len(chosen) != 1:
        raise typer.BadParameter("--url needs exactly one --backend", param_hint="--url")

    async def work() -> None:
        for name in chosen:
            bench = _benchmark_module(ENTITY_BENCHMARKS[name])
            await bench.run_benchmark(bench.BenchOptions(url=url, quick=quick), _report_console())

    _run(work)


def _run_benchmark(name: str, url: str | None, quick: bool) -> None:
    """Run ``benchmarks/<name>.py``: ``await run_benchmark(BenchOptions(url, quick), console)``."""

    async def work() -> None:
        bench = _benchmark_module(name)
        await bench.run_benchmark(bench.BenchOptions(url=url, quick=quick), _report_console())

    _run(work)


def _benchmark_module(name: str) -> ModuleType:
    """``benchmarks.<name>`` from the source checkout this package runs from.

    The benchmarks are not part of the installed package (they need the dataset
    generator and raw drivers, not the library): an editable install finds them
    beside ``src/``.
    """
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name not in ("benchmarks", f"benchmarks.{name}"):
            raise
    root = Path(__file__).resolve().parents[2]
    if not (root / "benchmarks" / f"{name}.py").is_file():
        raise ConfigurationError(
            "the benchmarks ship with the source checkout: run this from a clone of repokit"
        )
    sys.path.insert(0, str(root))
    return importlib.import_module(f"benchmarks.{name}")


if __name__ == "__main__":  # pragma: no cover
    app()
