"""Shared fixtures. The oidc-provider test server lives in tests/oidc_support.py, the
django-oauth-toolkit one in tests/dot_support.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor.loader import load_tree
from advisor.models import Tree

pytest_plugins = ["oidc_support", "dot_support"]

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
SMALL_TREE = DATA / "trees" / "small.yaml"


@pytest.fixture(scope="session", autouse=True)
def _private_tree_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the validated-tree cache of this test run (and its subprocesses) out of ~/.cache."""
    os.environ["GRANT_ADVISOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("tree-cache"))


@pytest.fixture(scope="session")
def shipped_tree() -> Tree:
    return load_tree()


@pytest.fixture(scope="session")
def small_tree() -> Tree:
    return load_tree(SMALL_TREE)
