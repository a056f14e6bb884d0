"""``store.repository(Model)``: one repository per declared entity class, made on first use.

Every store and unit of work of every backend hands out its declared-entity
repositories through an :class:`EntityRepositories`: it checks that the class is
a storable declared entity (``DeclarationError`` otherwise) and builds the
backend's generic repository once per class. Driver-free, so the sync forms
share it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from repokit.domain.entity_spec import spec_of

RepositoryFactory = Callable[[type[Any]], Any]
"""Builds a backend's repository for one declared entity class."""


class EntityRepositories:
    """The declared-entity repositories of one store or unit of work."""

    def __init__(self, factory: RepositoryFactory) -> None:
        self._factory = factory
        self._made: dict[type[Any], Any] = {}
        self._lock = threading.Lock()

    def get(self, model: type[Any]) -> Any:
        """The repository of ``model``, made on first use.

        Raises:
            DeclarationError: ``model`` is not a declared entity, or an abstract one.
        """
        repository = self._made.get(model)
        if repository is not None:
            return repository
        spec_of(model).table()
        with self._lock:
            repository = self._made.get(model)
            if repository is None:
                repository = self._made[model] = self._factory(model)
        return repository


class ProvidesEntityRepositories:
    """Gives a store or unit of work ``repository(model)`` from its :class:`EntityRepositories`.

    Listed before the port among the bases, so it replaces the port's refusal.
    """

    entity_repositories: EntityRepositories

    def repository(self, model: type[Any]) -> Any:
        """The repository of the declared entity class ``model`` (made on first use).

        Raises:
            DeclarationError: ``model`` is not a declared entity, or an abstract one.
        """
        return self.entity_repositories.get(model)


__all__ = ["EntityRepositories", "ProvidesEntityRepositories", "RepositoryFactory"]
