"""``MongoStore``: the six repositories and every declared entity's on a MongoDB database,
and its factory.

``open_mongo_store(url, settings)`` serves ``mongodb://`` and ``mongodb+srv://``
URLs (the database is the URL's path, ``repokit`` when it has none). It asks the
server ``hello`` once, so a wrong host fails here with
``BackendUnavailableError``, and learns from the answer whether it is a
replica set or a sharded cluster, which have transactions, or a standalone
server, which has none (``capabilities.transactions``).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import ConfigurationError as PyMongoConfigurationError
from pymongo.errors import InvalidURI, OperationFailure
from pymongo.operations import SearchIndexModel
from pymongo.uri_parser import parse_uri

from repokit.domain.capabilities import Capabilities
from repokit.domain.entity import declared_entities
from repokit.domain.errors import BackendUnavailableError, CapabilityError, ConfigurationError
from repokit.domain.ports import (
    AuditLogPort,
    ChatHistoryPort,
    DocumentRepositoryPort,
    StorePort,
    UserRepositoryPort,
    WorkspaceAclPort,
    WorkspaceRepositoryPort,
)
from repokit.infrastructure.config import Settings, redact_url, url_scheme
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.mongo.client import Client, create_client
from repokit.infrastructure.mongo.entity_schema import schema_indexes
from repokit.infrastructure.mongo.errors import DRIVER_ERRORS, translate_error
from repokit.infrastructure.mongo.repositories import attach_repositories
from repokit.infrastructure.mongo.schema import META_COLLECTION, VECTOR_INDEX
from repokit.infrastructure.mongo.scopes import MongoDatabase, StoreScope
from repokit.infrastructure.mongo.unit_of_work import MongoUnitOfWork
from repokit.infrastructure.unit_guard import UnitSlot

DEFAULT_DATABASE = "repokit"
PROBE_COLLECTION = "repokit_probe"
_INDEX_CONFLICTS = frozenset({85, 86})  # IndexOptionsConflict, IndexKeySpecsConflict


class MongoStore(ProvidesEntityRepositories, StorePort):
    """A connected MongoDB store. Outside a unit of work every repository call stands
    alone (multi-document writes in a transaction of their own where the server has
    them); ``unit_of_work()`` groups calls into one transaction.
    """

    documents: DocumentRepositoryPort
    users: UserRepositoryPort
    workspaces: WorkspaceRepositoryPort
    acl: WorkspaceAclPort
    audit: AuditLogPort
    chats: ChatHistoryPort

    def __init__(self, database: MongoDatabase, description: str, *, vector_index: bool) -> None:
        self._database = database
        self._description = description
        self._vector_index = vector_index
        self._open_unit: UnitSlot[MongoUnitOfWork] = UnitSlot(f"repokit_mongo_unit_{id(self):x}")
        self.embedding_dim = database.embedding_dim
        self.capabilities = Capabilities(
            backend="mongodb",
            transactions=database.transactions,
            vector_index=vector_index,
            vector_search="atlas" if vector_index else "exact",
            concurrent_units=database.transactions,
            entities=True,
        )
        self.entity_repositories = attach_repositories(
            self, StoreScope(database), vector_index=vector_index
        )

    def __repr__(self) -> str:
        state = "closed" if self._database.closed else "open"
        return f"MongoStore({self._description!r}, {state})"

    def unit_of_work(self) -> MongoUnitOfWork:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``.

        Raises:
            CapabilityError: the server is standalone, so it has no transactions.
        """
        self._database.check_open()
        if not self._database.transactions:
            raise CapabilityError(
                "this MongoDB server is standalone: MongoDB runs transactions only on a "
                "replica set or a sharded cluster, so units of work are not available "
                "(store.capabilities.transactions is False); run a single-node replica set "
                "(mongod --replSet rs0) to get them"
            )
        return MongoUnitOfWork(self._database, self._open_unit, vector_index=self._vector_index)

    async def migrate(self) -> None:
        """Create the named indexes of repokit's collections and of every declared entity
        (idempotent, only ever adds) and record the embedding size.

        Raises:
            ConfigurationError: the database was set up for another ``EMBEDDING_DIM``, or an
                index of the same name exists with other keys.
        """
        database = self._database
        database.check_open()
        db = database.db
        try:
            await self._check_embedding_dim()
            with_id = await _indexes_can_hold_id(database)
            made: set[tuple[str, tuple[str, ...]]] = set()
            for spec in schema_indexes(declared_entities()):
                fields = spec.keys if with_id else tuple(f for f in spec.keys if f != "_id")
                if (spec.collection, fields) in made:
                    continue  # without _id two indexes can have the same keys: one serves both
                made.add((spec.collection, fields))
                keys = [(field, ASCENDING) for field in fields]
                await db[spec.collection].create_index(keys, **spec.options())
        except OperationFailure as exc:
            if exc.code in _INDEX_CONFLICTS:
                raise ConfigurationError(
                    "an index of this database has a repokit name but other keys or options; "
                    "drop it and run store.migrate() again"
                ) from exc
            raise translate_error(exc) from exc
        except DRIVER_ERRORS as exc:
            raise translate_error(exc) from exc
        await _create_vector_index(database)

    async def _check_embedding_dim(self) -> None:
        meta = self._database.db[META_COLLECTION]
        found = await meta.find_one({"_id": "schema"})
        if found is None:
            await meta.update_one(
                {"_id": "schema"},
                {"$setOnInsert": {"embedding_dim": self.embedding_dim}},
                upsert=True,
            )
            found = await meta.find_one({"_id": "schema"})
        if found is not None and found.get("embedding_dim") != self.embedding_dim:
            raise ConfigurationError(
                f"this database stores {found.get('embedding_dim')}-dimensional embeddings, "
                f"but REPOKIT_EMBEDDING_DIM is {self.embedding_dim}"
            )

    async def close(self) -> None:
        """Close the client's connections; idempotent. Later calls raise ``StoreClosedError``."""
        if self._database.closed:
            return
        self._database.closed = True
        await self._database.client.close()


