"""Where the tests' data lives."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
"""The tests folder."""
REPO = TESTS.parent
"""The checkout."""
DATA = TESTS / "data"
"""Trees, answers files and other inputs, one per case."""
SMALL_TREE = DATA / "trees" / "small.yaml"
"""A small valid tree, independent of the shipped one."""
