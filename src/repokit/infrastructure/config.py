"""Settings (pydantic-settings, prefix ``REPOKIT_``) and URL helpers.

``REPOKIT_DATABASE_URL`` falls back to the conventional ``DATABASE_URL``.
Secrets in URLs never leave this module unredacted: use :func:`redact_url`
whenever a URL goes into a message, a log line or a repr.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    data_dir: Path = Field(default_factory=default_data_dir)

    def database_url_value(self) -> str | None:
        """The database URL in clear, for the registry only."""
        return self.database_url.get_secret_value() if self.database_url else None

    def cache_url_value(self) -> str | None:
        """The cache URL in clear, for the cache factory only."""
        return self.cache_url.get_secret_value() if self.cache_url else None


def url_scheme(url: str) -> str:
    """The scheme of ``url`` lower-cased (``embedded`` for the bare word)."""
    if "://" not in url:
        return url.strip().lower()
    return url.split("://", 1)[0].lower()


def redact_url(url: str) -> str:
    """``url`` with any password (and secret-looking query values) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    pairs = [pair.partition("=") for pair in parts.query.split("&") if pair]
    query = "&".join(
        f"{key}=***" if sep and _is_secret_key(key) else f"{key}{sep}{value}"
        for key, sep, value in pairs
    )
    if netloc == parts.netloc and query == parts.query:
        return url
    # urlunsplit drops the "//" of an empty authority, so rebuild by hand.
    rebuilt = f"{parts.scheme}://{netloc}{parts.path}"
    if query:
        rebuilt += f"?{query}"
    if parts.fragment:
        rebuilt += f"#{parts.fragment}"
    return rebuilt


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("password", "secret", "token", "key", "credential"))
