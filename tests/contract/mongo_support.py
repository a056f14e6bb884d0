"""What the MongoDB contract runs share: fresh databases, and the stand-in's gap marks.

A helper module, not a test module: ``test_mongo.py`` and ``test_entities_mongo.py``
import it. The stand-in server itself is the session fixture ``standin``
(``tests/contract/conftest.py``).
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pymongo
import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings
from repokit.testing import contract_xfail
from repokit.testing.entity_contract import entity_cases
from repokit.testing.markers import MARKER


def database_url(base: str) -> str:
    """``base`` (a server URL) pointed at a fresh database name."""
    name = f"repokit_test_{uuid.uuid4().hex[:12]}"
    head, query = [*base.split("?", 1), ""][:2]
    scheme, rest = head.split("://", 1)
    hosts = rest.split("/", 1)[0]
    return f"{scheme}://{hosts}/{name}" + (f"?{query}" if query else "")


def drop_database(url: str) -> None:
    """Drop the test's database (sync client: works from any fixture)."""
    with pymongo.MongoClient(url, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(client.get_default_database().name)


async def fresh_store(
    base: str, settings: Settings, cache_url: str | None = None
) -> tuple[str, StorePort]:
    """A migrated store on a fresh database of ``base`` (behind the cache at ``cache_url``)."""
    url = database_url(base)
    store = await repokit.connect(url, cache_url=cache_url, settings=settings)
    await store.migrate()
    return url, store


def fresh_sync_store(
    base: str, settings: Settings, cache_url: str | None = None
) -> tuple[str, SyncStorePort]:
    """The sync form of :func:`fresh_store`."""
    url = database_url(base)
    store = repokit.connect_sync(url, cache_url=cache_url, settings=settings)
    store.migrate()
    return url, store


def with_standin_gaps(gaps: Mapping[str, str]) -> Callable[[type], type]:
    """A class decorator marking the contract tests ``gaps`` names as ``contract_xfail``
    with their reasons, by override (the stand-in classes only)."""

    def mark(cls: type) -> type:
        for name, reason in gaps.items():
            setattr(cls, name, contract_xfail(reason=reason)(_override(cls, name)))
        return cls

    return mark


def _override(contract: type, name: str) -> Callable[..., Any]:
    """A method that runs the contract test ``name`` (same signature, same marks)."""
    original = getattr(contract, name)
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await original(self, *args, **kwargs)

        return run_async

    @functools.wraps(original)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        return original(self, *args, **kwargs)

    return run


def with_standin_case_gaps(gaps: Mapping[str, Mapping[str, str]]) -> Callable[[type], type]:
    """A class decorator for an ``EntityContract`` class: the cases ``gaps`` names (test
    name -> case id -> reason) are marked as ``contract_xfail`` marks them (strict), the
    other cases of the same test run as they are.

    For a parametrized entity test that fails on the stand-in for some cases only
    (a datetime ordering, an entity with a boolean in its JSON), where marking the
    whole test would hide the cases that pass.
    """

    def generate(self: Any, metafunc: pytest.Metafunc) -> None:
        test_gaps = gaps.get(metafunc.function.__name__, {})
        for fixture, params in entity_cases(self.entities).items():
            if fixture in metafunc.fixturenames:
                unknown = set(test_gaps) - {label for _, label in params}
                if unknown:
                    raise ValueError(f"{metafunc.function.__name__} has no cases {unknown}")
                metafunc.parametrize(
                    fixture,
                    [
                        pytest.param(value, id=label, marks=_gap_marks(test_gaps.get(label)))
                        for value, label in params
                    ],
                )

    def mark(cls: type) -> type:
        cls.pytest_generate_tests = generate  # type: ignore[attr-defined]
        return cls

    return mark


def _gap_marks(reason: str | None) -> list[pytest.MarkDecorator]:
    if reason is None:
        return []
    return [
        pytest.mark.xfail(strict=True, reason=reason),
        getattr(pytest.mark, MARKER)(reason=reason),
    ]
