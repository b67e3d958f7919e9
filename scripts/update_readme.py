"""Keep the README's diagram of the shipped tree up to date.

The README holds the Mermaid diagram between two marker lines::

    <!-- tree:begin -->
    ```mermaid
    flowchart LR
    ...
    ```
    <!-- tree:end -->

:func:`embed_diagram` replaces what is between the markers. ``python scripts/update_readme.py
README.md`` regenerates the diagram from the shipped tree and rewrites the file atomically
(``--check`` only reports whether it is stale, exit 1 if so). The README uses the left-right
layout: the tree is wide (the first question has ten answers), and GitHub shrinks a wide
diagram to the page width, so a tall one stays readable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from advisor.core.errors import AdvisorError, ExportError
from advisor.exports.markdown import fenced

BEGIN: Final = "<!-- tree:begin -->"
END: Final = "<!-- tree:end -->"
README_DIRECTION: Final = "LR"
"""Layout of the README's diagram."""
REGENERATE: Final = "python scripts/update_readme.py README.md"
"""The command that regenerates the README's diagram (printed by the staleness test)."""


def embed_diagram(readme_text: str, diagram: str) -> str:
    """``readme_text`` with ``diagram`` (Mermaid source) fenced between the tree markers.

    Whatever was between the markers is replaced; the markers and everything outside them are
    kept byte for byte.

    Raises:
        ExportError: the markers are missing, repeated, or in the wrong order.
    """
    begins, ends = readme_text.count(BEGIN), readme_text.count(END)
    if begins == 0 or ends == 0:
        raise ExportError(f"no {BEGIN} ... {END} markers; put the two lines where the diagram goes")
    if begins > 1 or ends > 1:
        raise ExportError(f"the {BEGIN} and {END} markers must appear once each")
    start = readme_text.index(BEGIN) + len(BEGIN)
    stop = readme_text.index(END)
    if stop < start:
        raise ExportError(f"{END} comes before {BEGIN}")
    block = "\n" + fenced(diagram, "mermaid") + "\n"
    return readme_text[:start] + block + readme_text[stop:]


def readme_diagram(tree_path: str | None = None) -> str:
    """The Mermaid diagram the README embeds (of the shipped tree unless ``tree_path``)."""
    from advisor.exports.mermaid import tree_mermaid
    from advisor.tree.loader import load_tree

    return tree_mermaid(load_tree(tree_path), direction=README_DIRECTION)


def update_readme(path: str, tree_path: str | None = None, *, check: bool = False) -> bool:
    """Regenerate the diagram in the README at ``path``; True when the file was stale.

    With ``check``, nothing is written.
    """
    from advisor.exports.files import write_atomic

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file") from None
    except OSError as exc:
        raise ExportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        updated = embed_diagram(text, readme_diagram(tree_path))
    except ExportError as exc:
        raise ExportError(f"{path}: {exc}") from None
    if updated == text:
        return False
    if not check:
        write_atomic(file, updated, force=True)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """``python scripts/update_readme.py [README] [--tree PATH] [--check]``."""
    parser = argparse.ArgumentParser(
        prog="python scripts/update_readme.py",
        description="Regenerate the Mermaid diagram between the tree markers of a README.",
    )
    parser.add_argument("readme", nargs="?", default="README.md", help="default: README.md")
    parser.add_argument("--tree", metavar="PATH", help="tree to draw (default: the shipped one)")
    parser.add_argument(
        "--check", action="store_true", help="only report; exit 1 when the diagram is stale"
    )
    args = parser.parse_args(argv)
    try:
        stale = update_readme(args.readme, args.tree, check=args.check)
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not stale:
        print(f"{args.readme}: the diagram is up to date")
        return 0
    if args.check:
        print(f"{args.readme}: the diagram is stale; run '{REGENERATE}'")
        return 1
    print(f"{args.readme}: diagram updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
