"""``RepokitDocumentStore``: a Haystack document store over any repokit store."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import urlsplit

from haystack import default_from_dict, default_to_dict
from haystack.dataclasses import Document as HaystackDocument
from haystack.document_stores.types import DuplicatePolicy
from haystack.utils import Secret, deserialize_secrets_inplace

import repokit
from repokit.domain.errors import ConfigurationError, DuplicateError
from repokit.integrations.codec import Record
from repokit.integrations.haystack.errors import HaystackDuplicateError
from repokit.integrations.haystack.filters import translate_filter
from repokit.integrations.haystack.mapping import to_document, to_records
from repokit.integrations.policy import WritePolicy
from repokit.integrations.stores import Opener, StorePair, settings_with

_POLICIES = {
    DuplicatePolicy.NONE: WritePolicy.FAIL,  # as Haystack's InMemoryDocumentStore
    DuplicatePolicy.FAIL: WritePolicy.FAIL,
    DuplicatePolicy.SKIP: WritePolicy.SKIP,
    DuplicatePolicy.OVERWRITE: WritePolicy.OVERWRITE,
}


class RepokitDocumentStore:
    """A Haystack ``DocumentStore`` whose documents live in a repokit store.

    ``RepokitDocumentStore(url=...)`` opens the backend the URL names (None:
    ``REPOKIT_DATABASE_URL``, else the embedded PostgreSQL): the sync store at the
    first sync call, the async store at the first ``*_async`` call, each migrated
    when ``migrate``. ``embedding_dim`` must match the embedder (else
    ``REPOKIT_EMBEDDING_DIM``). Each Haystack document is one repokit document,
    plus a chunk holding its embedding when it has one (``docs/integrations.md``).
    ``DuplicatePolicy.NONE`` means ``FAIL``.
    """

    def __init__(
        self,
        url: str | Secret | None = None,
        *,
        embedding_dim: int | None = None,
        cache_url: str | Secret | None = None,
        metric: str = "cosine",
        exact: bool = False,
        migrate: bool = True,
        settings: repokit.Settings | None = None,
    ) -> None:
        self.url = url
        self.embedding_dim = embedding_dim
        self.cache_url = cache_url
        self.metric = metric
        self.exact = exact
        self.migrate = migrate
        opener = Opener(
            _reveal(url), settings_with(settings, embedding_dim), _reveal(cache_url), migrate
        )
        self._pair = StorePair(opener=opener, metric=metric, exact=exact)

    # -- serialisation (Haystack pipelines) ----------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The store's init parameters; a URL holding a password must be a ``Secret``.

        Raises:
            ConfigurationError: ``url`` or ``cache_url`` is a plain string with a password.
        """
        return default_to_dict(
            self,
            url=_serialisable(self.url, "url"),
            embedding_dim=self.embedding_dim,
            cache_url=_serialisable(self.cache_url, "cache_url"),
            metric=self.metric,
            exact=self.exact,
            migrate=self.migrate,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The store :meth:`to_dict` described."""
        params = data.get("init_parameters", {})
        for key in ("url", "cache_url"):
            if isinstance(params.get(key), dict):
                deserialize_secrets_inplace(params, keys=[key])
        return default_from_dict(cls, data)

    # -- the DocumentStore protocol ------------------------------------------------

    def count_documents(self) -> int:
        """How many documents the store holds."""
        return self._pair.records().count()

    async def count_documents_async(self) -> int:
        """The async form of :meth:`count_documents`."""
        return await (await self._pair.arecords()).count()

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[HaystackDocument]:
        """The documents matching Haystack ``filters`` (all without), with embeddings."""
        where = translate_filter(filters)
        return [to_document(r) for r in self._pair.records().find(where, embeddings=True)]

    async def filter_documents_async(
        self, filters: dict[str, Any] | None = None
    ) -> list[HaystackDocument]:
        """The async form of :meth:`filter_documents`."""
        where = translate_filter(filters)
        records = await self._pair.arecords()
        return [to_document(r) for r in await records.find(where, embeddings=True)]

    def write_documents(
        self, documents: list[HaystackDocument], policy: DuplicatePolicy = DuplicatePolicy.NONE
    ) -> int:
        """Store ``documents`` under ``policy``; returns how many were written.

        Raises:
            DuplicateDocumentError: (a ``HaystackDuplicateError``) under ``FAIL``/``NONE``.
            ValueError: ``documents`` is not a list of ``Document``.
        """
        records = to_records(documents)
        try:
            return self._pair.records().write(records, _POLICIES[policy])
        except DuplicateError as exc:
            raise HaystackDuplicateError(str(exc)) from exc

    async def write_documents_async(
        self, documents: list[HaystackDocument], policy: DuplicatePolicy = DuplicatePolicy.NONE
    ) -> int:
        """The async form of :meth:`write_documents`."""
        records = to_records(documents)
        try:
            return await (await self._pair.arecords()).write(records, _POLICIES[policy])
        except DuplicateError as exc:
            raise HaystackDuplicateError(str(exc)) from exc

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete the documents of ``document_ids`` (unknown ids are ignored)."""
        self._pair.records().delete(document_ids)

    async def delete_documents_async(self, document_ids: list[str]) -> None:
        """The async form of :meth:`delete_documents`."""
        await (await self._pair.arecords()).delete(document_ids)

    # -- the optional operations the Haystack suites test --------------------------

    def delete_all_documents(self, recreate_index: bool = False) -> None:
        """Delete every document; ``recreate_index`` changes nothing (the schema stays)."""
        self._pair.records().delete_where(None)

    async def delete_all_documents_async(self, recreate_index: bool = False) -> None:
        """The async form of :meth:`delete_all_documents`."""
        await (await self._pair.arecords()).delete_where(None)

    def delete_by_filter(self, filters: dict[str, Any]) -> int:
        """Delete the documents matching ``filters``; returns how many there were."""
        return self._pair.records().delete_where(translate_filter(filters))

    async def delete_by_filter_async(self, filters: dict[str, Any]) -> int:
        """The async form of :meth:`delete_by_filter`."""
        return await (await self._pair.arecords()).delete_where(translate_filter(filters))

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        """How many documents match ``filters``."""
        return self._pair.records().count(translate_filter(filters))

    async def count_documents_by_filter_async(self, filters: dict[str, Any]) -> int:
        """The async form of :meth:`count_documents_by_filter`."""
        return await (await self._pair.arecords()).count(translate_filter(filters))

    def update_by_filter(self, filters: dict[str, Any], meta: dict[str, Any]) -> int:
        """Merge ``meta`` into the metadata of the documents matching ``filters``.

        Each is rewritten (its chunk has no update in repokit); returns how many.
        """
        records = self._pair.records()
        updated = _with_meta(records.find(translate_filter(filters), embeddings=True), meta)
        return records.write(updated, WritePolicy.OVERWRITE)

    async def update_by_filter_async(self, filters: dict[str, Any], meta: dict[str, Any]) -> int:
        """The async form of :meth:`update_by_filter`."""
        records = await self._pair.arecords()
        updated = _with_meta(await records.find(translate_filter(filters), embeddings=True), meta)
        return await records.write(updated, WritePolicy.OVERWRITE)

    # -- retrieval -----------------------------------------------------------------

    def embedding_retrieval(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
    ) -> list[HaystackDocument]:
        """The ``top_k`` documents nearest ``query_embedding`` among those ``filters``
        keeps, best first, each with its score (see :meth:`scaled`)."""
        if top_k == 0:
            return []
        hits = self._pair.records().search(
            query_embedding, k=top_k, where=translate_filter(filters)
        )
        return self._documents(hits, scale_score, return_embedding)

    async def embedding_retrieval_async(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
    ) -> list[HaystackDocument]:
        """The async form of :meth:`embedding_retrieval`."""
        if top_k == 0:
            return []
        records = await self._pair.arecords()
        hits = await records.search(query_embedding, k=top_k, where=translate_filter(filters))
        return self._documents(hits, scale_score, return_embedding)

    def scaled(self, score: float) -> float:
        """A score mapped into [0, 1] as Haystack's in-memory store does per metric."""
        if self.metric == "cosine":
            return (score + 1) / 2
        if self.metric == "inner_product":
            return 1 / (1 + math.exp(-score / 100))
        return 1 / (1 - score)  # l2: the score is minus the distance

    def _documents(
        self, hits: list[tuple[Record, float]], scale_score: bool, return_embedding: bool
    ) -> list[HaystackDocument]:
        return [
            to_document(
                record,
                score=self.scaled(score) if scale_score else score,
                embedding=return_embedding,
            )
            for record, score in hits
        ]

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync store (the async one needs :meth:`close_async`)."""
        self._pair.close()

    async def close_async(self) -> None:
        """Close both stores."""
        await self._pair.aclose()


def _with_meta(records: list[Record], meta: Mapping[str, Any]) -> list[Record]:
    return [
        dataclasses.replace(record, metadata={**record.metadata, **meta}) for record in records
    ]


def _reveal(value: str | Secret | None) -> str | None:
    return value.resolve_value() if isinstance(value, Secret) else value


def _serialisable(value: str | Secret | None, name: str) -> Any:
    if isinstance(value, Secret):
        return value.to_dict()
    if value is not None and "@" in value and urlsplit(value).password:
        raise ConfigurationError(
            f"{name} holds a password and would be written out in plain text: pass it as "
            f"Secret.from_env_var(...) instead"
        )
    return value


__all__ = ["RepokitDocumentStore"]
