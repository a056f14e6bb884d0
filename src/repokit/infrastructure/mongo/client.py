"""Everything of the async MongoDB adapter that differs from its sync twin by more than ``await``.

The client class (PyMongo's ``AsyncMongoClient``), its session type and who
"the current caller" is (the running task). The hand-written twin,
:mod:`repokit.infrastructure.mongo.sync.client`, has the same names on
``MongoClient`` and threads; every other module of the adapter only awaits
what this one offers, so its sync form is generated.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Client: TypeAlias = AsyncMongoClient[dict[str, Any]]
Session: TypeAlias = AsyncClientSession
Collection: TypeAlias = AsyncCollection[dict[str, Any]]
Database: TypeAlias = AsyncDatabase[dict[str, Any]]

CallLock = asyncio.Lock
"""Serialises the calls made through one unit of work (a session is not shared at once)."""


def create_client(url: str, options: dict[str, Any]) -> Client:
    """A client for ``url``; it connects lazily, at the first command."""
    return AsyncMongoClient(url, **options)


def current_owner() -> object | None:
    """The task running now (None outside a task): units of work do not nest per task."""
    return asyncio.current_task()


__all__ = [
    "CallLock",
    "Client",
    "Collection",
    "Database",
    "Session",
    "create_client",
    "current_owner",
]
