"""The project's own generated docs stay in step with the shipped tree.

- ``docs/decision-tree.md`` is ``grant-advisor tree --format markdown --direction LR``;
- ``README.md`` embeds the Mermaid diagram between ``<!-- tree:begin -->`` and
  ``<!-- tree:end -->`` (``python scripts/update_readme.py README.md`` rewrites it).

Each failure message prints the command that regenerates the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.core.errors import ExportError
from advisor.exports.mermaid import tree_mermaid
from advisor.exports.reference import tree_reference
from advisor.tree.models import Tree
from scripts.update_readme import (
    BEGIN,
    END,
    README_DIRECTION,
    REGENERATE,
    embed_diagram,
    main,
    update_readme,
)
from support.paths import SMALL_TREE, TESTS

ROOT = TESTS.parent
DOCS_TREE = ROOT / "docs" / "decision-tree.md"
DOCS_REGENERATE = (
    "grant-advisor tree --format markdown --direction LR -o docs/decision-tree.md --force"
)


def test_docs_decision_tree_is_current(shipped_tree: Tree) -> None:
    assert DOCS_TREE.is_file(), (
        f"docs/decision-tree.md is missing; create it with: {DOCS_REGENERATE}"
    )
    current = DOCS_TREE.read_bytes().decode("utf-8")
    if current != tree_reference(shipped_tree, direction="LR"):
        pytest.fail(
            f"docs/decision-tree.md is stale; regenerate it with: {DOCS_REGENERATE}", pytrace=False
        )


def test_readme_diagram_is_current(shipped_tree: Tree) -> None:
    readme = (ROOT / "README.md").read_bytes().decode("utf-8")
    if BEGIN not in readme or END not in readme:
        pytest.fail(
            f"README.md has no {BEGIN} / {END} markers; add them where the diagram goes, "
            f"then run: {REGENERATE}",
            pytrace=False,
        )
    expected = embed_diagram(readme, tree_mermaid(shipped_tree, README_DIRECTION))
    assert readme == expected, (
        f"the diagram in README.md is stale; regenerate it with: {REGENERATE}"
    )


# -- embed_diagram and the regenerate command --------------------------------------------------

README = f"# Title\n\nIntro.\n\n{BEGIN}\nold diagram\n{END}\n\nMore text.\n"


def test_embed_diagram_replaces_only_between_the_markers() -> None:
    text = embed_diagram(README, "flowchart TD\n  a --> b\n")
    assert text == (
        f"# Title\n\nIntro.\n\n{BEGIN}\n```mermaid\nflowchart TD\n  a --> b\n```\n{END}\n\n"
        "More text.\n"
    )
    assert embed_diagram(text, "flowchart TD\n  a --> b\n") == text


def test_embed_diagram_with_markers_on_one_line() -> None:
    assert embed_diagram(f"x {BEGIN}{END} y", "d\n") == f"x {BEGIN}\n```mermaid\nd\n```\n{END} y"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no markers\n", "no <!-- tree:begin -->"),
        (f"{BEGIN}\n", "no <!-- tree:begin -->"),
        (f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n", "once each"),
        (f"{END}\n{BEGIN}\n", "comes before"),
    ],
)
def test_embed_diagram_refuses_bad_markers(text: str, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        embed_diagram(text, "d\n")


def test_update_readme_rewrites_then_reports_current(
    tmp_path: Path, small_tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    tree = str(SMALL_TREE)
    assert main([str(readme), "--tree", tree, "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert readme.read_text(encoding="utf-8") == README  # --check writes nothing
    assert main([str(readme), "--tree", tree]) == 0
    assert capsys.readouterr().out == f"{readme}: diagram updated\n"
    assert readme.read_text(encoding="utf-8") == embed_diagram(
        README, tree_mermaid(small_tree, README_DIRECTION)
    )
    assert update_readme(str(readme), tree) is False
    assert main([str(readme), "--tree", tree, "--check"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_update_readme_without_markers_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    assert main([str(readme), "--tree", str(SMALL_TREE)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {readme}: no {BEGIN} ... {END} markers; put the two lines where the diagram goes\n"
    )
    assert readme.read_text(encoding="utf-8") == "# Title\n"
    assert main([str(tmp_path / "missing.md"), "--tree", str(SMALL_TREE)]) == 2
    assert "no such file" in capsys.readouterr().err
