"""The repository ports: what the domain needs from storage, and nothing else.

These are the async ports; their sync twins (generated from this module) have
the same names and signatures without ``await``. Adapters implement them; the
contract suite in :mod:`repokit.testing` proves each adapter honours them.

``save`` rules, the same on every backend: a new entity (``version == 0``) whose
id exists raises ``DuplicateError``; an update whose version is not the stored
one raises ``ConcurrencyError`` (``NotFoundError`` if nothing is stored under the
id); a second user with the same email, in any case, raises ``DuplicateError``.
The returned entity carries the stored version and timestamps.
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from uuid import UUID

from repokit.domain.capabilities import Capabilities
from repokit.domain.entities import (
    AclEntry,
    AuditEvent,
    ChatMessage,
    Chunk,
    Document,
    Role,
    ScoredChunk,
    User,
    Workspace,
)
from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER
from repokit.domain.errors import CapabilityError
from repokit.domain.paging import Page
from repokit.domain.query import Filter
from repokit.domain.search_stats import SearchStats
from repokit.domain.search_tuning import (
    DEFAULT_TARGET_RECALL,
    SearchTuning,
    validate_target_recall,
)

E = TypeVar("E", bound=Entity)


class DocumentRepositoryPort(ABC):
    """Documents and their chunks, with filtering, paging and vector search."""

    @abstractmethod
    async def save(self, document: Document) -> Document:
        """Insert (version 0) or update (version n, stored as n+1) a document."""

    @abstractmethod
    async def save_many(self, documents: Sequence[Document]) -> builtins.list[Document]:
        """Save several documents atomically: all land or none does."""

    @abstractmethod
    async def get_by_id(self, id: UUID) -> Document | None:
        """The document with this id, or None."""

    @abstractmethod
    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
        order_by: str = "created_at",
        descending: bool = False,
    ) -> builtins.list[Document]:
        """An offset window of documents, ordered by ``order_by`` then id."""

    @abstractmethod
    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        workspace_id: UUID | None = None,
        where: Filter | None = None,
    ) -> Page[Document]:
        """A keyset page in (created_at, id) order; pass ``next_cursor`` back for more."""

    @abstractmethod
    async def count(self, *, workspace_id: UUID | None = None, where: Filter | None = None) -> int:
        """How many documents match."""

    @abstractmethod
    async def delete(self, id: UUID) -> bool:
        """Delete a document and its chunks; True if it existed."""

    @abstractmethod
    async def add_chunks(self, document_id: UUID, chunks: Sequence[Chunk]) -> None:
        """Store chunks of an existing document, all or none."""

    async def bulk_load_chunks(
        self,
        chunks: Sequence[Chunk],
        *,
        progress: Callable[[int], None] | None = None,
        statement_timeout_s: float | None = None,
    ) -> int:
        """Store the chunks of many documents; returns how many were stored.

        For loading many documents' chunks at once (an initial ingest). The chunks are
        grouped by ``document_id`` (first appearance order, chunk order kept) and each
        group is validated and stored as by :meth:`add_chunks`: the same checks and the
        same errors (``NotFoundError`` for an unknown document, ``InvalidQueryError``
        for a wrong embedding, ``DuplicateError`` for a repeated id or ordinal).

        Atomic per document, not across documents: when a group fails, the groups
        before it may already be stored (an adapter may do better, e.g. PostgreSQL
        loads everything in one transaction). ``progress``, when given, is called with
        the number of chunks stored so far, increasing, the last call with the total.
        ``statement_timeout_s`` replaces the store's statement time limit for the load
        (0: none) on backends that have one (PostgreSQL); the others have no limit to
        lift and ignore it.

        This default calls :meth:`add_chunks` once per document; adapters override it
        with a faster path where they have one.
        """
        groups: dict[UUID, builtins.list[Chunk]] = {}
        for chunk in chunks:
            groups.setdefault(chunk.document_id, []).append(chunk)
        done = 0
        for document_id, group in groups.items():
            await self.add_chunks(document_id, group)
            done += len(group)
            if progress is not None:
                progress(done)
        return done

    @abstractmethod
    async def get_chunks(self, document_id: UUID) -> builtins.list[Chunk]:
        """The document's chunks in ordinal order."""

    @abstractmethod
    async def search_similar(
        self,
        embedding: Sequence[float],
        *,
        k: int = 5,
        workspace_id: UUID | None = None,
        workspace_ids: Sequence[UUID] | None = None,
        where: Filter | None = None,
        metric: str = "cosine",
        exact: bool = False,
    ) -> builtins.list[ScoredChunk]:
        """The ``k`` chunks most similar to ``embedding``, best first.

        ``workspace_id``, ``workspace_ids`` and ``where`` restrict the chunks'
        parent documents; ``exact=True`` bypasses any approximate index.
        """

    async def tune_search(
        self,
        queries: Sequence[Sequence[float]] | None = None,
        *,
        target_recall: float | None = None,
        check: bool = False,
    ) -> SearchTuning:
        """Measure recall@10 against exact search on the stored data and keep the
        fastest search setting that meets ``target_recall`` (default
        ``REPOKIT_TARGET_RECALL``, 0.95), for every process using the database.

        ``queries`` are query embeddings (real ones measure best); None: stored
        embeddings perturbed with noise, so the queries are not stored rows.
        ``check=True`` measures only the setting in force and changes nothing
        (``repokit tune --check``). This default is for backends whose search is
        exact: it reports recall 1.0 and changes nothing.
        """
        target = validate_target_recall(
            DEFAULT_TARGET_RECALL if target_recall is None else target_recall
        )
        return SearchTuning(target_recall=target, recall=1.0)

    def search_stats(self) -> SearchStats:
        """Searches counted and recall estimated from sampled live searches; see
        :meth:`StorePort.search_stats`. This default is for a repository nobody
        monitors (one not opened through ``repokit.connect``): nothing counted."""
        return SearchStats()


