"""The layer rule: domain <- application <- infrastructure, checked on the source."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "repokit"
THIRD_PARTY_ALLOWED = {"pydantic", "typing_extensions"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def _foreign_imports(layer: str, allowed_repokit: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for module in _imported_modules(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in THIRD_PARTY_ALLOWED:
                continue
            if top == "repokit" and module.startswith(allowed_repokit):
                continue
            bad.append(f"{path.relative_to(SRC)} imports {module}")
    return bad


def test_domain_imports_only_stdlib_and_pydantic() -> None:
    assert _foreign_imports("domain", ("repokit.domain",)) == []


def test_application_imports_no_driver_and_no_infrastructure() -> None:
    assert _foreign_imports("application", ("repokit.domain", "repokit.application")) == []


@pytest.mark.parametrize("layer", ["domain", "application"])
def test_layer_exists(layer: str) -> None:
    assert any((SRC / layer).rglob("*.py"))


FRAMEWORKS = ("langchain", "langchain_core", "haystack", "fastapi", "starlette")


def test_nothing_outside_the_integrations_imports_a_framework() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in SRC.rglob("*.py")
        if "integrations" not in path.relative_to(SRC).parts
        for module in _imported_modules(path)
        if module.split(".")[0] in FRAMEWORKS
    ]
    assert offenders == []


def test_the_integrations_use_only_the_public_store_api() -> None:
    # repokit itself (connect, connect_sync, Settings), the domain (entities, filter
    # language, errors, ports) and each other: never an adapter or a driver.
    allowed_repokit = ("repokit.domain", "repokit.integrations")
    third_party = {"numpy", "pydantic", "langchain_core", "haystack", "fastapi", "starlette"}
    offenders = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in (SRC / "integrations").rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names | third_party
        and module != "repokit"
        and not module.startswith(allowed_repokit)
    ]
    assert offenders == []
