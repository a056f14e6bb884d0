"""Everything of the sync MongoDB adapter that differs from the async one by more than ``await``.

The hand-written twin of :mod:`repokit.infrastructure.mongo.client`, with the
same names: PyMongo's ``MongoClient`` (thread-safe, its own connection pool)
and threads instead of tasks.
"""

from __future__ import annotations

import threading
from typing import Any, TypeAlias

from pymongo import MongoClient
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection as PyCollection
from pymongo.synchronous.database import Database as PyDatabase

Client: TypeAlias = MongoClient[dict[str, Any]]
Session: TypeAlias = ClientSession
Collection: TypeAlias = PyCollection[dict[str, Any]]
Database: TypeAlias = PyDatabase[dict[str, Any]]

CallLock = threading.Lock
"""Serialises the calls made through one unit of work (a session is not shared at once)."""


def create_client(url: str, options: dict[str, Any]) -> Client:
    """A client for ``url``; it connects lazily, at the first command."""
    return MongoClient(url, **options)


def current_owner() -> object | None:
    """The thread running now: units of work do not nest per thread."""
    return threading.current_thread()


__all__ = [
    "CallLock",
    "Client",
    "Collection",
    "Database",
    "Session",
    "create_client",
    "current_owner",
]