class UserRepositoryPort(ABC):
    """Users, unique by lower-cased email."""

    @abstractmethod
    async def save(self, user: User) -> User:
        """Insert or update a user (see the module's ``save`` rules)."""

    @abstractmethod
    async def get_by_id(self, id: UUID) -> User | None:
        """The user with this id, or None."""

    @abstractmethod
    async def find_by_email(self, email: str) -> User | None:
        """The user with this email, compared without regard to case."""

    @abstractmethod
    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        """Users in (created_at, id) order."""

    @abstractmethod
    async def delete(self, id: UUID) -> bool:
        """Delete a user and their ACL entries; ``InUseError`` if they own workspaces."""


class WorkspaceRepositoryPort(ABC):
    """Workspaces; deleting one removes its ACL entries, documents and chunks."""

    @abstractmethod
    async def save(self, workspace: Workspace) -> Workspace:
        """Insert or update a workspace; its owner must exist."""

    @abstractmethod
    async def get_by_id(self, id: UUID) -> Workspace | None:
        """The workspace with this id, or None."""

    @abstractmethod
    async def list(
        self, offset: int = 0, limit: int = 20, *, owner_id: UUID | None = None
    ) -> builtins.list[Workspace]:
        """Workspaces in (created_at, id) order, optionally of one owner."""

    @abstractmethod
    async def delete(self, id: UUID) -> bool:
        """Delete a workspace with its ACL, documents and chunks; True if it existed."""


class WorkspaceAclPort(ABC):
    """Who may do what in which workspace."""

    @abstractmethod
    async def grant(self, workspace_id: UUID, user_id: UUID, role: Role) -> AclEntry:
        """Give ``user_id`` the ``role`` in the workspace (replacing any previous role)."""

    @abstractmethod
    async def revoke(self, workspace_id: UUID, user_id: UUID) -> bool:
        """Remove the user's role; True if they had one."""

    @abstractmethod
    async def role_of(self, workspace_id: UUID, user_id: UUID) -> Role | None:
        """The user's role in the workspace, or None."""

    @abstractmethod
    async def members(self, workspace_id: UUID) -> builtins.list[AclEntry]:
        """The workspace's entries in (granted_at, user_id) order."""

    @abstractmethod
    async def workspaces_of(self, user_id: UUID) -> builtins.list[AclEntry]:
        """The user's entries in (granted_at, workspace_id) order."""


