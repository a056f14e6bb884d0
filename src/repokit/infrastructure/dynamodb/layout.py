"""The single-table design: every item's key and index attributes, declared in one place.

One table (``PK``, ``SK``) and two GSIs (``G1PK``/``G1SK``, ``G2PK``/``G2SK``,
projection ALL); ``docs/backends.md`` ("DynamoDB") lists every item and the
access pattern each key or index serves. ``<at>#<id>`` sort keys are a
millisecond UTC timestamp and an id, which sorts in keyset order. Declared
entities, ``User`` and ``Workspace`` among them, have their own items and a pool
of five more GSIs: :mod:`.entity_layout`; :func:`user_key` and
:func:`workspace_key` name those items for the checks other items make.
"""

from __future__ import annotations

from uuid import UUID

from repokit.domain.entities import AclEntry, AuditEvent, ChatMessage, Document, User, Workspace
from repokit.domain.entity_spec import spec_of
from repokit.infrastructure.dynamodb.entity_layout import entity_key
from repokit.infrastructure.dynamodb.items import Item, Key, position, s, ts

G1 = "GSI1"
G2 = "GSI2"
DOCS = "DOCS"
CHUNKS = "CHUNKS"
AUDIT = "AUDIT"


def document_key(id_: UUID) -> Key:
    """A document's item."""
    return (f"DOC#{id_}", "DOC")


def part_key(document_id: UUID, index: int) -> Key:
    """Part ``index`` of a large document body."""
    return (f"DOC#{document_id}", f"PART#{index:04d}")


def chunk_key(document_id: UUID, ordinal: int) -> Key:
    """A chunk, under its document, in ordinal order."""
    return (f"DOC#{document_id}", f"CHUNK#{ordinal:020d}")


def chunk_guard_key(chunk_id: UUID) -> Key:
    """The item that keeps a chunk id unique across documents."""
    return (f"CHUNKID#{chunk_id}", "CHUNKID")


def user_key(id_: UUID) -> Key:
    """A user's item (the declared entity ``User``)."""
    return entity_key(spec_of(User).table(), id_)


def workspace_key(id_: UUID) -> Key:
    """A workspace's item (the declared entity ``Workspace``)."""
    return entity_key(spec_of(Workspace).table(), id_)


def workspace_acl(workspace_id: UUID) -> str:
    """The partition of a workspace's ACL entries."""
    return f"WS#{workspace_id}"


def acl_key(workspace_id: UUID, user_id: UUID) -> Key:
    """An ACL entry, under its workspace."""
    return (workspace_acl(workspace_id), f"ACL#{user_id}")


def audit_key(id_: UUID) -> Key:
    """An audit event's item."""
    return (f"AUDIT#{id_}", "AUDIT")


def chat_key(id_: UUID) -> Key:
    """A chat message's item."""
    return (f"MSG#{id_}", "MSG")


def workspace_documents(workspace_id: UUID) -> str:
    """G2 partition of a workspace's documents."""
    return f"WSDOCS#{workspace_id}"


def acl_of(user_id: UUID) -> str:
    """G2 partition of a user's ACL entries."""
    return f"UACL#{user_id}"


def session_messages(session_id: UUID) -> str:
    """G1 partition of a chat session's messages."""
    return f"CHAT#{session_id}"


def document_attrs(document: Document) -> Item:
    """Index and filter attributes of a document item (the body is added by the caller)."""
    at = position(document.created_at, document.id)
    item: Item = {
        "G1PK": s(DOCS),
        "G1SK": s(at),
        "ca": s(ts(document.created_at)),
        "ua": s(ts(document.updated_at)),
    }
    if document.workspace_id is not None:
        item["G2PK"] = s(workspace_documents(document.workspace_id))
        item["G2SK"] = s(at)
        item["ws"] = s(str(document.workspace_id))
    return item


def acl_attrs(entry: AclEntry) -> Item:
    """Index attributes of an ACL entry."""
    return {
        "G2PK": s(acl_of(entry.user_id)),
        "G2SK": s(position(entry.granted_at, entry.workspace_id)),
    }


def audit_attrs(event: AuditEvent) -> Item:
    """Index attributes of an audit event."""
    return {"G1PK": s(AUDIT), "G1SK": s(position(event.occurred_at, event.id))}


def chat_attrs(message: ChatMessage) -> Item:
    """Index attributes of a chat message."""
    return {
        "G1PK": s(session_messages(message.session_id)),
        "G1SK": s(position(message.created_at, message.id)),
    }
