"""The settings the LangChain and Haystack integrations open their stores with."""

from __future__ import annotations

import pytest

import repokit
from repokit.errors import ConfigurationError
from repokit.integrations.stores import ONE_CHUNK_EXACT_MAX_ROWS, settings_with


def test_one_chunk_documents_switch_to_the_index_sooner_unless_told() -> None:
    given = repokit.Settings(database_url=None, embedding_dim=8)
    assert settings_with(given, None).hnsw_exact_max_rows == ONE_CHUNK_EXACT_MAX_ROWS
    told = repokit.Settings(database_url=None, hnsw_exact_max_rows=50)
    assert settings_with(told, 6).hnsw_exact_max_rows == 50
    assert settings_with(told, 6).embedding_dim == 6


def test_the_environment_is_read_when_no_settings_are_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPOKIT_HNSW_EXACT_MAX_ROWS", "77")
    assert settings_with(None, 12).hnsw_exact_max_rows == 77
    monkeypatch.delenv("REPOKIT_HNSW_EXACT_MAX_ROWS")
    assert settings_with(None, None).hnsw_exact_max_rows == ONE_CHUNK_EXACT_MAX_ROWS


def test_an_embedding_length_out_of_range_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="embedding_dim"):
        settings_with(None, 0)
