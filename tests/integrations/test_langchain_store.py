"""``RepokitVectorStore`` beyond LangChain's suite: filters, MMR, the retriever, the
mapping, and the two forms, on every backend."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langchain_core")

from langchain_core.embeddings import Embeddings

import repokit
from repokit import CapabilityError, InvalidQueryError
from repokit.infrastructure.config import Settings
from repokit.integrations.codec import key_uuid
from repokit.integrations.langchain import RepokitVectorStore

WORDS = ("cat", "dog", "fish", "bird", "tree", "rock")


class WordEmbeddings(Embeddings):
    """Counts of six words, normalised: texts sharing words are near each other."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        counts = [text.split().count(word) + 0.01 for word in WORDS]
        norm = math.sqrt(sum(c * c for c in counts))
        return [c / norm for c in counts]


@pytest.fixture
async def vectorstore(target: Callable[[int], Any]) -> AsyncIterator[RepokitVectorStore]:
    store_target = target(len(WORDS))
    store = RepokitVectorStore.from_url(
        store_target.url,
        embedding=WordEmbeddings(),
        settings=store_target.settings,
        cache_url=store_target.cache_url,
        migrate=store_target.migrate,
    )
    yield store
    await store.aclose()


ANIMALS = ["cat", "dog", "fish", "bird"]
THINGS = ["tree", "rock"]


def seed(store: RepokitVectorStore) -> list[str]:
    texts = ANIMALS + THINGS
    metadatas = [
        {"kind": "animal" if t in ANIMALS else "thing", "year": 2000 + i}
        for i, t in enumerate(texts)
    ]
    return store.add_texts(texts, metadatas, ids=texts)


def test_a_filter_keeps_the_search_to_matching_documents(vectorstore: RepokitVectorStore) -> None:
    seed(vectorstore)
    things = vectorstore.similarity_search("cat", k=3, filter={"kind": "thing"})
    assert sorted(doc.id for doc in things) == ["rock", "tree"]
    window = vectorstore.similarity_search("cat", k=6, filter={"year": {"$between": [2001, 2003]}})
    assert sorted(doc.id for doc in window) == ["bird", "dog", "fish"]
    either = vectorstore.similarity_search(
        "cat", k=6, filter={"$or": [{"kind": "thing"}, {"year": 2000}]}
    )
    assert sorted(doc.id for doc in either) == ["cat", "rock", "tree"]


async def test_filters_work_in_the_async_form(vectorstore: RepokitVectorStore) -> None:
    await vectorstore.aadd_texts(["cat", "rock"], [{"kind": "animal"}, {"kind": "thing"}])
    hits = await vectorstore.asimilarity_search("cat", k=2, filter={"kind": {"$ne": "animal"}})
    assert [doc.page_content for doc in hits] == ["rock"]


def test_a_filtered_search_returns_k_hits_whenever_k_documents_match(
    vectorstore: RepokitVectorStore,
) -> None:
    texts = [" ".join(WORDS[i % 6] for i in range(n % 5 + 1)) for n in range(120)]
    metadatas = [{"tag": n % 12 == 0} for n in range(120)]
    vectorstore.add_texts(texts, metadatas)
    hits = vectorstore.similarity_search("cat", k=10, filter={"tag": True})
    assert len(hits) == 10
    assert all(doc.metadata["tag"] is True for doc in hits)


def test_a_bad_filter_is_an_invalid_query_error(vectorstore: RepokitVectorStore) -> None:
    with pytest.raises(InvalidQueryError, match="pattern matching"):
        vectorstore.similarity_search("cat", filter={"kind": {"$like": "an%"}})


async def test_max_marginal_relevance_trades_similarity_for_diversity(
    vectorstore: RepokitVectorStore,
) -> None:
    await vectorstore.aadd_texts(["cat", "cat", "cat dog"], ids=["a", "b", "c"])
    nearest = await vectorstore.asimilarity_search("cat", k=2)
    assert {doc.id for doc in nearest} == {"a", "b"}
    diverse = await vectorstore.amax_marginal_relevance_search("cat", k=2, lambda_mult=0.25)
    assert {doc.id for doc in diverse} == {"a", "c"} or {doc.id for doc in diverse} == {"b", "c"}
    assert len(vectorstore.max_marginal_relevance_search("cat", k=2, lambda_mult=0.25)) == 2


