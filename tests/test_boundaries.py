"""Headless commands import only what they use: never Textual, and Jinja2 or httpx only when
they render a sample or read metadata (the import contracts, tests/test_architecture.py, keep
the engine's code from importing Textual at all).

Each command runs in a fresh interpreter, so the modules it loaded are exactly its own.
"""

from __future__ import annotations

import pytest

from support.paths import SMALL_TREE
from support.processes import modules_loaded_by


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["validate"], set()),
        (["ask"], set()),
        (["ask", "--format", "json", "-a", "situation=person_present"], set()),
        (
            ["--tree", str(SMALL_TREE), "ask", "-a", "user_present=no", "--format", "markdown"],
            set(),
        ),
        (["--version"], set()),
    ],
    ids=[
        "validate",
        "ask-first-question",
        "ask-json-partial",
        "ask-markdown-no-samples",
        "version",
    ],
)
def test_headless_commands_import_no_heavy_modules(argv: list[str], allowed: set[str]) -> None:
    code, loaded = modules_loaded_by(argv)
    assert code == 0
    assert set(loaded) <= allowed, f"{argv} imported {loaded}"
