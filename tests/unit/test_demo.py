"""The demo corpus and its idempotent seeding."""

from __future__ import annotations

from repokit.application import HashingEmbedder
from repokit.demo import DEMO_EMAIL, load_corpus, seed_corpus
from repokit.domain.entities import Role
from repokit.domain.ports import StorePort


def test_corpus_ships_some_dozens_of_texts_in_a_few_workspaces() -> None:
    corpus = load_corpus()
    assert 40 <= corpus.document_count <= 60
    assert len(corpus.workspaces) >= 3
    assert len(corpus.searches) == 3
    titles = [(w.name, d.title) for w in corpus.workspaces for d in w.documents]
    assert len(set(titles)) == len(titles)


async def test_seeding_twice_stores_the_corpus_once(store: StorePort) -> None:
    corpus = load_corpus()
    embedder = HashingEmbedder(store.embedding_dim)
    seen: list[tuple[str, bool]] = []
    first = await seed_corpus(store, embedder, corpus, lambda t, c: seen.append((t, c)))
    second = await seed_corpus(store, embedder, corpus)
    assert (first.created, first.skipped) == (corpus.document_count, 0)
    assert (second.created, second.skipped) == (0, corpus.document_count)
    assert seen == [(d.title, True) for w in corpus.workspaces for d in w.documents]
    assert await store.documents.count() == corpus.document_count
    assert second.user == first.user
    assert first.user.email == DEMO_EMAIL
    assert second.workspaces == first.workspaces
    for workspace in first.workspaces.values():
        assert await store.acl.role_of(workspace.id, first.user.id) is Role.OWNER