async def test_the_retriever_searches_with_its_options(vectorstore: RepokitVectorStore) -> None:
    seed(vectorstore)
    retriever = vectorstore.as_retriever(search_kwargs={"k": 1, "filter": {"kind": "thing"}})
    assert [doc.id for doc in retriever.invoke("rock")] == ["rock"]
    assert [doc.id for doc in await retriever.ainvoke("tree")] == ["tree"]
    threshold = vectorstore.as_retriever(
        search_type="similarity_score_threshold", search_kwargs={"score_threshold": 0.9, "k": 6}
    )
    assert [doc.id for doc in threshold.invoke("dog")] == ["dog"]
    mmr = vectorstore.as_retriever(search_type="mmr", search_kwargs={"k": 2})
    assert len(await mmr.ainvoke("cat")) == 2


def test_scores_are_higher_for_nearer_documents(vectorstore: RepokitVectorStore) -> None:
    seed(vectorstore)
    scored = vectorstore.similarity_search_with_score("dog", k=3)
    assert scored[0][0].id == "dog"
    assert scored[0][1] == pytest.approx(1.0, abs=1e-5)
    assert scored[0][1] > scored[1][1] >= scored[2][1]
    relevance = vectorstore.similarity_search_with_relevance_scores("dog", k=3)
    assert all(0.0 <= score <= 1.0 + 1e-6 for _, score in relevance)


