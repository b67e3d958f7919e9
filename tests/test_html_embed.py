"""The HTML page embedded in a real MkDocs site (docs/embedding.md documents the lines).

A tiny site is built in a temporary folder with ``mkdocs build``: one page frames the
generated file (``<iframe src="grant-advisor.html">``), another has the file's contents pasted
into its Markdown. The built site must hold the framed file byte for byte, and the pasted page
must hold the page's style, data and script blocks unchanged (so their CSP hashes still match).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.exports.html import tree_html
from advisor.tree.models import Tree
from support.tools import unavailable

IFRAME = (
    '<iframe src="grant-advisor.html" title="Which OAuth flow should I use?" width="100%" '
    'height="900" style="border:0" allow="clipboard-write"></iframe>'
)


def _embed_line() -> str:
    """The MkDocs line as docs/embedding.md gives it."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "embedding.md").read_text("utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| MkDocs |"))
    return row.split("`")[-2]


@pytest.fixture(scope="module")
def site(small_tree: Tree, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        unavailable("mkdocs is not installed (pip install -e '.[test]')")
    root = tmp_path_factory.mktemp("mkdocs")
    docs = root / "docs"
    docs.mkdir()
    page = tree_html(small_tree)
    (docs / "grant-advisor.html").write_bytes(page.encode("utf-8"))
    (docs / "index.md").write_text(f"# Guide\n\nWhich flow?\n\n{_embed_line()}\n", "utf-8")
    (docs / "pasted.md").write_text(f"# Pasted\n\n{page}", "utf-8")
    (root / "mkdocs.yml").write_text("site_name: Embed test\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {"site": root / "site", "page": docs / "grant-advisor.html"}


def test_the_documented_line_is_the_tested_one() -> None:
    assert _embed_line() == IFRAME


def test_mkdocs_copies_the_framed_page_unchanged(site: dict[str, Path]) -> None:
    built = site["site"] / "grant-advisor.html"
    assert built.read_bytes() == site["page"].read_bytes()
    index = (site["site"] / "index.html").read_text("utf-8")
    assert IFRAME in index


def test_mkdocs_keeps_a_pasted_page_intact(site: dict[str, Path]) -> None:
    page = site["page"].read_text("utf-8")
    pasted = (site["site"] / "pasted" / "index.html").read_text("utf-8")
    blocks = re.findall(r"<(script|style)([^>]*)>(.*?)</\1>", page, re.DOTALL)
    assert len(blocks) == 3
    for tag, attrs, body in blocks:
        assert f"<{tag}{attrs}>{body}</{tag}>" in pasted, (tag, attrs)
    assert '<div class="ga" lang="en">' in pasted
