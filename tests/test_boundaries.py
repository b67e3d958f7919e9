"""The engine never imports Textual; headless commands import only what they use.

Each command runs in a fresh interpreter, so the modules it loaded are exactly its own.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL_TREE

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"
HEAVY = ("textual", "jinja2", "httpx", "rich")

PROBE = """
import json, sys
from advisor.cli import main
code = main({argv!r})
sys.stdout.flush()
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
print("\\nMODULES=" + json.dumps([code, loaded]))
"""


def modules_loaded_by(argv: list[str]) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    marker = result.stdout.rsplit("MODULES=", 1)
    assert len(marker) == 2, result.stderr
    code, loaded = json.loads(marker[1])
    return code, loaded


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["validate"], set()),
        (["ask"], set()),
        (["ask", "--format", "json", "-a", "what_building=web_server"], set()),
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


def test_engine_modules_never_import_textual() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "tui" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in ("textual", "rich") for name in names):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
