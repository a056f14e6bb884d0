"""``RepokitVectorStore``: a LangChain vector store over any repokit store."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self

import numpy as np
from langchain_core.documents import Document as LangChainDocument
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore
from langchain_core.vectorstores.utils import maximal_marginal_relevance

import repokit
from repokit.domain.errors import InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.domain.query import Filter
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.integrations.codec import Record
from repokit.integrations.langchain.filters import translate_filter
from repokit.integrations.langchain.mapping import keys_for, to_document, to_records
from repokit.integrations.policy import WritePolicy
from repokit.integrations.stores import Opener, StorePair, settings_with

Scored = list[tuple[LangChainDocument, float]]


class RepokitVectorStore(VectorStore):
    """A LangChain ``VectorStore`` whose documents live in a repokit store.

    Each LangChain document is one repokit document (its metadata filterable, on
    PostgreSQL through the GIN index) with one chunk holding the embedding; see
    ``docs/integrations.md``. Sync methods run on a sync store
    (``repokit.connect_sync``), async methods on an async one (``repokit.connect``).

    >>> store = RepokitVectorStore.from_url("sqlite:///rag.db", embedding=emb,  # doctest: +SKIP
    ...                                     embedding_dim=384)
    >>> store.add_texts(["..."], metadatas=[{"year": 2024}])  # doctest: +SKIP
    >>> store.similarity_search("...", k=4, filter={"year": {"$gte": 2020}})  # doctest: +SKIP

    Scores are repokit's: higher is more similar (cosine similarity by default; minus
    the distance for ``l2``; the dot product for ``inner_product``). Adding a document
    whose id is stored replaces it.
    """

    def __init__(
        self,
        *,
        embedding: Embeddings,
        store: StorePort | SyncStorePort | None = None,
        sync_store: SyncStorePort | None = None,
        metric: str = "cosine",
        exact: bool = False,
        _pair: StorePair | None = None,
    ) -> None:
        """Wrap open stores: ``store`` (async, or sync) and/or ``sync_store``.

        Give both forms, opened on the same database, for native sync and async
        methods; with a sync store alone the async methods run it in a worker
        thread, with an async store alone the sync methods raise ``CapabilityError``.
        The stores stay the caller's to close. ``exact=True`` bypasses approximate
        indexes (HNSW on PostgreSQL).
        """
        self.embedding = embedding
        self._pair = _pair or StorePair(
            store=store, sync_store=sync_store, metric=metric, exact=exact
        )

    @classmethod
    def from_url(
        cls,
        url: str | None = None,
        *,
        embedding: Embeddings,
        settings: repokit.Settings | None = None,
        cache_url: str | None = None,
        embedding_dim: int | None = None,
        migrate: bool = True,
        metric: str = "cosine",
        exact: bool = False,
    ) -> Self:
        """A vector store on the backend ``url`` names (None: ``REPOKIT_DATABASE_URL``,
        else the embedded PostgreSQL).

        Nothing opens here: the sync store opens at the first sync call, the async
        store at the first async call (on that event loop), each migrated when
        ``migrate``. ``embedding_dim`` sets the length of the stored vectors (else
        ``REPOKIT_EMBEDDING_DIM``); it must match the embedding model. Close with
        :meth:`close` / :meth:`aclose` or use the store as a context manager.
        """
        opener = Opener(url, settings_with(settings, embedding_dim), cache_url, migrate)
        pair = StorePair(opener=opener, metric=metric, exact=exact)
        return cls(embedding=embedding, _pair=pair)

    @property
    def embeddings(self) -> Embeddings:
        """The embedding model the store embeds texts and queries with."""
        return self.embedding

    # -- writing ------------------------------------------------------------------

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Embed and store ``texts``; a stored id is replaced. Returns the ids."""
        texts = list(texts)
        keys = keys_for(len(texts), ids)
        if texts:
            # No name keeps the model's lists of floats: once packed they are freed.
            batch = to_records(keys, texts, metadatas, self.embedding.embed_documents(texts))
            self._pair.records().write(batch, WritePolicy.OVERWRITE)
        return keys

    async def aadd_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """The async form of :meth:`add_texts`."""
        texts = list(texts)
        keys = keys_for(len(texts), ids)
        if texts:
            # No name keeps the model's lists of floats: once packed they are freed.
            batch = to_records(keys, texts, metadatas, await self.embedding.aembed_documents(texts))
            records = await self._pair.arecords()
            await records.write(batch, WritePolicy.OVERWRITE)
        return keys

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Delete the documents of ``ids``; with ``ids=None``, every document matching
        ``filter=`` (every document of the store when no filter is given either)."""
        records = self._pair.records()
        if ids is None:
            records.delete_where(_where(kwargs.get("filter")))
        else:
            records.delete(ids)
        return True

    async def adelete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """The async form of :meth:`delete`."""
        records = await self._pair.arecords()
        if ids is None:
            await records.delete_where(_where(kwargs.get("filter")))
        else:
            await records.delete(ids)
        return True

    # -- reading ------------------------------------------------------------------

    def get_by_ids(self, ids: Sequence[str], /) -> list[LangChainDocument]:
        """The stored documents of ``ids``; unknown ids are left out."""
        return [to_document(record) for record in self._pair.records().get(ids)]

    async def aget_by_ids(self, ids: Sequence[str], /) -> list[LangChainDocument]:
        """The async form of :meth:`get_by_ids`."""
        records = await self._pair.arecords()
        return [to_document(record) for record in await records.get(ids)]

    def similarity_search(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[LangChainDocument]:
        """The ``k`` documents most similar to ``query`` that match ``filter``."""
        return [doc for doc, _ in self.similarity_search_with_score(query, k, filter, **kwargs)]

    async def asimilarity_search(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[LangChainDocument]:
        """The async form of :meth:`similarity_search`."""
        hits = await self.asimilarity_search_with_score(query, k, filter, **kwargs)
        return [doc for doc, _ in hits]

    def similarity_search_with_score(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> Scored:
        """:meth:`similarity_search` with each document's score (higher is more similar)."""
        vector = self.embedding.embed_query(query)
        return self.similarity_search_with_score_by_vector(vector, k, filter, **kwargs)

    async def asimilarity_search_with_score(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> Scored:
        """The async form of :meth:`similarity_search_with_score`."""
        vector = await self.embedding.aembed_query(query)
        return await self.asimilarity_search_with_score_by_vector(vector, k, filter, **kwargs)

    def similarity_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[LangChainDocument]:
        """The ``k`` documents most similar to ``embedding`` that match ``filter``."""
        hits = self.similarity_search_with_score_by_vector(embedding, k, filter, **kwargs)
        return [doc for doc, _ in hits]

    async def asimilarity_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[LangChainDocument]:
        """The async form of :meth:`similarity_search_by_vector`."""
        hits = await self.asimilarity_search_with_score_by_vector(embedding, k, filter, **kwargs)
        return [doc for doc, _ in hits]

    def similarity_search_with_score_by_vector(
        self,
        embedding: Sequence[float],
        k: int = 4,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Scored:
        """:meth:`similarity_search_by_vector` with each document's score."""
        hits = self._pair.records().search(embedding, k=k, where=_where(filter))
        return [(to_document(record), score) for record, score in hits]

    async def asimilarity_search_with_score_by_vector(
        self,
        embedding: Sequence[float],
        k: int = 4,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Scored:
        """The async form of :meth:`similarity_search_with_score_by_vector`."""
        records = await self._pair.arecords()
        hits = await records.search(embedding, k=k, where=_where(filter))
        return [(to_document(record), score) for record, score in hits]

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        """Map repokit's score (higher is better) to LangChain's relevance in [0, 1].

        The formulas are LangChain's for each metric's distance; the result is clamped,
        since float rounding (a cosine of 1.0000000000000002) or a dissimilar vector
        would fall outside [0, 1].
        """
        metric = self._pair.metric
        if metric == "l2":
            return lambda score: _clamp(1.0 + score / math.sqrt(2))
        if metric == "inner_product":
            return lambda score: _clamp(self._max_inner_product_relevance_score_fn(-score))
        return _clamp

    # -- maximal marginal relevance ----------------------------------------------

    def max_marginal_relevance_search(
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[LangChainDocument]:
        """``k`` documents among the ``fetch_k`` nearest, chosen for relevance and diversity."""
        vector = self.embedding.embed_query(query)
        return self.max_marginal_relevance_search_by_vector(
            vector, k, fetch_k, lambda_mult, filter=filter, **kwargs
        )

    async def amax_marginal_relevance_search(
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[LangChainDocument]:
        """The async form of :meth:`max_marginal_relevance_search`."""
        vector = await self.embedding.aembed_query(query)
        return await self.amax_marginal_relevance_search_by_vector(
            vector, k, fetch_k, lambda_mult, filter=filter, **kwargs
        )

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[LangChainDocument]:
        """:meth:`max_marginal_relevance_search` for a query vector."""
        hits = self._pair.records().search(embedding, k=max(k, fetch_k), where=_where(filter))
        return _most_marginally_relevant(embedding, hits, k, lambda_mult)

    async def amax_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[LangChainDocument]:
        """The async form of :meth:`max_marginal_relevance_search_by_vector`."""
        records = await self._pair.arecords()
        hits = await records.search(embedding, k=max(k, fetch_k), where=_where(filter))
        return _most_marginally_relevant(embedding, hits, k, lambda_mult)

    # -- construction from texts, lifecycle ---------------------------------------

    @classmethod
    def from_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        url: str | None = None,
        **kwargs: Any,
    ) -> Self:
        """A store opened with :meth:`from_url` (``url`` and ``kwargs``), holding ``texts``."""
        store = cls.from_url(url, embedding=embedding, **kwargs)
        store.add_texts(texts, metadatas, ids=ids)
        return store

    @classmethod
    async def afrom_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        url: str | None = None,
        **kwargs: Any,
    ) -> Self:
        """The async form of :meth:`from_texts`."""
        store = cls.from_url(url, embedding=embedding, **kwargs)
        await store.aadd_texts(texts, metadatas, ids=ids)
        return store

    def close(self) -> None:
        """Close the sync store opened by :meth:`from_url` (given stores stay open)."""
        self._pair.close()

    async def aclose(self) -> None:
        """Close every store opened by :meth:`from_url` (given stores stay open)."""
        await self._pair.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _clamp(score: float) -> float:
    return min(1.0, max(0.0, score))


def _where(filter: Any) -> Filter | None:
    if filter is not None and not isinstance(filter, dict):
        raise InvalidQueryError(f"filter= takes a dict, got {type(filter).__name__}")
    return translate_filter(filter)


def _most_marginally_relevant(
    query: Sequence[float], hits: list[tuple[Record, float]], k: int, lambda_mult: float
) -> list[LangChainDocument]:
    if not hits:
        return []
    chosen = maximal_marginal_relevance(
        np.asarray(query, dtype=np.float64),
        [list(record.embedding or ()) for record, _ in hits],
        lambda_mult=lambda_mult,
        k=k,
    )
    return [to_document(hits[index][0]) for index in chosen]


__all__ = ["RepokitVectorStore"]
