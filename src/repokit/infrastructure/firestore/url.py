"""``firestore://PROJECT[?database=...]`` URLs.

The project is the URL's host part; ``database`` names a database other than
``(default)``. The endpoint is Google's unless ``FIRESTORE_EMULATOR_HOST`` is set
(``host:port`` of the emulator), which the client library reads itself;
credentials come from Google's usual chain (``GOOGLE_APPLICATION_CREDENTIALS``,
the metadata server...). URLs hold no secrets.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import redact_url, url_scheme

DEFAULT_DATABASE = "(default)"
EMULATOR_VARIABLE = "FIRESTORE_EMULATOR_HOST"
_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_DATABASE = re.compile(r"^(\(default\)|[a-z][a-z0-9-]{2,61}[a-z0-9])$")
_OPTIONS = frozenset({"database"})


@dataclass(frozen=True)
class FirestoreTarget:
    """Which project and database to use, and the emulator's ``host:port`` if any."""

    project: str
    database: str = DEFAULT_DATABASE
    emulator_host: str | None = None

    @property
    def redacted(self) -> str:
        """The URL as messages show it."""
        query = "" if self.database == DEFAULT_DATABASE else f"?database={self.database}"
        return f"firestore://{self.project}{query}"


def parse_firestore_url(url: str) -> FirestoreTarget:
    """Parse a ``firestore://`` URL; ``ConfigurationError`` names what is wrong."""
    shown = redact_url(url)
    if url_scheme(url) != "firestore":
        raise ConfigurationError(f"not a firestore:// URL: {shown}")
    rest = url.split("://", 1)[1].partition("#")[0]
    authority, _, query = rest.partition("?")
    project = authority.rstrip("/")
    if not project:
        raise ConfigurationError(
            f"a firestore:// URL names the Google Cloud project: firestore://PROJECT ({shown})"
        )
    if "/" in project or "@" in project or not _PROJECT.match(project):
        raise ConfigurationError(
            f"invalid Google Cloud project id {project!r} in {shown}: 6-30 lower-case "
            "letters, digits and hyphens, starting with a letter"
        )
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise ConfigurationError(
            f"unknown firestore:// option(s) {', '.join(unknown)} in {shown}; known: database"
        )
    database = options.get("database") or DEFAULT_DATABASE
    if not _DATABASE.match(database):
        raise ConfigurationError(f"invalid Firestore database id {database!r} in {shown}")
    emulator = os.environ.get(EMULATOR_VARIABLE) or None
    return FirestoreTarget(project=project, database=database, emulator_host=emulator)


__all__ = ["DEFAULT_DATABASE", "EMULATOR_VARIABLE", "FirestoreTarget", "parse_firestore_url"]