def test_an_add_mixing_stored_and_new_ids_replaces_and_inserts(
    vectorstore: RepokitVectorStore,
) -> None:
    vectorstore.add_texts(["cat", "dog"], [{"v": 1}, {"v": 1}], ids=["1", "2"])
    vectorstore.add_texts(["fish", "bird", "tree"], [{"v": 2}] * 3, ids=["2", "3", "4"])
    found = {doc.id: doc for doc in vectorstore.get_by_ids(["1", "2", "3", "4"])}
    assert {key: (doc.page_content, doc.metadata) for key, doc in found.items()} == {
        "1": ("cat", {"v": 1}),
        "2": ("fish", {"v": 2}),
        "3": ("bird", {"v": 2}),
        "4": ("tree", {"v": 2}),
    }
    assert [doc.id for doc in vectorstore.similarity_search("fish", k=1)] == ["2"]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [({"x": float("nan")}, "finite"), ({"_repokit": 1}, "reserved")],
)
def test_metadata_repokit_cannot_store_is_refused_before_anything_is_written(
    vectorstore: RepokitVectorStore, metadata: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        vectorstore.add_texts(["cat", "dog"], [{"ok": 1}, metadata], ids=["1", "2"])
    assert vectorstore.get_by_ids(["1", "2"]) == []


class ShortOnce(WordEmbeddings):
    """Drops the last number of the second vector of a batch."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = super().embed_documents(texts)
        vectors[1] = vectors[1][:-1]
        return vectors


async def test_an_embedding_of_the_wrong_size_is_refused_before_anything_is_written(
    vectorstore: RepokitVectorStore,
) -> None:
    vectorstore.embedding = ShortOnce()
    with pytest.raises(InvalidQueryError, match="'2': the embedding has 5 numbers"):
        await vectorstore.aadd_texts(["cat", "dog", "fish"], ids=["1", "2", "3"])
    assert await vectorstore.aget_by_ids(["1", "2", "3"]) == []


def test_delete_without_ids_deletes_what_the_filter_matches(
    vectorstore: RepokitVectorStore,
) -> None:
    seed(vectorstore)
    vectorstore.delete(filter={"kind": "animal"})
    assert sorted(doc.id for doc in vectorstore.similarity_search("cat", k=6)) == ["rock", "tree"]
    vectorstore.delete()
    assert vectorstore.similarity_search("cat", k=6) == []


def test_sync_methods_never_run_an_event_loop(
    vectorstore: RepokitVectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_loop(*args: object, **kwargs: object) -> None:
        raise AssertionError("a sync method ran an event loop")

    monkeypatch.setattr(asyncio.BaseEventLoop, "run_forever", no_loop)
    seed(vectorstore)
    vectorstore.similarity_search("cat", k=2, filter={"kind": "animal"})
    vectorstore.max_marginal_relevance_search("cat", k=2)
    vectorstore.get_by_ids(["cat"])
    vectorstore.delete(["cat"])


@pytest.mark.parametrize("backend", ["sqlite", "postgres", "mongo", "dynamodb"])  # shareable
def test_each_document_is_stored_as_a_repokit_document_and_chunk(
    vectorstore: RepokitVectorStore, target: Callable[[int], Any]
) -> None:
    vectorstore.add_texts(["cat dog"], [{"year": 2024}], ids=["doc-1"])
    same = target(len(WORDS))  # the vector store's own database
    with repokit.connect_sync(same.url, settings=same.settings) as store:
        document = store.documents.get_by_id(key_uuid("doc-1"))
        assert document is not None
        assert (document.title, document.content, document.metadata) == (
            "doc-1",
            "cat dog",
            {"year": 2024},
        )
        [chunk] = store.documents.get_chunks(document.id)
        assert chunk.content == "cat dog"
        assert chunk.metadata == {"key": "doc-1", "metadata": {"year": 2024}}
        assert store.documents.count(where={"metadata.year": 2024}) == 1


def word_settings(data_dir: Path) -> Settings:
    return Settings(database_url=None, cache_url=None, embedding_dim=len(WORDS), data_dir=data_dir)


class TestOpening:
    """How a vector store gets its stores."""

    async def test_given_stores_are_used_and_left_open(
        self, tmp_path: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'given.db'}"
        settings = word_settings(tmp_path)
        store = await repokit.connect(url, settings=settings)
        await store.migrate()
        sync_store = repokit.connect_sync(url, settings=settings)
        vectorstore = RepokitVectorStore(
            store=store, sync_store=sync_store, embedding=WordEmbeddings()
        )
        vectorstore.add_texts(["cat"], ids=["c"])
        assert [doc.id for doc in await vectorstore.asimilarity_search("cat", k=1)] == ["c"]
        await vectorstore.aclose()
        assert await store.documents.count() == 1  # still open: the caller's to close
        await store.close()
        sync_store.close()

    async def test_an_async_store_alone_refuses_sync_calls(
        self, tmp_path: Path
    ) -> None:
        store = await repokit.connect("memory://", settings=word_settings(tmp_path))
        vectorstore = RepokitVectorStore(store=store, embedding=WordEmbeddings())
        await vectorstore.aadd_texts(["cat"], ids=["c"])
        assert [doc.id for doc in await vectorstore.aget_by_ids(["c"])] == ["c"]
        with pytest.raises(CapabilityError, match="only an async store"):
            vectorstore.get_by_ids(["c"])
        await store.close()

    def test_a_sync_store_alone_serves_the_async_methods_from_a_thread(
        self, tmp_path: Path
    ) -> None:
        with repokit.connect_sync("memory://", settings=word_settings(tmp_path)) as store:
            vectorstore = RepokitVectorStore(store=store, embedding=WordEmbeddings())
            vectorstore.add_texts(["cat"], ids=["c"])
            found = asyncio.run(vectorstore.aget_by_ids(["c"]))
            assert [doc.id for doc in found] == ["c"]

    def test_from_texts_opens_the_url_with_the_embedding_length(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'texts.db'}"
        with RepokitVectorStore.from_texts(
            ["cat", "rock"], WordEmbeddings(), url=url, embedding_dim=len(WORDS)
        ) as vectorstore:
            assert [doc.page_content for doc in vectorstore.similarity_search("rock", k=1)] == [
                "rock"
            ]

    def test_asyncio_run_twice_reopens_the_async_store(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'loops.db'}"
        vectorstore = RepokitVectorStore.from_url(
            url, embedding=WordEmbeddings(), embedding_dim=len(WORDS)
        )
        asyncio.run(vectorstore.aadd_texts(["cat"], ids=["c"]))

        async def read_and_close() -> list[str]:
            found = await vectorstore.aget_by_ids(["c"])
            await vectorstore.aclose()
            return [doc.id or "" for doc in found]

        assert asyncio.run(read_and_close()) == ["c"]

    def test_an_embedding_length_out_of_range_is_a_configuration_error(self) -> None:
        with pytest.raises(repokit.ConfigurationError):
            RepokitVectorStore.from_url("memory://", embedding=WordEmbeddings(), embedding_dim=0)
