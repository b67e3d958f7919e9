"""The project's own docs stay in step with the code: the generated reference
(``docs/decision-tree.md`` is ``grant-advisor tree --format markdown --direction LR``), the
example tree, and every link between the Markdown files.

Each failure message says how to fix it.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from advisor.exports.reference import tree_reference
from advisor.tree.loader import load
from advisor.tree.models import Tree
from support.paths import TESTS

ROOT = TESTS.parent
DOCS_TREE = ROOT / "docs" / "decision-tree.md"
DOCS_REGENERATE = (
    "grant-advisor tree --format markdown --direction LR -o docs/decision-tree.md --force"
)
EXAMPLE_TREE = ROOT / "examples" / "minimal-tree.yaml"


def test_docs_decision_tree_is_current(shipped_tree: Tree) -> None:
    assert DOCS_TREE.is_file(), (
        f"docs/decision-tree.md is missing; create it with: {DOCS_REGENERATE}"
    )
    current = DOCS_TREE.read_bytes().decode("utf-8")
    if current != tree_reference(shipped_tree, direction="LR"):
        pytest.fail(
            f"docs/decision-tree.md is stale; regenerate it with: {DOCS_REGENERATE}", pytrace=False
        )


def test_the_example_tree_is_complete_and_valid() -> None:
    """README and docs/writing-trees.md point to it as a complete tree validate accepts."""
    loaded = load(EXAMPLE_TREE)
    assert loaded.warnings == ()
    assert len(loaded.tree.outcomes) >= 2
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "validate", str(EXAMPLE_TREE)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid:" in result.stdout


MARKDOWN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens; plus
    explicit ``<a id="...">`` anchors."""
    found = set(re.findall(r'<a id="([^"]+)"', text))
    in_fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence or not line.startswith("#"):
            continue
        title = line.lstrip("#").strip().lower()
        slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(page) -> None:  # type: ignore[no-untyped-def]
    text = page.read_text(encoding="utf-8")
    broken = []
    for match in _LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
            continue
        if anchor and file.suffix == ".md" and anchor not in _anchors(file.read_text("utf-8")):
            broken.append(f"{target}: no heading with that anchor")
    assert broken == [], f"{page.name}: {broken}"
