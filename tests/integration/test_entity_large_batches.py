"""A very large ``save_many`` of a declared entity at the default settings, on both databases.

20,000 entities in one call: stored whole within the default statement timeout
(PostgreSQL loads them with one ``COPY``, SQLite in one transaction), and a
batch whose last entity clashes stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import pytest

import repokit
from repokit import Entity, Indexed, Unique
from repokit.domain.entity import forget_entity
from repokit.domain.errors import DuplicateError
from repokit.domain.sync.ports import StorePort
from repokit.infrastructure.config import Settings

LARGE = 20_000


class Parcel(Entity, collection="it_large_parcels"):
    """A small declared entity with a unique, an indexed and a decimal field."""

    code: Annotated[str, Unique()]
    depot: Annotated[str, Indexed()]
    weight: Decimal
    sent_at: datetime
    labels: list[str] = []


@pytest.fixture(autouse=True, scope="module")
def _forget_parcel() -> Iterator[None]:
    yield
    forget_entity(Parcel)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StorePort]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'parcels.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").new_database()
    settings = Settings(database_url=None, cache_url=None, data_dir=tmp_path / "data")
    with repokit.connect_sync(url, settings=settings) as store:
        store.migrate()
        yield store


def parcels(count: int, prefix: str = "p") -> list[Parcel]:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    return [
        Parcel(
            code=f"{prefix}{n}",
            depot=f"d{n % 40}",
            weight=Decimal(n) / 8,
            sent_at=start + timedelta(seconds=n),
            labels=[f"l{n % 7}"],
        )
        for n in range(count)
    ]


def test_a_batch_of_20000_is_stored_whole(store: StorePort) -> None:
    repository = store.repository(Parcel)
    saved = repository.save_many(parcels(LARGE))
    assert len(saved) == LARGE
    assert repository.count() == LARGE
    assert repository.count(where={"depot": "d3"}) == LARGE // 40
    assert repository.get_by(code=f"p{LARGE - 1}") == saved[-1]


def test_a_large_batch_with_one_clash_stores_nothing(store: StorePort) -> None:
    repository = store.repository(Parcel)
    repository.save(parcels(1, prefix="taken-")[0])
    batch = [*parcels(LARGE - 1), parcels(1, prefix="taken-")[0]]
    with pytest.raises(DuplicateError, match=r"Parcel\.code"):
        repository.save_many(batch)
    assert repository.count() == 1
