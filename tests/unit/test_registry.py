"""The registry: URL scheme -> backend factory, built-in, registered or from entry points."""

from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint
from typing import Any

import pytest

import repokit
from repokit.domain.errors import ConfigurationError
from repokit.domain.ports import StorePort
from repokit.infrastructure import registry
from repokit.infrastructure.config import Settings
from repokit.infrastructure.memory import MemoryStore
from repokit.infrastructure.memory.sync.store import MemoryStore as SyncMemoryStore
from repokit.infrastructure.registry import (
    BUILTIN_BACKENDS,
    ENTRY_POINT_GROUP,
    SYNC_ENTRY_POINT_GROUP,
    BuiltinBackend,
    known_schemes,
    open_store,
    open_sync_store,
    register_backend,
    resolve_factory,
    resolve_sync_factory,
    unregister_backend,
)

PLUGIN_MODULE = "repokit_test_plugin"


async def open_fake_store(url: str, settings: Settings) -> StorePort:
    """A plugin factory: any store will do, so a memory one."""
    return MemoryStore(settings.embedding_dim)


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> list[EntryPoint]:
    """Entry points of the group, as an installed distribution would declare them."""
    module = types.ModuleType(PLUGIN_MODULE)
    module.open_store = open_fake_store  # type: ignore[attr-defined]
    module.not_callable = 42  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, PLUGIN_MODULE, module)
    declared: list[EntryPoint] = []

    def fake_entry_points(**params: Any) -> list[EntryPoint]:
        if params == {"group": SYNC_ENTRY_POINT_GROUP}:
            return [ep for ep in declared if ep.group == SYNC_ENTRY_POINT_GROUP]
        assert params == {"group": ENTRY_POINT_GROUP}
        return [ep for ep in declared if ep.group == ENTRY_POINT_GROUP]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    return declared


def entry_point(name: str, value: str, group: str = ENTRY_POINT_GROUP) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=group)


async def test_memory_url_opens_the_memory_store() -> None:
    store = await open_store("memory://", Settings())
    assert store.capabilities.backend == "memory"
    await store.close()


async def test_sqlite_url_opens_the_sqlite_store() -> None:
    store = await open_store("sqlite:///:memory:", Settings())
    assert store.capabilities.backend == "sqlite"
    await store.close()


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_factory("cassandra://user:hunter2@host/ks")
    message = str(caught.value)
    assert "unknown database URL scheme 'cassandra'" in message
    for scheme in (
        "memory",
        "sqlite",
        "postgresql",
        "mongodb",
        "dynamodb",
        "firestore",
        "embedded",
    ):
        assert scheme in message
    assert "hunter2" not in message


def test_text_that_is_not_a_url_is_not_echoed() -> None:
    with pytest.raises(ConfigurationError, match="not of the form scheme://") as caught:
        resolve_factory("app:hunter2@db")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("scheme", sorted(BUILTIN_BACKENDS))
def test_every_builtin_scheme_has_an_async_and_a_sync_factory(scheme: str) -> None:
    url = f"{scheme}://u:hunter2@h/db"
    assert callable(resolve_factory(url))
    assert callable(resolve_sync_factory(url))


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # A built-in whose module imports a driver that is not installed.
    monkeypatch.setitem(
        BUILTIN_BACKENDS,
        "fakedb",
        BuiltinBackend(
            "FakeDB",
            "repokit_missing_driver_xyz.store:open",
            "fakedb",
            sync_target="repokit_missing_driver_xyz.sync.store:open",
        ),
    )
    with pytest.raises(ConfigurationError, match=r"pip install 'repokit\[fakedb\]'"):
        resolve_factory("fakedb://h")


def test_missing_factory_in_an_existing_module_is_not_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(
        BUILTIN_BACKENDS,
        "fakedb",
        BuiltinBackend(
            "FakeDB",
            "repokit.infrastructure.config:open_nothing",
            "fakedb",
            sync_target="repokit.infrastructure.config:open_nothing_sync",
        ),
    )
    with pytest.raises(ConfigurationError, match="not available in this version"):
        resolve_factory("fakedb://h")


