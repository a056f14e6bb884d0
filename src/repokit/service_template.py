"""``repokit new``: a small, complete service written from ``repokit/templates/service``.

The template is a ticket tracker (projects, tickets, comments) in four layers
(domain, application, infrastructure, api), with its tests, its Alembic folder and
its README (``docs/template.md``). Its files end in ``.tmpl`` (so neither this
package's linters nor its type checker read them as repokit's code); writing one
drops that suffix, turns a leading ``dot-`` into ``.``, and replaces
``{{name}}`` (the distribution), ``{{package}}`` (the import name) and
``{{repokit_version}}`` in paths and contents.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from repokit.domain.errors import ConfigurationError

SUFFIX = ".tmpl"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
MAX_NAME = 32
"""Longer names would push the template's lines past the 100 columns its ruff allows."""
TAKEN = frozenset(
    {"repokit", "fastapi", "starlette", "pydantic", "pytest", "httpx", "uvicorn", "alembic"}
    | {"tests", "test", "src", "migrations", "app", "api", "domain", "application"}
    | {"infrastructure"}
)
"""Import names a service package must not take: it would shadow these."""


@dataclass(frozen=True)
class ServiceName:
    """A service's distribution name (``ticket-desk``) and import name (``ticket_desk``)."""

    name: str
    package: str


def service_name(name: str) -> ServiceName:
    """Check ``name`` and derive the package's import name from it.

    Raises:
        ConfigurationError: not lower-case letters, digits and single ``-``/``_``
            between them, starting with a letter, at most :data:`MAX_NAME` long; or an
            import name that is a keyword, a standard-library module or one the
            service imports.
    """
    if len(name) > MAX_NAME or not NAME_PATTERN.fullmatch(name):
        raise ConfigurationError(
            f"{name!r} is not a service name: use lower-case letters and digits, "
            f"words joined by '-' or '_', starting with a letter, at most {MAX_NAME} "
            "characters (e.g. ticket-desk)"
        )
    package = name.replace("-", "_")
    if keyword.iskeyword(package) or package in sys.stdlib_module_names or package in TAKEN:
        raise ConfigurationError(
            f"{name!r} would be imported as {package!r}, which shadows a module it needs: "
            "choose another name"
        )
    return ServiceName(name=name, package=package)


def template_files(root: Traversable | None = None) -> list[tuple[str, Traversable]]:
    """Every template file, as (its path relative to the template, the file), sorted."""
    root = root if root is not None else files("repokit") / "templates" / "service"
    found: list[tuple[str, Traversable]] = []

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            relative = f"{prefix}{entry.name}"
            if entry.is_dir():
                walk(entry, f"{relative}/")
            elif entry.name.endswith(SUFFIX):
                found.append((relative, entry))

    walk(root, "")
    return sorted(found, key=lambda item: item[0])


def _filled(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _target(relative: str, values: dict[str, str]) -> str:
    parts = _filled(relative.removesuffix(SUFFIX), values).split("/")
    return "/".join("." + part[4:] if part.startswith("dot-") else part for part in parts)


def _repokit_version() -> str:
    from repokit import __version__

    return __version__ if re.fullmatch(r"\d+(\.\d+)*", __version__) else "0.1"


def write_service(name: str, directory: Path) -> list[Path]:
    """Write the service ``name`` into ``directory`` (new or empty); the files written.

    Raises:
        ConfigurationError: a bad name (:func:`service_name`), or ``directory``
            exists and is not an empty folder.
    """
    service = service_name(name)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ConfigurationError(f"{directory} already exists and is not empty")
    values = {
        "name": service.name,
        "package": service.package,
        "repokit_version": _repokit_version(),
    }
    written: list[Path] = []
    for relative, source in template_files():
        target = directory / _target(relative, values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_filled(source.read_text(encoding="utf-8"), values), encoding="utf-8")
        written.append(target)
    (directory / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
    return written


__all__ = ["ServiceName", "service_name", "template_files", "write_service"]
