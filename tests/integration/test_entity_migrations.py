"""Declared entities' schema on SQLite and the embedded PostgreSQL: only ever added to.

Two ways, both tested on both databases:

* ``store.migrate()``: declare, migrate, add a field with a default and an index,
  migrate again (the stored rows get the default); a destructive change (a type
  change, a dropped field) is refused with a message saying what differs, and
  nothing is applied;
* the Alembic workflow for production: ``repokit migrations generate`` writes a
  revision into the service's own folder, ``repokit migrate --dir`` applies
  repokit's chain and then it, ``repokit migrations check`` exits 0 once the
  database is in step and 1 (naming the difference) when it is not.

Every entity class is declared in a module written by the test and forgotten
afterwards (``forget_entity``), so other tests' ``migrate()`` never sees it.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import repokit
from repokit.cli import app
from repokit.domain.entity import declared_entities, forget_entity
from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import entity_schema
from repokit.infrastructure.sql.migration_url import migration_url

runner = CliRunner()

V1 = """
    from decimal import Decimal
    from typing import Annotated
    from repokit import Entity, Unique

    class Gadget(Entity, collection="{collection}"):
        sku: Annotated[str, Unique()]
        price: Decimal
"""
V2 = """
    from decimal import Decimal
    from typing import Annotated
    from repokit import Entity, Indexed, Unique

    class Gadget(Entity, collection="{collection}"):
        sku: Annotated[str, Unique()]
        price: Decimal
        colour: Annotated[str, Indexed()] = "black"
        weight: Decimal = Decimal("1.50")
        notes: str | None = None
"""
V3_DESTRUCTIVE = """
    from decimal import Decimal
    from typing import Annotated
    from repokit import Entity, Unique

    class Gadget(Entity, collection="{collection}"):
        sku: Annotated[str, Unique()]
        price: Decimal
        colour: int = 0
"""


class Declarations:
    """Writes entity modules into a folder on ``sys.path`` and forgets them afterwards."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.collection = f"gadgets_{uuid.uuid4().hex[:8]}"
        self.modules: list[str] = []

    def declare(self, source: str) -> tuple[str, Any]:
        """Forget the previous version; write and import ``source``; (module, Gadget)."""
        self.forget()
        name = f"gadgets_v{len(self.modules) + 1}_{self.collection}"
        text = textwrap.dedent(source).format(collection=self.collection)
        (self.folder / f"{name}.py").write_text(text, encoding="utf-8")
        self.modules.append(name)
        return name, importlib.import_module(name).Gadget

    def forget(self) -> None:
        for model in declared_entities():
            if model.__module__ in self.modules:
                forget_entity(model)


@pytest.fixture
def declarations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Declarations]:
    folder = tmp_path / "service"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    made = Declarations(folder)
    yield made
    made.forget()
    for name in made.modules:
        sys.modules.pop(name, None)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    if request.param == "mysql":
        return str(request.getfixturevalue("mysql_database"))
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.new_database())


def columns_of(url: str, table: str) -> dict[str, bool]:
    engine = sa.create_engine(migration_url(url))
    try:
        inspector = sa.inspect(engine)
        return {c["name"]: c["nullable"] for c in inspector.get_columns(table)}
    finally:
        engine.dispose()