async def test_entry_point_backend_is_discovered(plugin: list[EntryPoint]) -> None:
    plugin.append(entry_point("fakedb", f"{PLUGIN_MODULE}:open_store"))
    assert "fakedb" in known_schemes()
    store = await open_store("fakedb://anything", Settings())
    assert isinstance(store, MemoryStore)


def test_builtin_wins_over_an_entry_point_of_the_same_scheme(plugin: list[EntryPoint]) -> None:
    plugin.append(entry_point("memory", f"{PLUGIN_MODULE}:open_store"))
    assert resolve_factory("memory://") is not open_fake_store


def test_broken_entry_point_is_a_configuration_error(plugin: list[EntryPoint]) -> None:
    plugin.append(entry_point("broken", "repokit_no_such_plugin_module:open_store"))
    with pytest.raises(ConfigurationError, match="cannot load the backend plugin 'broken'"):
        resolve_factory("broken://h")


def test_entry_point_that_is_not_callable_is_rejected(plugin: list[EntryPoint]) -> None:
    plugin.append(entry_point("odd", f"{PLUGIN_MODULE}:not_callable"))
    with pytest.raises(ConfigurationError, match="not a callable factory"):
        resolve_factory("odd://h")


def test_registered_backend_wins_and_can_be_removed() -> None:
    register_backend("Memory", open_fake_store)
    try:
        assert resolve_factory("memory://") is open_fake_store
    finally:
        assert unregister_backend("memory")
    assert resolve_factory("memory://") is not open_fake_store


def test_registering_an_invalid_scheme_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="not a valid URL scheme"):
        register_backend("no spaces://", open_fake_store)


async def test_factory_importing_a_missing_driver_becomes_a_configuration_error() -> None:
    async def needs_driver(url: str, settings: Settings) -> StorePort:
        raise ModuleNotFoundError("No module named 'cassandra'", name="cassandra")

    register_backend("cql", needs_driver)
    try:
        with pytest.raises(ConfigurationError, match="'cassandra'") as caught:
            await open_store("cql://u:hunter2@h", Settings())
        assert "hunter2" not in str(caught.value)
    finally:
        unregister_backend("cql")


def open_fake_sync_store(url: str, settings: Settings) -> SyncMemoryStore:
    """A sync plugin factory."""
    return SyncMemoryStore(settings.embedding_dim)


def test_connect_sync_opens_the_memory_store() -> None:
    with repokit.connect_sync("memory://", settings=Settings()) as store:
        assert isinstance(store, SyncMemoryStore)
        assert store.documents.count() == 0


def test_sync_entry_point_backend_is_discovered(
    plugin: list[EntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys.modules[PLUGIN_MODULE], "open_sync_store", open_fake_sync_store, raising=False
    )
    plugin.append(entry_point("fakedb", f"{PLUGIN_MODULE}:open_sync_store", SYNC_ENTRY_POINT_GROUP))
    assert isinstance(open_sync_store("fakedb://anything", Settings()), SyncMemoryStore)


def test_a_plugin_without_a_sync_form_says_so(plugin: list[EntryPoint]) -> None:
    plugin.append(entry_point("fakedb", f"{PLUGIN_MODULE}:open_store"))
    with pytest.raises(ConfigurationError, match="no sync form"):
        resolve_sync_factory("fakedb://anything")


def test_a_registered_backend_without_a_sync_factory_says_so() -> None:
    register_backend("fakedb", open_fake_store)
    try:
        with pytest.raises(ConfigurationError, match="no sync form"):
            resolve_sync_factory("fakedb://anything")
        register_backend("fakedb", open_fake_store, sync_factory=open_fake_sync_store)
        assert resolve_sync_factory("fakedb://anything") is open_fake_sync_store
    finally:
        unregister_backend("fakedb")
