"""Generate repokit's sync twin from its async source (the unasync approach).

Every module listed in :data:`GENERATED` is written in async form; its sync twin
lives in a ``sync`` subpackage beside it (``repokit.infrastructure.sql.store``
-> ``repokit.infrastructure.sql.sync.store``) and is produced here by rewriting
tokens, never edited by hand:

* ``async def`` / ``async with`` / ``async for`` lose ``async``; ``await x``
  becomes ``x``;
* ``Awaitable[T]`` becomes ``T``; the names in :data:`NAMES` are swapped
  (``__aenter__`` -> ``__enter__``, ``AsyncIterator`` -> ``Iterator``, ...);
* every dotted path of a twinned module (:data:`GENERATED` and
  :data:`HAND_WRITTEN`) is pointed at its twin, in code and in strings alike,
  and a third-party async module at its sync counterpart (:data:`EXTERNAL_MODULES`);
* docstrings get the same treatment, so they describe the sync code.

The few modules whose sync form differs by more than that (the drivers, the
concurrency primitives) are :data:`HAND_WRITTEN`: both forms are in the tree,
and the generated code imports the sync one.

Usage::

    python scripts/generate_sync.py          # rewrite the generated files
    python scripts/generate_sync.py --check  # exit 1 if any is stale (CI runs this)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from tokenize_rt import Token, src_to_tokens, tokens_to_src

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

GENERATED: tuple[str, ...] = (
    "repokit.domain.ports",
    "repokit.application",
    "repokit.application.access",
    "repokit.application.deletion",
    "repokit.application.ingestion",
    "repokit.application.retrieval",
    "repokit.application.units",
    "repokit.application.users",
    "repokit.application.workspaces",
    "repokit.infrastructure.builtin_entities",
    "repokit.infrastructure.document_decorator",
    "repokit.infrastructure.pending_unit",
    "repokit.infrastructure.cache.builtin_cascades",
    "repokit.infrastructure.cache.entity_repository",
    "repokit.infrastructure.cache.invalidation",
    "repokit.infrastructure.cache.reads",
    "repokit.infrastructure.cache.redis_cache",
    "repokit.infrastructure.cache.removals",
    "repokit.infrastructure.cache.repositories",
    "repokit.infrastructure.cache.store",
    "repokit.infrastructure.cache.unit_of_work",
    "repokit.infrastructure.cache.wiring",
    "repokit.infrastructure.dynamodb.acl",
    "repokit.infrastructure.dynamodb.audit",
    "repokit.infrastructure.dynamodb.cascade",
    "repokit.infrastructure.dynamodb.chats",
    "repokit.infrastructure.dynamodb.chunks",
    "repokit.infrastructure.dynamodb.documents",
    "repokit.infrastructure.dynamodb.entity_reads",
    "repokit.infrastructure.dynamodb.entity_refs",
    "repokit.infrastructure.dynamodb.entity_repository",
    "repokit.infrastructure.dynamodb.entity_saves",
    "repokit.infrastructure.dynamodb.legacy_items",
    "repokit.infrastructure.dynamodb.listing",
    "repokit.infrastructure.dynamodb.records",
    "repokit.infrastructure.dynamodb.repositories",
    "repokit.infrastructure.dynamodb.schema",
    "repokit.infrastructure.dynamodb.scope",
    "repokit.infrastructure.dynamodb.search",
    "repokit.infrastructure.dynamodb.store",
    "repokit.infrastructure.dynamodb.unit_of_work",
    "repokit.infrastructure.memory.acl",
    "repokit.infrastructure.memory.audit",
    "repokit.infrastructure.memory.chats",
    "repokit.infrastructure.memory.documents",
    "repokit.infrastructure.memory.entity_repository",
    "repokit.infrastructure.memory.repositories",
    "repokit.infrastructure.memory.store",
    "repokit.infrastructure.memory.unit_of_work",
    "repokit.infrastructure.firestore.acl",
    "repokit.infrastructure.firestore.audit",
    "repokit.infrastructure.firestore.cascade",
    "repokit.infrastructure.firestore.chats",
    "repokit.infrastructure.firestore.chunks",
    "repokit.infrastructure.firestore.documents",
    "repokit.infrastructure.firestore.entity_repository",
    "repokit.infrastructure.firestore.records",
    "repokit.infrastructure.firestore.repositories",
    "repokit.infrastructure.firestore.scope",
    "repokit.infrastructure.firestore.search",
    "repokit.infrastructure.firestore.store",
    "repokit.infrastructure.firestore.unit_of_work",
    "repokit.infrastructure.mongo.acl",
    "repokit.infrastructure.mongo.audit",
    "repokit.infrastructure.mongo.chats",
    "repokit.infrastructure.mongo.chunks",
    "repokit.infrastructure.mongo.documents",
    "repokit.infrastructure.mongo.entity_refs",
    "repokit.infrastructure.mongo.entity_repository",
    "repokit.infrastructure.mongo.repositories",
    "repokit.infrastructure.mongo.repository",
    "repokit.infrastructure.mongo.scopes",
    "repokit.infrastructure.mongo.search",
    "repokit.infrastructure.mongo.store",
    "repokit.infrastructure.mongo.unit_of_work",
    "repokit.infrastructure.search_monitor",
    "repokit.infrastructure.sql.acl",
    "repokit.infrastructure.sql.audit",
    "repokit.infrastructure.sql.cascade_delete",
    "repokit.infrastructure.sql.chats",
    "repokit.infrastructure.sql.chunks",
    "repokit.infrastructure.sql.database",
    "repokit.infrastructure.sql.documents",
    "repokit.infrastructure.sql.engine",
    "repokit.infrastructure.sql.mysql",
    "repokit.infrastructure.sql.entity_repository",
    "repokit.infrastructure.sql.pool",
    "repokit.infrastructure.sql.postgres",
    "repokit.infrastructure.sql.repository",
    "repokit.infrastructure.sql.scopes",
    "repokit.infrastructure.sql.sqlite",
    "repokit.infrastructure.sql.store",
    "repokit.infrastructure.sql.telemetry",
    "repokit.infrastructure.sql.unit_of_work",
    "repokit.infrastructure.sql.vector_postgres",
    "repokit.infrastructure.sql.search_tuning",
    "repokit.infrastructure.sql.vector_search",
    "repokit.infrastructure.sql.write_parts",
    "repokit.integrations.records",
    "repokit.testing",
    "repokit.testing.acl",
    "repokit.testing.audit",
    "repokit.testing.catalog",
    "repokit.testing.chat",
    "repokit.testing.chunks",
    "repokit.testing.documents",
    "repokit.testing.entity_contract",
    "repokit.testing.entity_queries",
    "repokit.testing.entity_refs",
    "repokit.testing.entity_samples",
    "repokit.testing.entity_saves",
    "repokit.testing.entity_stored",
    "repokit.testing.entity_unique",
    "repokit.testing.entity_units",
    "repokit.testing.faults",
    "repokit.testing.filter_logic",
    "repokit.testing.filters",
    "repokit.testing.invalid_filters",
    "repokit.testing.lifecycle",
    "repokit.testing.pagination",
    "repokit.testing.properties",
    "repokit.testing.search",
    "repokit.testing.search_stats",
    "repokit.testing.stored",
    "repokit.testing.suite",
    "repokit.testing.unit_of_work",
    "repokit.testing.use_cases",
    "repokit.testing.users",
    "repokit.testing.values",
    "repokit.testing.workspaces",
)
"""Async modules (or packages: their ``__init__``) whose sync twin is generated."""

HAND_WRITTEN: tuple[str, ...] = (
    "repokit.infrastructure.cache.flight",
    "repokit.infrastructure.dynamodb.client",
    "repokit.infrastructure.firestore.client",
    "repokit.infrastructure.mongo.client",
    "repokit.infrastructure.recall_checks",
    "repokit.infrastructure.sql.concurrency",
    "repokit.infrastructure.sql.driver",
    "repokit.infrastructure.sql.driver_mysql",
    "repokit.infrastructure.sql.driver_postgres",
    "repokit.testing.bridge",
)
"""Async modules whose sync twin is written by hand (driver or concurrency specifics)."""

EXTERNAL_MODULES: dict[str, str] = {
    "redis.asyncio": "redis",
}
"""Third-party async modules and the sync module with the same API."""

NAMES: dict[str, str] = {
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "asynccontextmanager": "contextmanager",
    "AbstractAsyncContextManager": "AbstractContextManager",
    "AsyncIterable": "Iterable",
    "AsyncIterator": "Iterator",
    "StopAsyncIteration": "StopIteration",
    "aclose": "close",
    "iscoroutinefunction": "isfunction",
    "async_alembic_lock": "alembic_lock",
}
"""Names swapped wherever they appear as a whole word."""

HEADER = "# Generated by scripts/generate_sync.py: do not edit. The async source is\n# {source}\n"

_DOCSTRING_RULES = (
    (re.compile(r"\bawait\s+"), ""),
    (re.compile(r"\basync\s+(def|with|for)\b"), r"\1"),
)


def twin_module(module: str) -> str:
    """``a.b.c`` -> ``a.b.sync.c``; a package ``a.b`` -> ``a.b.sync``."""
    if _is_package(module):
        return f"{module}.sync"
    package, _, name = module.rpartition(".")
    return f"{package}.sync.{name}"


def source_path(module: str) -> Path:
    """The file of ``module`` under ``src/``."""
    base = SRC.joinpath(*module.split("."))
    return base / "__init__.py" if _is_package(module) else base.with_suffix(".py")


def _is_package(module: str) -> bool:
    return SRC.joinpath(*module.split("."), "__init__.py").exists()


def _module_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    # Packages are not renamed as a prefix: only whole module paths are.
    modules = [m for m in (*GENERATED, *HAND_WRITTEN) if not _is_package(m)]
    mapping = {module: twin_module(module) for module in modules} | EXTERNAL_MODULES
    alternatives = "|".join(re.escape(m) for m in sorted(mapping, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])({alternatives})(?![\w])"), mapping


def _word_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")


def transform(source: str) -> str:
    """The sync twin of the async module text ``source``."""
    modules, twins = _module_pattern()
    words = _word_pattern()
    tokens = src_to_tokens(source)
    out: list[Token] = []
    i = 0
    closing: list[int] = []  # bracket depths whose "]" belongs to a removed Awaitable[
    depth = 0
    while i < len(tokens):
        token = tokens[i]
        if token.name == "NAME" and token.src in ("async", "await"):
            i += 1
            while i < len(tokens) and tokens[i].name == "UNIMPORTANT_WS":
                i += 1
            continue
        if token.name == "NAME" and token.src == "Awaitable" and _next_src(tokens, i) == "[":
            closing.append(depth)
            depth += 1
            i += 2
            continue
        if token.name == "OP" and token.src in "([{":
            depth += 1
        elif token.name == "OP" and token.src in ")]}":
            depth -= 1
            if closing and closing[-1] == depth:
                closing.pop()
                i += 1
                continue
        if token.name == "NAME":
            token = token._replace(src=NAMES.get(token.src, token.src))
        elif token.name == "STRING":
            text = modules.sub(lambda m: twins[m.group(1)], token.src)
            text = words.sub(lambda m: NAMES[m.group(1)], text)
            for pattern, replacement in _DOCSTRING_RULES:
                text = pattern.sub(replacement, text)
            token = token._replace(src=text)
        elif token.name == "COMMENT":
            token = token._replace(src=modules.sub(lambda m: twins[m.group(1)], token.src))
        out.append(token)
        i += 1
    code = tokens_to_src(out)
    # Dotted module paths in import statements are several tokens long.
    return modules.sub(lambda m: twins[m.group(1)], code)


def tidy_imports(code: str, path: Path) -> str:
    """Drop the imports the rewrite left unused and re-sort them (``ruff --fix``, F401/I001)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--fix-only",
            "--quiet",
            "--no-cache",
            "--select",
            "F401,I001",
            "--config",
            "lint.isort.known-first-party=['repokit']",
            "--stdin-filename",
            str(path),
            "-",
        ],
        input=code,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout


def _next_src(tokens: list[Token], index: int) -> str | None:
    return tokens[index + 1].src if index + 1 < len(tokens) else None


def target_path(module: str) -> Path:
    """Where the twin of ``module`` is written."""
    twin = twin_module(module)
    base = SRC.joinpath(*twin.split("."))
    return base / "__init__.py" if _is_package(module) else base.with_suffix(".py")


def expected_outputs() -> dict[Path, str]:
    """Every generated file and the text it must hold."""
    outputs: dict[Path, str] = {}
    for module in GENERATED:
        source = source_path(module)
        target = target_path(module)
        text = transform(source.read_text(encoding="utf-8"))
        header = HEADER.format(source=source.relative_to(SRC).as_posix())
        outputs[target] = tidy_imports(header + text, target)
    for module in (*GENERATED, *HAND_WRITTEN):
        init = target_path(module).parent / "__init__.py"
        if init not in outputs and not init.exists():
            package = twin_module(module).rpartition(".")[0]
            outputs[init] = f'"""The sync twin of ``{package.rpartition(".")[0]}``."""\n'
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated file is stale")
    args = parser.parse_args(argv)
    stale: list[Path] = []
    for path, text in expected_outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(ROOT)}")
    if args.check and stale:
        print("the sync twin is out of date: run `python scripts/generate_sync.py`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