def indexes_of(url: str, table: str) -> set[str]:
    engine = sa.create_engine(migration_url(url))
    try:
        return {str(index["name"]) for index in sa.inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def generate(message: str, module: str, folder: Path, url: str) -> Any:
    """``repokit migrations generate``, its revision asserted written or not needed."""
    result = cli(
        "migrations", "generate", message, "--entities", module, "--dir", str(folder), "--url", url
    )
    assert result.exit_code == 0, result.output
    return result


def check(module: str, url: str, folder: Path | None = None) -> Any:
    """``repokit migrations check`` (with ``--dir`` when given)."""
    where = ["--dir", str(folder)] if folder is not None else []
    return cli("migrations", "check", "--entities", module, *where, "--url", url)


def migrate(url: str, folder: Path) -> Any:
    """``repokit migrate --dir``, asserted to succeed."""
    result = cli("migrate", "--url", url, "--dir", str(folder))
    assert result.exit_code == 0, result.output
    return result


# -- store.migrate() --------------------------------------------------------------------


async def test_migrate_adds_a_field_with_a_default_and_an_index(
    declarations: Declarations, url: str, pg_settings: Settings
) -> None:
    _, gadget_v1 = declarations.declare(V1)
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
        await store.migrate()  # idempotent
        stored = await store.repository(gadget_v1).save(gadget_v1(sku="g-1", price="9.90"))

    module, gadget_v2 = declarations.declare(V2)
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
        gadgets = store.repository(gadget_v2)
        old = await gadgets.get_by_id(stored.id)
        assert old is not None
        assert (old.colour, str(old.weight), old.notes) == ("black", "1.50", None)
        assert str(old.price) == "9.90"
        await gadgets.save(gadget_v2(sku="g-2", price="1", colour="red"))
        assert [g.sku for g in await gadgets.list(where={"colour": "red"})] == ["g-2"]

    table = declarations.collection
    assert columns_of(url, table)["notes"] is True
    assert columns_of(url, table)["colour"] is False
    assert f"ix_{table}_colour" in indexes_of(url, table)
    checked = check(module, url)
    assert checked.exit_code == 0, checked.output


async def test_an_unchanged_declaration_is_not_compared_again_unless_its_table_is_gone(
    declarations: Declarations, url: str, pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    declarations.declare(V1)
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
    comparisons: list[object] = []
    real_compare = entity_schema.compare

    def counted(connection: Any, metadata: Any) -> Any:
        comparisons.append(metadata)
        return real_compare(connection, metadata)

    monkeypatch.setattr(entity_schema, "compare", counted)
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
        assert comparisons == []
    engine = sa.create_engine(migration_url(url))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {declarations.collection}")
    engine.dispose()
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
    assert len(comparisons) == 1
    assert "price__exact" in columns_of(url, declarations.collection)


async def test_a_destructive_change_is_refused_and_nothing_is_applied(
    declarations: Declarations, url: str, pg_settings: Settings
) -> None:
    declarations.declare(V2)
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
    before = columns_of(url, declarations.collection)

    module, _ = declarations.declare(V3_DESTRUCTIVE)
    async with await repokit.connect(url, settings=pg_settings) as store:
        with pytest.raises(ConfigurationError) as refused:
            await store.migrate()
    message = str(refused.value)
    assert f"{declarations.collection}.colour has type" in message
    assert f"{declarations.collection}.weight is stored but no longer declared" in message
    assert "write an Alembic revision" in message
    assert columns_of(url, declarations.collection) == before

    checked = check(module, url)
    assert checked.exit_code == 1
    assert "no longer declared" in checked.output


async def test_a_new_required_field_without_a_default_is_refused(
    declarations: Declarations, url: str, pg_settings: Settings
) -> None:
    declarations.declare(V1)
    async with await repokit.connect(url, settings=pg_settings) as store:
        await store.migrate()
    declarations.declare(V1.replace("price: Decimal", "price: Decimal\n        size: int"))
    async with await repokit.connect(url, settings=pg_settings) as store:
        with pytest.raises(ConfigurationError, match="size is a new required field"):
            await store.migrate()
    assert "size" not in columns_of(url, declarations.collection)


# -- the Alembic workflow -------------------------------------------------------------------


def test_generate_upgrade_and_check_with_a_revisions_folder(
    declarations: Declarations, url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "service" / "migrations"
    module, _ = declarations.declare(V1)
    assert "wrote" in generate("gadgets", module, folder, url).output
    assert "gadgets" in migrate(url, folder).output
    checked = check(module, url, folder)
    assert checked.exit_code == 0, checked.output

    module, _ = declarations.declare(V2)
    checked = check(module, url, folder)
    assert checked.exit_code == 1
    assert "add column" in checked.output
    generate("colour", module, folder, url)
    revision = next(folder.joinpath("versions").glob("*_colour.py")).read_text()
    assert "add_column" in revision
    assert f"ix_{declarations.collection}_colour" in revision
    assert "server_default" in revision
    migrate(url, folder)
    checked = check(module, url, folder)
    assert checked.exit_code == 0, checked.output
    assert "no changes" in generate("nothing", module, folder, url).output
    assert len(list(folder.joinpath("versions").glob("*.py"))) == 2


def test_check_reports_revisions_not_yet_applied(
    declarations: Declarations, url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "service" / "migrations"
    module, _ = declarations.declare(V1)
    assert cli("migrate", "--url", url).exit_code == 0
    generate("gadgets", module, folder, url)
    checked = check(module, url, folder)
    assert checked.exit_code == 1
    assert "run `repokit migrate --dir" in checked.output
    assert "create table" in checked.output


def test_generate_needs_the_entity_modules() -> None:
    result = cli("migrations", "generate", "x", "--dir", "unused", "--url", "sqlite:///unused.db")
    assert result.exit_code == 1
    assert "--entities" in result.output
