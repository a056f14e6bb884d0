"""Declared entities on SQL beside the raw drivers doing the same work, on the same tables.

Run: ``repokit bench entities`` (or ``python -m benchmarks.entities_sql_bench``;
``--quick`` for a smoke run, ``--url`` for a scratch PostgreSQL of your own). It
measures PostgreSQL (a throwaway embedded server when no URL is given) on
asyncpg and SQLite (a temporary file) on aiosqlite, for two entity shapes:

* ``orders``: a unique SKU, an indexed Literal, a UUID, an int, a Decimal, a
  datetime, an int enum and a list of tags (the shape the adapter was tuned on);
* ``readings``: a unique serial, a float, a bool, a date, an optional text, an
  optional UUID and a dict of JSON (a shape it was not tuned for).

Contenders, each reading or writing the same rows of the table ``store.migrate()``
made:

* ``get_by_id``: ``repository.get_by_id`` against the driver's prepared
  primary-key ``SELECT`` of the same columns, decoded by hand into the same
  entity (``model_construct``, the same conversions: exact decimal text, enum
  members, parsed JSON, standard UUIDs, UTC datetimes);
* ``get_by``: ``repository.get_by(sku=...)`` against the same by the unique column;
* ``save_many``: ``repository.save_many`` of new entities against the driver's
  bulk insert of the same rows built from the same entities (binary ``COPY`` on
  PostgreSQL, ``executemany`` in one transaction on SQLite) into the emptied table.

Rounds interleave the contenders so a noisy moment hits all alike; each ratio is
the median of the rounds' own ratios (repokit's time over raw's for reads, raw's
over repokit's for ``save_many``: "at least 0.8x raw" is a ratio >= 0.8).
Targets: reads at most 1.25x raw, ``save_many`` at least 0.8x raw. The last
column gives the same ratio of the benchmark process's CPU time: the
client-side work alone (a pessimistic bound, since the database's share of each
call, the same on both sides, is left out), which a busy machine disturbs less
than wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import functools
import json
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol
from uuid import UUID, uuid4

import aiosqlite
import asyncpg
from pydantic import JsonValue
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import repokit
from benchmarks import pgvector_raw
from repokit import Entity, Indexed, Unique
from repokit.domain.entity import forget_entity
from repokit.domain.entity_spec import FieldKind, spec_of
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.decimal_key import decimal_key
from repokit.infrastructure.sql.entity_layout import entity_columns
from repokit.infrastructure.sql.types import EPOCH, datetime_to_micros, naive_utc, standard_uuid

DIALECTS = {"PostgreSQL": "postgresql", "SQLite": "sqlite", "MySQL": "mysql"}
"""The SQLAlchemy dialect of each backend measured here."""
READ_TARGET = 1.25
WRITE_TARGET = 0.8


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


def declare_shapes() -> dict[str, type[Entity]]:
    """The two entity shapes, declared for this run (and forgotten after it)."""

    class BenchOrder(Entity, collection="bench_orders"):
        sku: Annotated[str, Unique()]
        status: Annotated[Literal["open", "paid", "shipped"], Indexed()] = "open"
        customer_id: UUID
        quantity: int
        total: Decimal
        placed_at: datetime
        priority: Priority = Priority.LOW
        tags: list[str] = []

    class BenchReading(Entity, collection="bench_readings"):
        sku: Annotated[str, Unique()]
        value: float
        ok: bool
        taken_on: date
        note: str | None = None
        device: UUID | None = None
        labels: dict[str, JsonValue] = {}

    return {"orders": BenchOrder, "readings": BenchReading}


@dataclass
class BenchOptions:
    """What to measure: ``url`` of a scratch PostgreSQL (None: embedded); ``quick``: a smoke run."""

    url: str | None = None
    quick: bool = False
    stored: int = 2_000
    lookups: int = 1_000
    batch: int = 2_000
    rounds: int = 11
    seed: int = 7

    def __post_init__(self) -> None:
        if self.quick:
            self.stored, self.lookups, self.batch, self.rounds = 200, 100, 200, 3


def make_entities(model: type[Entity], count: int, rng: random.Random) -> list[Any]:
    """``count`` new entities with random values (a run's data: never tuned for)."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    made: list[Any] = []
    for _ in range(count):
        sku = f"{uuid4().hex[:12]}-{rng.randrange(10**6)}"
        if spec_of(model).table() == "bench_orders":
            made.append(
                model(
                    sku=sku,
                    status=rng.choice(["open", "paid", "shipped"]),
                    customer_id=uuid4(),
                    quantity=rng.randrange(1, 50),
                    total=Decimal(rng.randrange(1, 10**7)) / 100,
                    placed_at=start + timedelta(milliseconds=rng.randrange(10**10)),
                    priority=rng.choice(list(Priority)),
                    tags=[f"t{rng.randrange(20)}" for _ in range(rng.randrange(4))],
                )
            )
        else:
            made.append(
                model(
                    sku=sku,
                    value=rng.uniform(-1e6, 1e6),
                    ok=rng.random() < 0.5,
                    taken_on=date(2020, 1, 1) + timedelta(days=rng.randrange(3000)),
                    note=None if rng.random() < 0.5 else f"note {rng.random()}",
                    device=None if rng.random() < 0.3 else uuid4(),
                    labels={"site": f"s{rng.randrange(9)}", "depth": rng.random()},
                )
            )
    return made


# -- the raw side: hand-written conversions, one per field kind ---------------------------


@dataclass
class RawShape:
    """What a hand-written raw access to one entity's table needs."""

    model: type[Entity]
    table: str
    columns: list[str]
    """Every column, in table order (what inserts write)."""
    read: list[str]
    """The columns read back (a decimal's exact text, not its key)."""
    write: list[Callable[[Any], Any]]
    decode: list[tuple[str, Callable[[Any], Any]]] = field(default_factory=list)


def _identity(value: Any) -> Any:
    return value


def _one(entity: Any) -> int:
    return 1


def raw_shape(model: type[Entity], dialect: str) -> RawShape:
    """The hand-written access to ``model``'s table on ``dialect`` (``postgresql``,
    ``sqlite`` or ``mysql``)."""
    spec = spec_of(model)
    plans = entity_columns(spec)
    shape = RawShape(model, spec.table(), [p.name for p in plans], [], [])
    for plan in plans:
        kind = spec.field(plan.field).kind
        exact = plan.name != plan.field
        stored_version = plan.name == "version"  # a new entity is stored at version 1
        shape.write.append(_one if stored_version else _writer(kind, exact, dialect, plan.field))
        if plan.read:
            shape.read.append(plan.name)
            shape.decode.append((plan.field, _reader(spec.field(plan.field), dialect)))
    return shape


def _writer(kind: FieldKind, exact: bool, dialect: str, name: str) -> Callable[[Any], Any]:
    def get(entity: Any) -> Any:
        return entity.__dict__[name]

    def optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda entity: None if (v := get(entity)) is None else convert(v)

    native = dialect == "postgresql"  # uuid, timestamptz, date and numeric columns
    if kind is FieldKind.DECIMAL:
        return optional(str if exact else (_identity if native else decimal_key))
    if kind is FieldKind.JSON:
        return optional(json.dumps)
    if kind in (FieldKind.ENUM, FieldKind.LITERAL):
        return optional(lambda v: v.value if isinstance(v, enum.Enum) else v)
    if not native and kind is FieldKind.UUID:
        return optional(lambda v: v.bytes)
    if dialect == "sqlite" and kind is FieldKind.DATETIME:
        return optional(datetime_to_micros)
    if dialect == "mysql" and kind is FieldKind.DATETIME:
        return optional(naive_utc)
    if dialect == "sqlite" and kind is FieldKind.DATE:
        return optional(date.isoformat)
    return get


def _reader(spec: Any, dialect: str) -> Callable[[Any], Any]:
    kind = spec.kind

    def optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda v: None if v is None else convert(v)

    native = dialect == "postgresql"
    if kind is FieldKind.DECIMAL:
        return optional(Decimal)
    if kind is FieldKind.JSON:
        return optional(json.loads)
    if kind is FieldKind.ENUM:
        return optional(spec.enum)
    if kind is FieldKind.UUID:
        return optional(lambda v: standard_uuid(v.int) if native else UUID(bytes=v))
    if dialect == "sqlite" and kind is FieldKind.DATETIME:
        return optional(lambda v: EPOCH + timedelta(microseconds=v))
    if dialect == "mysql" and kind is FieldKind.DATETIME:
        return optional(lambda v: v.replace(tzinfo=UTC))
    if dialect == "sqlite" and kind is FieldKind.DATE:
        return optional(date.fromisoformat)
    if not native and kind is FieldKind.BOOL:
        return optional(bool)
    return _identity


def build(shape: RawShape, row: Sequence[Any]) -> Any:
    values = {
        name: convert(value) for (name, convert), value in zip(shape.decode, row, strict=True)
    }
    return shape.model.model_construct(**values)


def rows_of(shape: RawShape, entities: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [tuple([write(e) for write in shape.write]) for e in entities]


class RawAccess(Protocol):
    """A raw driver's reads and bulk insert of one entity's table."""

    shape: RawShape

    async def get_by_id(self, id: UUID) -> Any: ...
    async def get_by(self, sku: str) -> Any: ...
    async def insert(self, entities: Sequence[Any]) -> None: ...
    async def empty(self) -> None: ...


class RawPostgres:
    def __init__(self, connection: asyncpg.Connection, shape: RawShape) -> None:
        self.connection, self.shape = connection, shape
        columns = ", ".join(shape.read)
        self.by_id = f"SELECT {columns} FROM {shape.table} WHERE id = $1"
        self.by_sku = f"SELECT {columns} FROM {shape.table} WHERE sku = $1"

    async def get_by_id(self, id: UUID) -> Any:
        row = await self.connection.fetchrow(self.by_id, id)
        return None if row is None else build(self.shape, row)

    async def get_by(self, sku: str) -> Any:
        row = await self.connection.fetchrow(self.by_sku, sku)
        return None if row is None else build(self.shape, row)

    async def insert(self, entities: Sequence[Any]) -> None:
        await self.connection.copy_records_to_table(
            self.shape.table, records=rows_of(self.shape, entities), columns=self.shape.columns
        )

    async def empty(self) -> None:
        await self.connection.execute(f"TRUNCATE {self.shape.table} CASCADE")


def raw_statements(shape: RawShape, mark: str) -> tuple[str, str, str]:
    """The hand-written reads by id and by sku, and the insert, with the driver's
    parameter ``mark`` (``?`` for sqlite3, ``%s`` for asyncmy)."""
    columns = ", ".join(shape.read)
    marks = ", ".join(mark for _ in shape.columns)
    return (
        f"SELECT {columns} FROM {shape.table} WHERE id = {mark}",
        f"SELECT {columns} FROM {shape.table} WHERE sku = {mark}",
        f"INSERT INTO {shape.table} ({', '.join(shape.columns)}) VALUES ({marks})",
    )


class RawSqlite:
    def __init__(self, connection: aiosqlite.Connection, shape: RawShape) -> None:
        self.connection, self.shape = connection, shape
        self.by_id, self.by_sku, self.insert_sql = raw_statements(shape, "?")

    async def get_by_id(self, id: UUID) -> Any:
        rows = await self.connection.execute_fetchall(self.by_id, (id.bytes,))
        return build(self.shape, next(iter(rows))) if rows else None

    async def get_by(self, sku: str) -> Any:
        rows = await self.connection.execute_fetchall(self.by_sku, (sku,))
        return build(self.shape, next(iter(rows))) if rows else None

    async def insert(self, entities: Sequence[Any]) -> None:
        await self.connection.execute("BEGIN IMMEDIATE")
        await self.connection.executemany(self.insert_sql, rows_of(self.shape, entities))
        await self.connection.execute("COMMIT")

    async def empty(self) -> None:
        await self.connection.execute(f"DELETE FROM {self.shape.table}")


class RawMysql:
    def __init__(self, connection: Any, shape: RawShape) -> None:
        self.connection, self.shape = connection, shape
        self.by_id, self.by_sku, self.insert_sql = raw_statements(shape, "%s")

    async def _one(self, sql: str, value: Any) -> Any:
        async with self.connection.cursor() as cursor:
            await cursor.execute(sql, (value,))
            row = await cursor.fetchone()
        return None if row is None else build(self.shape, row)

    async def get_by_id(self, id: UUID) -> Any:
        return await self._one(self.by_id, id.bytes)

    async def get_by(self, sku: str) -> Any:
        return await self._one(self.by_sku, sku)

    async def insert(self, entities: Sequence[Any]) -> None:
        # One transaction; asyncmy's executemany sends multi-row INSERTs.
        async with self.connection.cursor() as cursor:
            await cursor.execute("BEGIN")
            await cursor.executemany(self.insert_sql, rows_of(self.shape, entities))
            await cursor.execute("COMMIT")

    async def empty(self) -> None:
        async with self.connection.cursor() as cursor:
            await cursor.execute(f"DELETE FROM {self.shape.table}")


# -- measuring --------------------------------------------------------------------------


Timing = tuple[float, float]
"""(wall seconds, this process's CPU seconds)."""


async def per_call(call: Callable[[Any], Awaitable[Any]], items: Sequence[Any]) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    for item in items:
        await call(item)
    return (time.perf_counter() - start) / len(items), (time.process_time() - cpu) / len(items)


async def once(call: Callable[[Any], Awaitable[Any]], argument: Any) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    await call(argument)
    return time.perf_counter() - start, time.process_time() - cpu


@asynccontextmanager
async def raw_access(backend: str, url: str, shape: RawShape) -> AsyncIterator[RawAccess]:
    """The raw driver's connection to the database ``url``, as a :class:`RawAccess`."""
    if backend == "SQLite":
        path = url.removeprefix("sqlite:///")
        async with aiosqlite.connect(path, isolation_level=None) as connection:
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            yield RawSqlite(connection, shape)
        return
    if backend == "MySQL":
        import asyncmy
        from sqlalchemy.engine import make_url

        from benchmarks.mysql_bench import connect_args

        mysql = await asyncmy.connect(**connect_args(make_url(url)))
        try:
            yield RawMysql(mysql, shape)
        finally:
            mysql.close()
        return
    connection = await asyncpg.connect(url)
    try:
        yield RawPostgres(connection, shape)
    finally:
        await connection.close()


@dataclass
class Result:
    backend: str
    shape: str
    operation: str
    raw_s: list[float] = field(default_factory=list)
    repokit_s: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    cpu_ratios: list[float] = field(default_factory=list)
    """The same ratio of this process's CPU time: the client-side work alone."""

    @property
    def write(self) -> bool:
        return self.operation == "save_many"


async def measure(
    backend: str,
    store: Any,
    raw: RawAccess,
    shape_name: str,
    options: BenchOptions,
    rng: random.Random,
    advance: Callable[[], None],
) -> list[Result]:
    model = raw.shape.model
    repository = store.repository(model)
    await raw.empty()
    stored = await repository.save_many(make_entities(model, options.stored, rng))
    picks = [rng.choice(stored) for _ in range(options.lookups)]
    ids, skus = [e.id for e in picks], [e.sku for e in picks]
    first = await raw.get_by_id(ids[0])
    assert first == await repository.get_by_id(ids[0]), "the raw decoding differs"
    results = {op: Result(backend, shape_name, op) for op in ("get_by_id", "get_by", "save_many")}

    def record(op: str, raw: Timing, repokit: Timing) -> None:
        result = results[op]
        result.raw_s.append(raw[0])
        result.repokit_s.append(repokit[0])
        for ratios, index in ((result.ratios, 0), (result.cpu_ratios, 1)):
            mine, theirs = repokit[index], raw[index]
            ratios.append(theirs / mine if result.write else mine / theirs)

    async def get_by(sku: str) -> Any:
        return await repository.get_by(sku=sku)

    for turn in range(options.rounds):
        # Which side goes first alternates: neither always gets the warmer cache.
        pair = [
            ("raw", raw.get_by_id, raw.get_by),
            ("repokit", repository.get_by_id, get_by),
        ]
        times: dict[str, dict[str, Timing]] = {"raw": {}, "repokit": {}}
        for side, by_id, by_sku in pair if turn % 2 == 0 else reversed(pair):
            times[side]["get_by_id"] = await per_call(by_id, ids)
            times[side]["get_by"] = await per_call(by_sku, skus)
        for op in ("get_by_id", "get_by"):
            record(op, times["raw"][op], times["repokit"][op])
        loads = {
            "raw": (raw.insert, make_entities(model, options.batch, rng)),
            "repokit": (repository.save_many, make_entities(model, options.batch, rng)),
        }
        written: dict[str, Timing] = {}
        for side in ("raw", "repokit") if turn % 2 == 0 else ("repokit", "raw"):
            await raw.empty()
            written[side] = await once(*loads[side])
        record("save_many", written["raw"], written["repokit"])
        advance()
    return list(results.values())


async def bench_backend(
    backend: str,
    url: str,
    shapes: dict[str, type[Entity]],
    options: BenchOptions,
    progress: Progress,
) -> list[Result]:
    settings = Settings(database_url=None, cache_url=None, embedding_dim=16)
    store = await repokit.connect(url, settings=settings)
    results: list[Result] = []
    try:
        await store.migrate()
        for shape_name, model in shapes.items():
            task = progress.add_task(f"{backend}: {shape_name}", total=options.rounds)
            shape = raw_shape(model, DIALECTS[backend])
            rng = random.Random(options.seed)
            async with raw_access(backend, url, shape) as raw:
                results += await measure(
                    backend,
                    store,
                    raw,
                    shape_name,
                    options,
                    rng,
                    functools.partial(progress.advance, task),
                )
    finally:
        await store.close()
    return results


def progress_display(console: Console) -> Progress:
    """The progress bars of a run: one per backend and shape."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


async def run_benchmark(options: BenchOptions, console: Console) -> list[Result]:
    """Measure both backends with a progress display, print the table, return the results."""
    results: list[Result] = []
    shapes = declare_shapes()
    with (
        progress_display(console) as progress,
        tempfile.TemporaryDirectory(prefix="repokit-entities-bench-") as folder,
    ):
        starting = progress.add_task("starting PostgreSQL", total=None)
        async with pgvector_raw.server_url(options.url) as url:
            progress.remove_task(starting)
            try:
                results += await bench_backend("PostgreSQL", url, shapes, options, progress)
                sqlite_url = f"sqlite:///{Path(folder) / 'entities.db'}"
                results += await bench_backend("SQLite", sqlite_url, shapes, options, progress)
            finally:
                for model in shapes.values():
                    forget_entity(model)
    render(results, options, console)
    return results


def render(results: list[Result], options: BenchOptions, console: Console) -> None:
    table = Table(
        title=f"declared entities vs raw drivers (medians of {options.rounds} interleaved rounds)"
    )
    columns = ("backend", "shape", "operation", "raw", "repokit", "ratio", "target", "client CPU")
    for column in columns:
        table.add_column(column, justify="left" if column in ("backend", "shape") else "right")
    for result in results:
        ratio = statistics.median(result.ratios)
        met = ratio >= WRITE_TARGET if result.write else ratio <= READ_TARGET
        unit = "rows/s" if result.write else "µs"
        rows = options.batch
        raw_s, repokit_s = statistics.median(result.raw_s), statistics.median(result.repokit_s)
        cells = (
            (f"{rows / raw_s:,.0f} {unit}", f"{rows / repokit_s:,.0f} {unit}")
            if result.write
            else (f"{raw_s * 1e6:.1f} {unit}", f"{repokit_s * 1e6:.1f} {unit}")
        )
        target = f">= {WRITE_TARGET}x" if result.write else f"<= {READ_TARGET}x"
        mark = "[green]✓[/]" if met else "[red]✗[/]"
        table.add_row(
            result.backend,
            result.shape,
            result.operation,
            *cells,
            f"{ratio:.2f}x",
            f"{target} {mark}",
            f"{statistics.median(result.cpu_ratios):.2f}x",
        )
    console.print(table)
    console.print(
        "ratio: reads, repokit time / raw time; save_many, raw time / repokit time "
        f"({options.batch} rows, raw: COPY on PostgreSQL, executemany on SQLite and MySQL); client "
        "CPU: the same ratio of this process's CPU time (the database's work left out)"
    )


def parse_args() -> BenchOptions:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="a scratch PostgreSQL (default: embedded)")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    options = BenchOptions(url=args.url, quick=args.quick)
    for name in ("rounds", "seed"):
        if getattr(args, name) is not None:
            setattr(options, name, getattr(args, name))
    return options


if __name__ == "__main__":
    asyncio.run(run_benchmark(parse_args(), Console(width=140)))
