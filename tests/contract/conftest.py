"""Shared set-up of the contract runs: the settings every backend is opened with."""

from __future__ import annotations

from pathlib import Path

import pytest

from repokit.infrastructure.config import Settings

EMBEDDING_DIM = 16
"""Small enough to be fast, large enough for the contract's exact vectors."""


@pytest.fixture
def contract_settings(tmp_path: Path) -> Settings:
    """Settings independent of the developer's ``REPOKIT_*`` environment."""
    return Settings(
        database_url=None,
        cache_url=None,
        embedding_dim=EMBEDDING_DIM,
        data_dir=tmp_path / "data",
    )
