"""Reading documents in keyset order: the partition to query and the in-process filter.

Documents sit in the ``DOCS`` partition of G1 (or a workspace's ``WSDOCS#<ws>``
partition of G2), sorted by ``<created_at>#<id>``, which is keyset order. The
filter is compiled to a ``FilterExpression`` where it can be
(:mod:`.filters`) and checked in-process on every item by the reference
evaluator, so a listing keeps reading pages until it has ``limit`` matches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from repokit.domain.entities import Document
from repokit.domain.matching import matches
from repokit.domain.query import FilterNode
from repokit.infrastructure.dynamodb.filters import compile_prefilter
from repokit.infrastructure.dynamodb.items import live
from repokit.infrastructure.dynamodb.layout import DOCS, G1, G2, workspace_documents
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope, read_entity

PAGE_SIZE = 200
"""Items per ``Query`` request while a listing fills a window (DynamoDB stops at 1 MB anyway)."""


def documents_spec(
    workspace_id: UUID | None,
    node: FilterNode | None,
    *,
    after: str | None = None,
    descending: bool = False,
    page_size: int | None = PAGE_SIZE,
) -> QuerySpec:
    """The query over the documents a listing may return, in (created_at, id) order."""
    if workspace_id is not None:
        partition, index = workspace_documents(workspace_id), G2
    else:
        partition, index = DOCS, G1
    return QuerySpec(
        partition=partition,
        index=index,
        after=after,
        descending=descending,
        prefilter=compile_prefilter(node),
        page_size=page_size,
    )


async def matching_documents(
    scope: Scope, spec: QuerySpec, node: FilterNode | None
) -> AsyncIterator[Document]:
    """The documents of ``spec`` that satisfy ``node``, in the query's order."""
    async for item in scope.query(spec):
        if live(item) is None:
            continue  # marked for deletion: already gone for readers
        document = await read_entity(scope, Document, item)
        if matches(node, document):
            yield document
