"""Golden files: generated text compared byte for byte with tests/golden/."""

from __future__ import annotations

import difflib
import os

import pytest

from support.paths import TESTS

GOLDEN = TESTS / "golden"
"""Where the golden files are."""
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
"""With ``UPDATE_GOLDEN=1``, golden files are rewritten instead of compared."""
REGENERATE = "UPDATE_GOLDEN=1 pytest tests/test_tree_exports.py tests/test_report_markdown.py"
"""The command that rewrites them."""


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>`` (or rewrite it with UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    if not path.is_file():
        pytest.fail(f"golden file {path} is missing; create it with: {REGENERATE}")
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"golden/{name}",
                    "generated",
                )
            )[:60]
        )
        pytest.fail(
            f"{name} differs from the golden file. If the change is intended, regenerate with: "
            f"{REGENERATE}\n{diff}",
            pytrace=False,
        )