async def _indexes_can_hold_id(database: MongoDatabase) -> bool:
    """Whether the server accepts ``_id`` as a later key of a compound index.

    MongoDB does, and the keyset indexes end with it so that pages sorted by
    (timestamp, ``_id``) are index scans. The nx-27017 stand-in refuses such an
    index once the collection holds data (and then refuses every write), so it
    is asked once, on a scratch collection, and gets the indexes without ``_id``.
    """
    probe = database.db[PROBE_COLLECTION]
    try:
        await probe.drop()
        await probe.insert_one({"_id": "probe", "k": 1})
        await probe.create_index([("k", ASCENDING), ("_id", ASCENDING)], name="probe")
        await probe.insert_one({"_id": "probe-2", "k": 2})
    except OperationFailure:
        return False
    finally:
        await probe.drop()
    return True


async def _create_vector_index(database: MongoDatabase) -> None:
    """Ask for the Atlas vector search index; servers without Atlas Search refuse: fine."""
    definition = {
        "fields": [
            {
                "type": "vector",
                "path": "embedding",
                "numDimensions": database.embedding_dim,
                "similarity": "cosine",
            },
            {"type": "filter", "path": "document_id"},
        ]
    }
    model = SearchIndexModel(definition=definition, name=VECTOR_INDEX, type="vectorSearch")
    try:
        if not await _has_vector_index(database, queryable=False):
            await database.db["chunks"].create_search_index(model)
    except DRIVER_ERRORS:
        pass  # not Atlas (or Atlas Search is not enabled): searches stay exact


async def _has_vector_index(database: MongoDatabase, *, queryable: bool) -> bool:
    try:
        cursor = await database.db["chunks"].list_search_indexes(VECTOR_INDEX)
        found = await cursor.to_list()
    except DRIVER_ERRORS:
        return False
    return any(
        index.get("name") == VECTOR_INDEX
        and index.get("type") == "vectorSearch"
        and (index.get("queryable") is True or not queryable)
        for index in found
    )


def _database_name(url: str) -> str:
    try:
        parsed = parse_uri(url, connect_timeout=None) if url.startswith("mongodb://") else None
    except (InvalidURI, PyMongoConfigurationError, ValueError) as exc:
        raise ConfigurationError(f"not a valid MongoDB URL: {redact_url(url)}") from exc
    if parsed is not None:
        return parsed.get("database") or DEFAULT_DATABASE
    # mongodb+srv:// needs DNS to parse fully; the path is all we need here.
    path = url.split("://", 1)[1].split("?", 1)[0]
    _, _, name = path.partition("/")
    return name or DEFAULT_DATABASE


def client_options(settings: Settings) -> dict[str, Any]:
    """PyMongo client options from repokit's settings."""
    return {
        "tz_aware": True,
        "tzinfo": UTC,
        "appname": "repokit",
        "maxPoolSize": settings.pool_max_size,
        "minPoolSize": min(settings.pool_min_size, settings.pool_max_size),
        "waitQueueTimeoutMS": int(settings.pool_timeout_s * 1000),
        "serverSelectionTimeoutMS": int(settings.pool_timeout_s * 1000),
        "connectTimeoutMS": int(settings.pool_timeout_s * 1000),
        "socketTimeoutMS": int((settings.statement_timeout_s + settings.pool_timeout_s) * 1000),
    }


async def open_mongo_store(url: str, settings: Settings) -> MongoStore:
    """A store on the MongoDB database of ``url`` (not migrated: call ``migrate()``).

    Raises:
        ConfigurationError: the URL is not a valid MongoDB URL.
        BackendUnavailableError: no server answered within ``REPOKIT_POOL_TIMEOUT_S``.
    """
    if url_scheme(url) not in ("mongodb", "mongodb+srv"):
        raise ConfigurationError(f"not a MongoDB URL: {redact_url(url)}")
    name = _database_name(url)
    try:
        client: Client = create_client(url, client_options(settings))
    except (InvalidURI, PyMongoConfigurationError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"not a valid MongoDB URL: {redact_url(url)}") from exc
    try:
        hello = await client.admin.command("hello")
    except DRIVER_ERRORS as exc:
        await client.close()
        raise translate_error(exc) from exc
    except Exception as exc:  # a server whose handshake the driver cannot read
        await client.close()
        raise BackendUnavailableError(
            f"the MongoDB handshake failed ({type(exc).__name__}): {redact_url(url)}"
        ) from exc
    # Transactions need a replica set member (setName) or a mongos (msg "isdbgrid").
    transactions = "setName" in hello or hello.get("msg") == "isdbgrid"
    database = MongoDatabase(
        client, client[name], transactions=transactions, embedding_dim=settings.embedding_dim
    )
    vector_index = await _has_vector_index(database, queryable=True)
    return MongoStore(database, redact_url(url), vector_index=vector_index)


__all__ = ["MongoStore", "client_options", "open_mongo_store"]
