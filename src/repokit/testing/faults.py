"""A store that fails on purpose after its N-th write, to prove use cases atomic.

:class:`FailingStore` wraps a real store. Every write it forwards (to the
store's repositories or to a unit of work's) is counted; the ``fail_after``-th
write runs, and then :class:`InjectedFailure` is raised in its place, as if the
process died right after that step. The contract suite runs each use case once
per step and checks the real store afterwards: nothing of the use case may be
left behind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from repokit.domain.ports import StorePort, UnitOfWorkPort

WRITES = frozenset(
    {
        "save",
        "save_many",
        "delete",
        "add_chunks",
        "bulk_load_chunks",
        "grant",
        "revoke",
        "append",
        "delete_session",
    }
)
"""Repository methods that write."""

REPOSITORIES = ("documents", "users", "workspaces", "acl", "audit", "chats")


class InjectedFailure(Exception):
    """The failure :class:`FailingStore` raises after its N-th write."""


class WriteCounter:
    """Counts writes and fails after the ``fail_after``-th (None: never)."""

    def __init__(self, fail_after: int | None) -> None:
        self.fail_after = fail_after
        self.writes: list[str] = []

    def wrap(self, name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        """``method``, counted; raises :class:`InjectedFailure` once it is the failing write."""

        async def counted(*args: Any, **kwargs: Any) -> Any:
            result = await method(*args, **kwargs)
            self.writes.append(name)
            if self.fail_after is not None and len(self.writes) == self.fail_after:
                raise InjectedFailure(f"injected failure after write {len(self.writes)}: {name}")
            return result

        return counted


class _CountedRepository:
    """A repository whose writes go through a :class:`WriteCounter`."""

    def __init__(self, repository: object, name: str, counter: WriteCounter) -> None:
        self._repository = repository
        self._name = name
        self._counter = counter

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._repository, attribute)
        if attribute in WRITES:
            return self._counter.wrap(f"{self._name}.{attribute}", value)
        return value


def _attach(owner: object, source: object, counter: WriteCounter) -> None:
    for name in REPOSITORIES:
        setattr(owner, name, _CountedRepository(getattr(source, name), name, counter))


class FailingUnitOfWork:
    """A unit of work of the wrapped store whose writes are counted."""

    def __init__(self, unit: UnitOfWorkPort, counter: WriteCounter) -> None:
        self._unit = unit
        self._counter = counter

    async def __aenter__(self) -> Self:
        await self._unit.__aenter__()
        _attach(self, self._unit, self._counter)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._unit.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        """Commit the wrapped unit."""
        await self._unit.commit()

    async def rollback(self) -> None:
        """Roll back the wrapped unit."""
        await self._unit.rollback()


class FailingStore:
    """``store`` with every write counted, failing after the ``fail_after``-th.

    It has the store's repositories, ``capabilities``, ``embedding_dim`` and
    ``unit_of_work()``, which is all the use cases need.
    """

    def __init__(self, store: StorePort, fail_after: int | None) -> None:
        self._store = store
        self.counter = WriteCounter(fail_after)
        self.capabilities = store.capabilities
        self.embedding_dim = store.embedding_dim
        _attach(self, store, self.counter)

    def unit_of_work(self) -> FailingUnitOfWork:
        """A unit of work of the wrapped store, its writes counted."""
        return FailingUnitOfWork(self._store.unit_of_work(), self.counter)


__all__ = ["FailingStore", "FailingUnitOfWork", "InjectedFailure", "WriteCounter"]
