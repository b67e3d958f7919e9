"""The package's shape: the layers of docs/architecture.md hold, and tests share helpers
only through tests/support/."""

from __future__ import annotations

import ast
import os

import pytest
from importlinter.cli import lint_imports

from support.paths import REPO, TESTS


def test_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """``lint-imports`` with the contracts in pyproject.toml: layers, no cycles, the engine
    without Textual, Jinja2 and httpx kept where they belong."""
    monkeypatch.chdir(REPO)
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_every_package_is_in_a_layer() -> None:
    text = (REPO / "pyproject.toml").read_text()
    packages = {
        path.name if path.is_dir() else path.stem
        for path in (REPO / "advisor").iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.name != "__init__.py")
    }
    for package in packages:
        assert f'"{package}"' in text, f"advisor.{package} is in no layer of the contracts"


def test_no_test_file_imports_another() -> None:
    """Shared helpers live in tests/support/; test files import only from there."""
    test_modules = {p.stem for p in TESTS.rglob("test_*.py") if "node_modules" not in p.parts}
    offenders = []
    for path in TESTS.rglob("*.py"):
        if "node_modules" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[-1] in test_modules or name.split(".")[0] == "conftest":
                    offenders.append(f"{path.relative_to(TESTS)}:{node.lineno} imports {name}")
    assert offenders == []


def test_support_holds_no_tests() -> None:
    support = TESTS / "support"
    assert not [p for p in support.iterdir() if p.name.startswith("test_")]
    assert os.path.exists(support / "__init__.py")