class AuditLogPort(ABC):
    """An append-only log of events."""

    @abstractmethod
    async def append(self, event: AuditEvent) -> AuditEvent:
        """Record an event; a repeated id raises ``DuplicateError``."""

    @abstractmethod
    async def page(
        self,
        limit: int = 50,
        cursor: str | None = None,
        *,
        entity_type: str | None = None,
        entity_id: str | None = None,
        actor_id: UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[AuditEvent]:
        """Events in (occurred_at, id) order; ``since`` inclusive, ``until`` exclusive."""


class ChatHistoryPort(ABC):
    """Messages of chat sessions."""

    @abstractmethod
    async def append(self, message: ChatMessage) -> ChatMessage:
        """Record a message; a repeated id raises ``DuplicateError``."""

    @abstractmethod
    async def list_session(
        self, session_id: UUID, limit: int = 50, before: datetime | None = None
    ) -> builtins.list[ChatMessage]:
        """The newest ``limit`` messages created before ``before``, oldest first."""

    @abstractmethod
    async def delete_session(self, session_id: UUID) -> int:
        """Delete a session's messages; returns how many there were."""


class EntityRepositoryPort(ABC, Generic[E]):
    """The repository of one declared entity class (``store.repository(Order)``).

    The ``save`` rules are the module's; a value of a ``Unique`` field (or of a
    compound unique's fields) already stored by another entity raises
    ``DuplicateError``; a ``Ref`` to an entity that is not stored raises
    ``NotFoundError``. Filters are the document filter language over the
    entity's own fields (see ``docs/entities.md``).
    """

    @abstractmethod
    async def save(self, entity: E) -> E:
        """Insert (version 0) or update (version n, stored as n+1) an entity."""

    @abstractmethod
    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        """Save several entities atomically: all land or none does."""

    @abstractmethod
    async def get_by_id(self, id: UUID) -> E | None:
        """The entity with this id, or None."""

    @abstractmethod
    async def get_by(self, **unique: Any) -> E | None:
        """The entity whose unique field (or compound unique's fields) has these values."""

    @abstractmethod
    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[E]:
        """An offset window ordered by ``order_by`` then id, both in one direction."""

    @abstractmethod
    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> Page[E]:
        """A keyset page over ``(order_by, id)``; pass ``next_cursor`` back for more."""

    @abstractmethod
    async def count(self, *, where: Filter | None = None) -> int:
        """How many entities match."""

    @abstractmethod
    async def delete(self, id: UUID) -> bool:
        """Delete an entity (its ``Ref`` rules apply); True if it existed."""


class RepositoriesPort(ABC):
    """The six repositories, as a store or a unit of work exposes them, and the
    repository of any declared entity."""

    documents: DocumentRepositoryPort
    users: UserRepositoryPort
    workspaces: WorkspaceRepositoryPort
    acl: WorkspaceAclPort
    audit: AuditLogPort
    chats: ChatHistoryPort

    def repository(self, model: type[E]) -> EntityRepositoryPort[E]:
        """The repository of the declared entity class ``model``.

        Raises:
            DeclarationError: ``model`` is not a declared ``repokit.Entity`` subclass.
            CapabilityError: this backend does not store declared entities
                (``store.capabilities.entities`` is False).
        """
        raise CapabilityError(
            f"{type(self).__name__} does not store declared entities "
            "(store.capabilities.entities is False)"
        )


class UnitOfWorkPort(RepositoriesPort):
    """An atomic unit: a clean exit commits, an exception rolls back and re-raises.

    ``commit()`` and ``rollback()`` may be called mid-block; the block can go on
    and the next writes start a new transaction. Using the unit after its block
    raises ``UnitOfWorkError``; opening a unit inside another unit of the same
    store, in the same task, raises ``UnitOfWorkError`` too.
    """

    @abstractmethod
    async def commit(self) -> None:
        """Make the writes so far durable and visible."""

    @abstractmethod
    async def rollback(self) -> None:
        """Discard the writes since the last commit."""

    @abstractmethod
    async def __aenter__(self) -> Self:
        """Begin the unit."""

    @abstractmethod
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit on a clean exit, roll back on an exception (which propagates)."""


class StorePort(RepositoriesPort):
    """A connected backend: repositories (each call its own transaction) and units of work."""

    capabilities: Capabilities
    embedding_dim: int
    """Length every embedding must have (``REPOKIT_EMBEDDING_DIM``)."""

    @abstractmethod
    def unit_of_work(self) -> UnitOfWorkPort:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``."""

    @abstractmethod
    async def migrate(self) -> None:
        """Create or upgrade the schema; safe to run again."""

    def search_stats(self) -> SearchStats:
        """Estimated recall and q/s of this store's ``documents.search_similar`` calls.

        A sample of the approximate searches (``REPOKIT_RECALL_SAMPLE_RATE``, one in
        1,000 by default) is re-run with ``exact=True`` off the hot path and compared;
        a warning is logged on the ``repokit.search`` logger when the estimate falls
        below ``REPOKIT_TARGET_RECALL``. Backends whose search is exact report recall
        1.0 and re-run nothing. Not awaited, and cheap: it reads counters (the sync
        store first runs the re-runs its searches deferred).
        """
        return self.documents.search_stats()

    @abstractmethod
    async def close(self) -> None:
        """Release every connection; later calls raise ``StoreClosedError``."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
